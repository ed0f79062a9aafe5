"""A scripted "Claude" for the fake Messages API that plays crm-crew's crew as the offline model would.

crewai talks to Claude with native tool calling: each request declares the agent's tools (JSON schemas; a
hierarchical manager also gets `delegate_work_to_coworker` and `ask_question_to_coworker`), the first user
message is crewai's task prompt, and earlier steps are assistant `tool_use` blocks answered by user
`tool_result` blocks. `crew_policy` reads that conversation into the offline model's `Transcript` and answers
the offline policy's next step as a tool call, or its final answer as text. A lean-route request (the lean
protocol's marker in the system prompt) is answered by the offline model's lean answer.

So a run on `anthropic/...` against the fake API makes the same decisions as an offline run, through the
real SDK, crewai's native tool loop and the API's request and token accounting.
"""

from __future__ import annotations

from typing import Any

from crm_crew.llm.offline.policy import plan
from crm_crew.llm.offline.transcript import (
    DELEGATE,
    ToolCall,
    Transcript,
    normalize_tool_name,
    read_coworkers,
    read_task,
)
from crm_crew.testing.anthropic_policies import (
    Policy,
    Reply,
    blocks,
    message_text,
    tool_result_text,
)


def system_text(request: dict[str, Any]) -> str:
    system = request.get("system")
    if isinstance(system, list):
        return "\n".join(str(b.get("text", "")) for b in system if isinstance(b, dict))
    return system or ""


def _coworkers(tool: dict[str, Any]) -> list[str]:
    schema = (tool.get("input_schema") or {}).get("properties", {}).get("coworker", {})
    if isinstance(schema.get("enum"), list):
        return [str(c) for c in schema["enum"]]
    return read_coworkers(str(tool.get("description", "")))


def request_transcript(request: dict[str, Any]) -> Transcript:
    """The offline model's view of a Messages API request made by crewai."""
    t = Transcript()
    for tool in request.get("tools") or []:
        name = normalize_tool_name(str(tool.get("name", "")))
        t.tools.append(name)
        if name == DELEGATE:
            t.coworkers = _coworkers(tool)
    pending: dict[str, tuple[str, dict[str, Any]]] = {}
    for message in request.get("messages") or []:
        for block in blocks(message):
            kind = block.get("type")
            if kind == "text" and message.get("role") == "user" and not t.task:
                found = read_task(str(block.get("text", "")))
                if found:
                    t.task, t.context = found
            elif kind == "tool_use":
                tool_input = block.get("input")
                pending[str(block.get("id"))] = (normalize_tool_name(str(block.get("name", ""))),
                                                 tool_input if isinstance(tool_input, dict) else {})
            elif kind == "tool_result" and str(block.get("tool_use_id")) in pending:
                name, args = pending.pop(str(block.get("tool_use_id")))
                t.calls.append(ToolCall(name, args, tool_result_text(block).strip()))
    return t


def crew_policy(settings: Any) -> Policy:
    """The policy answering crewai's requests as the offline model would, with `settings`' rules."""

    def policy(request: dict[str, Any]) -> Reply:
        from crm_crew.llm.lean_protocol import LEAN_MARKER
        from crm_crew.llm.offline.lean import answer_lean

        if LEAN_MARKER in system_text(request):
            case = next(m for m in request["messages"] if m.get("role") == "user")   # a repair request follows it
            return Reply(text=answer_lean(message_text(case), settings))
        step = plan(request_transcript(request), settings)
        if isinstance(step, str):
            return Reply(text=step)
        return Reply(tool_calls=[step])

    return policy

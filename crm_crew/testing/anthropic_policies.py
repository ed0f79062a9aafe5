"""What the fake Anthropic Messages API answers, and how it counts tokens.

Also the request validation the server applies (`validate`).

A policy is a callable `policy(request) -> Reply` given the request body (a dict, already validated) of a
`POST /v1/messages`. The server turns the `Reply` into content blocks, applies `stop_sequences` and
`max_tokens`, and fills in ids, usage and the stop reason. Policies must be thread-safe: the server answers
concurrent requests on several threads.

Token counts are a deterministic estimate, not Claude's tokenizer: ceil(characters / 4) of the compact JSON
of the request's `system`, `messages` and `tools` (`count_input_tokens`), and of each answered block
(`count_output_tokens`). The same function serves `usage.input_tokens` and `/v1/messages/count_tokens`.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

CHARS_PER_TOKEN = 4


@dataclass
class Reply:
    """What the model "says": some text, then tool calls `(tool name, input)` (names the request declared)."""

    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


Policy = Callable[[dict[str, Any]], Reply]


def _tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def count_input_tokens(request: dict[str, Any]) -> int:
    """ceil(chars / 4) over the compact JSON of system + messages + tools (other keys are ignored)."""
    parts = {key: request[key] for key in ("system", "messages", "tools") if request.get(key) is not None}
    return max(1, _tokens(len(_compact(parts))))


def count_text_tokens(text: str) -> int:
    return _tokens(len(text))


def count_tool_call_tokens(name: str, tool_input: dict[str, Any]) -> int:
    return _tokens(len(name) + len(_compact(tool_input)))


# --- helpers for policies ---------------------------------------------------------------
def blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    """A message's content as a list of blocks (a plain string is one text block)."""
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [b for b in content or [] if isinstance(b, dict)]


def message_text(message: dict[str, Any]) -> str:
    return "\n".join(str(b.get("text", "")) for b in blocks(message) if b.get("type") == "text")


def tool_results(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in blocks(message) if b.get("type") == "tool_result"]


def tool_result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    if isinstance(content, list):
        return "\n".join(str(b.get("text", "")) for b in content if isinstance(b, dict))
    return "" if content is None else str(content)


# --- shipped policies -------------------------------------------------------------------
def echo_policy(request: dict[str, Any]) -> Reply:
    """Answers "Echo: <the last user message's text>"."""
    return Reply(text=f"Echo: {message_text(request['messages'][-1])}")


def fixed_policy(text: str) -> Policy:
    """A policy that always answers `text`."""

    def policy(request: dict[str, Any]) -> Reply:
        return Reply(text=text)

    return policy


class ScriptedPolicy:
    """Answers the replies in order, one per request, then repeats the last one. Thread-safe."""

    def __init__(self, replies: Sequence[Reply | str]) -> None:
        if not replies:
            raise ValueError("ScriptedPolicy needs at least one reply")
        self.replies = [Reply(text=r) if isinstance(r, str) else r for r in replies]
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            reply = self.replies[min(self.calls, len(self.replies) - 1)]
            self.calls += 1
        return reply


def tool_then_text_policy(request: dict[str, Any]) -> Reply:
    """With tools declared and the last message not carrying tool results: call the first tool with {}.
    Otherwise answer text ("Final answer: " + the tool results, or an echo of the last message)."""
    last = request["messages"][-1]
    results = tool_results(last) if last.get("role") == "user" else []
    tools = request.get("tools") or []
    if tools and not results:
        return Reply(tool_calls=[(str(tools[0]["name"]), {})])
    if results:
        return Reply(text="Final answer: " + "; ".join(tool_result_text(r) for r in results))
    return Reply(text=f"Final answer: {message_text(last)}")


# --- request validation (the real API's checks that matter to a client) -------------------
_TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")


def validate(body: dict[str, Any], for_count: bool = False) -> str | None:
    """The invalid_request_error message for a bad Messages request body, or None when it is fine.
    `for_count`: a count_tokens body (no max_tokens)."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "model: Field required"
    if not for_count:
        if "max_tokens" not in body:
            return "max_tokens: Field required"
        max_tokens = body["max_tokens"]
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            return "max_tokens: Input should be an integer greater than or equal to 1"
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            return "tools: Input should be a valid list"
        for i, tool in enumerate(tools):
            if not isinstance(tool, dict) or not _TOOL_NAME.match(str(tool.get("name", ""))):
                return f"tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,128}}$'"
            if "type" not in tool and not isinstance(tool.get("input_schema"), dict):
                return f"tools.{i}.custom.input_schema: Field required"
        names = [t["name"] for t in tools]
        if len(set(names)) != len(names):
            return "tools: Tool names must be unique."
    declared = {t["name"] for t in tools or []}
    problem = _validate_messages(body.get("messages"), bool(tools))
    if problem:
        return problem
    system = body.get("system")
    if system is not None and not isinstance(system, str) and not (
            isinstance(system, list) and all(isinstance(b, dict) and b.get("type") == "text" for b in system)):
        return "system: Input should be a valid string or a list of text blocks"
    stops = body.get("stop_sequences")
    if stops is not None and not (isinstance(stops, list) and all(isinstance(s, str) for s in stops)):
        return "stop_sequences: Input should be a valid list of strings"
    if "stream" in body and not isinstance(body["stream"], bool):
        return "stream: Input should be a valid boolean"
    choice = body.get("tool_choice")
    if choice is not None:
        if not isinstance(choice, dict) or choice.get("type") not in ("auto", "any", "tool", "none"):
            return "tool_choice: Input tag does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
        if choice["type"] == "tool" and choice.get("name") not in declared:
            return f"tool_choice: Tool '{choice.get('name')}' not found in tools"
    return None


def _validate_messages(messages: Any, has_tools: bool) -> str | None:
    if not isinstance(messages, list):
        return "messages: Field required"
    if not messages:
        return "messages: at least one message is required"
    previous_role: str | None = None
    pending: list[str] = []                       # tool_use ids of the previous assistant message
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return f"messages.{i}: Input should be a valid dictionary"
        role = message.get("role")
        if role not in ("user", "assistant"):
            return f"messages.{i}.role: Input should be 'user' or 'assistant'"
        if role == previous_role:
            return f'messages: roles must alternate between "user" and "assistant", but found multiple "{role}" roles in a row'
        content = message.get("content")
        if not isinstance(content, (str, list)):
            return f"messages.{i}.content: Field required"
        final_assistant = role == "assistant" and i == len(messages) - 1
        if not content and not final_assistant:
            return f"messages.{i}: all messages must have non-empty content except for the optional final assistant message"
        found: list[str] = []
        for j, block in enumerate(content if isinstance(content, list) else []):
            kind = block.get("type") if isinstance(block, dict) else None
            where = f"messages.{i}.content.{j}"
            if kind == "text" and not isinstance(block.get("text"), str):
                return f"{where}.text.text: Field required"
            if kind in ("tool_use", "tool_result") and not has_tools:
                return "Requests which include `tool_use` or `tool_result` blocks must define tools."
            if kind == "tool_use":
                if role != "assistant" or not isinstance(block.get("input"), dict) or not block.get("id"):
                    return f"{where}: invalid tool_use block (assistant only, with id, name and an input object)"
                found.append(str(block["id"]))
            elif kind == "tool_result":
                if role != "user" or block.get("tool_use_id") not in pending:
                    return (f"{where}: unexpected `tool_use_id` found in `tool_result` blocks: "
                            f"{block.get('tool_use_id')}. Each `tool_result` block must have a corresponding "
                            "`tool_use` block in the previous message.")
                found.append(str(block["tool_use_id"]))
            elif kind is None:
                return f"{where}: Input should be a valid dictionary with a `type`"
        missing = [tool_id for tool_id in pending if tool_id not in found]
        if missing:
            return (f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately after: "
                    f"{', '.join(missing)}. Each `tool_use` block must have a corresponding `tool_result` "
                    "block in the next message.")
        pending = found if role == "assistant" else []
        previous_role = role
    return None

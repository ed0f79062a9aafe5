"""The scripted "Claude" that plays crm-crew's crew: Messages API requests in, the offline model's steps out.

The request bodies have the shape crewai 1.15 sends with native tool calling (captured from a crew run
against the fake API): system as text blocks, strict tool schemas, crewai's task prompt as the first user
message, then assistant tool_use / user tool_result pairs. The last test drives a real crewai crew.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from crewai import LLM, Agent, Crew, Process, Task
from crewai.crews.crew_output import CrewOutput
from crewai.tools import tool

from crm_crew.config.loader import load_config
from crm_crew.llm.lean_protocol import case_message, system_prompt
from crm_crew.llm.offline.lean import answer_lean
from crm_crew.llm.offline.transcript import DELEGATE
from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.anthropic_policies import Reply
from crm_crew.testing.crew_policy import crew_policy, request_transcript

CONFIG = Path(__file__).resolve().parents[2] / "config"
MODEL = "claude-haiku-4-5"
SCREENING = {"injection": False, "injection_signals": [], "flags": [], "pii_redacted": [], "truncated": False,
             "safe_to_process": True}
INTERACTION: dict[str, Any] = {
    "interaction": {"id": "msg-004", "channel": "email", "sender_email": "daniel.okafor@brightwave.com",
                    "sender_name": "Daniel Okafor", "subject": "Quote for 50 licenses",
                    "body": "Could you send us a quote for 50 licenses and your pricing?", "automated_sender": False},
    "contact": None, "assessment": None, "reply": None, "planned_actions": []}


@pytest.fixture(scope="module")
def settings() -> Any:
    return load_config(CONFIG).settings


def _tool(name: str, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    props = properties or {}
    return {"name": name, "description": f"The {name} tool.", "strict": True,
            "input_schema": {"type": "object", "properties": props, "required": list(props),
                             "additionalProperties": False}}


def _delegation(coworkers: str) -> list[dict[str, Any]]:
    def schema(first: str) -> dict[str, Any]:
        props = {first: {"type": "string"}, "context": {"type": "string"}, "coworker": {"type": "string"}}
        return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}

    return [{"name": DELEGATE, "strict": True, "input_schema": schema("task"),
             "description": f"Delegate a specific task to one of the following coworkers: {coworkers}\n"
                            "The input to this tool should be the coworker, the task you want them to do, "
                            "and ALL necessary context to execute the task."},
            {"name": "ask_question_to_coworker", "strict": True, "input_schema": schema("question"),
             "description": f"Ask a specific question to one of the following coworkers: {coworkers}\n"
                            "The input to this tool should be the coworker and the question."}]


def _task_prompt(task: str, context: str = "") -> str:
    prompt = (f"\nCurrent Task: {task}\n\nThis is the expected criteria for your final answer: One short "
              "paragraph.\nyou MUST return the actual complete content as the final answer, not a summary.")
    return prompt + (f"\n\nThis is the context you're working with:\n{context}" if context else "")


def request(role: str, tools: list[dict[str, Any]], prompt: str,
            steps: Sequence[tuple[str, dict[str, Any], Any]] = ()) -> dict[str, Any]:
    """A crewai request: `steps` are (tool, input, result) already taken in this conversation."""
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": prompt, "cache_control": {"type": "ephemeral"}}]}]
    for i, (name, tool_input, result) in enumerate(steps):
        tool_id = f"toolu_{i:04d}"
        messages.append({"role": "assistant", "content": [{"type": "tool_use", "id": tool_id, "name": name,
                                                           "input": tool_input}]})
        text = result if isinstance(result, str) else json.dumps(result)
        messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_id,
                                                      "content": text}]})
    return {"model": MODEL, "max_tokens": 64000, "stop_sequences": ["\nObservation:"], "messages": messages,
            "system": [{"type": "text", "text": f"You are {role}. Your personal goal is: help.",
                        "cache_control": {"type": "ephemeral"}}],
            "tools": tools}


SCREEN_TASK = "Review the security screening report for interaction msg-004 (email)."
MANAGER_TOOLS = [_tool("get_screening_report"), *_delegation("Security Officer")]


def test_the_manager_delegates_the_task_with_its_context_to_the_coworker(settings: Any) -> None:
    body = request("Coordinator", MANAGER_TOOLS, _task_prompt(SCREEN_TASK, "Earlier: safe."))

    reply = crew_policy(settings)(body)

    assert reply == Reply(tool_calls=[(DELEGATE, {"task": SCREEN_TASK, "context": "Earlier: safe.",
                                                  "coworker": "Security Officer"})])


def test_the_manager_answers_what_the_coworker_answered(settings: Any) -> None:
    delegated = (DELEGATE, {"task": SCREEN_TASK, "context": "", "coworker": "Security Officer"}, "Safe: no flags.")
    body = request("Coordinator", MANAGER_TOOLS, _task_prompt(SCREEN_TASK), [delegated])

    assert crew_policy(settings)(body) == Reply(text="Safe: no flags.")


def test_a_coworker_enum_in_the_delegation_schema_names_the_coworker(settings: Any) -> None:
    tools = _delegation("someone")
    tools[0]["input_schema"]["properties"]["coworker"]["enum"] = ["Data Steward"]

    t = request_transcript(request("Coordinator", tools, _task_prompt("Identify the sender.")))

    assert t.is_manager and t.coworkers == ["Data Steward"]


def test_a_worker_calls_its_tool_then_answers_with_its_result(settings: Any) -> None:
    policy = crew_policy(settings)
    tools = [_tool("get_screening_report")]
    first = policy(request("Security Officer", tools, _task_prompt(SCREEN_TASK)))
    done = policy(request("Security Officer", tools, _task_prompt(SCREEN_TASK),
                          [("get_screening_report", {}, SCREENING)]))

    assert first == Reply(tool_calls=[("get_screening_report", {})])
    assert done.tool_calls == [] and json.loads(done.text) == {"get_screening_report": SCREENING}


def test_a_worker_draws_its_arguments_from_earlier_tool_results(settings: Any) -> None:
    email = {"email": {"type": "string"}, "name": {"type": "string"}, "company": {"type": "string"}}
    tools = [_tool("read_interaction"), _tool("extract_signature"), _tool("find_contact", email),
             _tool("get_contact_history", {"contact_id": {"type": "string"}, "limit": {"type": "integer"}})]
    signature = {"full_name": "Daniel Okafor", "company": "Brightwave Media Ltd"}
    found = {"found": True, "match": "email", "contact": {"id": "C-7", "tier": "standard"}}
    steps: list[tuple[str, dict[str, Any], Any]] = [("read_interaction", {}, INTERACTION),
                                                    ("extract_signature", {}, signature)]
    policy = crew_policy(settings)
    prompt = _task_prompt("Identify the sender of interaction msg-004.")

    assert policy(request("Data Steward", tools, prompt, steps)).tool_calls == [
        ("find_contact", {"email": "daniel.okafor@brightwave.com", "name": "Daniel Okafor",
                          "company": "Brightwave Media Ltd"})]
    steps.append(("find_contact", {}, found))
    assert policy(request("Data Steward", tools, prompt, steps)).tool_calls == [
        ("get_contact_history", {"contact_id": "C-7"})]


def test_tool_results_with_crewai_reminders_after_the_json_still_count(settings: Any) -> None:
    tools = [_tool("read_interaction"), _tool("score_sentiment"), _tool("record_assessment")]
    steps: list[tuple[str, dict[str, Any], Any]] = [
        ("read_interaction", {}, json.dumps(INTERACTION) + "\n\nTool usage reminder: use the tools you have."),
        ("score_sentiment", {}, {"label": "neutral", "score": 0.0})]

    reply = crew_policy(settings)(request("Communication Analyst", tools, _task_prompt("Assess msg-004."), steps))

    (name, args), = reply.tool_calls
    assert name == "record_assessment"
    assert (args["intent"], args["urgency"], args["sentiment"]) == ("sales_inquiry", "medium", "neutral")


def test_a_lean_route_request_gets_the_offline_lean_answer(settings: Any) -> None:
    case = {"interaction": {"subject": "Quote for 50 licenses", "body": "Please send a quote and pricing."},
            "sentiment_lexicon": {"label": "neutral", "score": 0.0}, "task_kinds": ["quote", "call"]}
    body = {"model": MODEL, "max_tokens": 1024, "system": system_prompt("Communication Analyst", "Judge.", "Calm.", settings),
            "messages": [{"role": "user", "content": case_message(case)}]}

    reply = crew_policy(settings)(body)

    assert reply == Reply(text=answer_lean(case_message(case), settings))
    assert json.loads(reply.text)["intent"] == "sales_inquiry"


def test_a_real_hierarchical_crewai_crew_runs_on_the_policy_over_the_messages_api(settings: Any) -> None:
    @tool("get_screening_report")
    def get_screening_report() -> str:
        """The security screen computed before any model saw the message."""
        return json.dumps(SCREENING)

    with FakeAnthropic(policy=crew_policy(settings)) as server:
        def llm() -> LLM:
            return LLM(model=f"anthropic/{MODEL}", api_key=server.api_key, base_url=server.url, max_retries=0)

        worker = Agent(role="Security Officer", goal="Check the screen.", backstory="Careful.", llm=llm(),
                       tools=[get_screening_report], allow_delegation=False, max_iter=4)
        manager = Agent(role="Coordinator", goal="Delegate.", backstory="Never does the work.", llm=llm(),
                        allow_delegation=True, max_iter=4)
        task = Task(description=SCREEN_TASK, expected_output="Safe or not.", agent=worker)
        crew = Crew(agents=[worker], tasks=[task], manager_agent=manager, process=Process.hierarchical,
                    verbose=False, memory=False, cache=False)

        output = crew.kickoff()
        stats = server.stats()

    assert isinstance(output, CrewOutput)
    assert json.loads(output.raw) == {"get_screening_report": SCREENING}
    # manager delegates, worker calls its tool, worker answers, manager answers
    assert stats["requests"] == 4 and stats["errors"] == {}
    assert stats["input_tokens"] > 0 and stats["output_tokens"] > 0

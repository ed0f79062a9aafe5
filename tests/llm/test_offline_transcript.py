"""Reading a CrewAI ReAct conversation (crm_crew.llm.offline.transcript)."""

from __future__ import annotations

import json

from crm_crew.llm.offline.transcript import DELEGATE, ToolCall, read_transcript
from tests.unit_fixtures import (
    assistant_call,
    manager_system_message,
    system_message,
    tools_block,
    user_message,
)

DATA_TOOLS = ["read_interaction", "extract_signature", "find_contact", "get_contact_history"]


def test_tools_from_the_system_message() -> None:
    t = read_transcript([system_message("Data Steward", DATA_TOOLS), user_message("Identify the sender.")])
    assert t.tools == DATA_TOOLS
    assert t.coworkers == [] and not t.is_manager


def test_tool_names_are_normalized() -> None:
    content = "You are X." + tools_block({"Delegate work to coworker": "Delegate a specific task to one of the "
                                          "following coworkers: Data Steward\nMore.", "Read Interaction ": "r"})
    t = read_transcript([{"role": "system", "content": content}])
    assert t.tools == [DELEGATE, "read_interaction"]
    assert t.is_manager and t.coworkers == ["Data Steward"]


def test_manager_coworkers_from_the_delegation_tool() -> None:
    t = read_transcript([manager_system_message("Security Officer, Data Steward"), user_message("Screen it.")])
    assert t.tools == ["delegate_work_to_coworker", "ask_question_to_coworker"]
    assert t.is_manager
    assert t.coworkers == ["Security Officer", "Data Steward"]


def test_task_and_context_from_the_first_user_message() -> None:
    t = read_transcript([
        system_message("Data Steward", DATA_TOOLS),
        user_message("Identify the sender of interaction msg-001:\nMark Chen <mark.chen@globex.io>.",
                     expected="The contact match.", context="Safe to process; no flags."),
        {"role": "user", "content": "\nCurrent Task: a later reminder\n\nBegin!"},
    ])
    assert t.task == "Identify the sender of interaction msg-001:\nMark Chen <mark.chen@globex.io>."
    assert t.context == "Safe to process; no flags."


def test_task_without_context() -> None:
    t = read_transcript([user_message("Screen interaction msg-002.")])
    assert t.task == "Screen interaction msg-002." and t.context == ""


def test_calls_with_arguments_and_json_observations() -> None:
    found = {"found": True, "match": "email", "contact": {"id": "C-1a2b3c4d", "tier": "standard"}}
    t = read_transcript([
        system_message("Data Steward", DATA_TOOLS),
        user_message("Identify the sender."),
        assistant_call("read_interaction", {}, {"interaction": {"id": "msg-001", "subject": "Login"}}),
        assistant_call("find_contact", {"email": "mark.chen@globex.io", "name": "Mark Chen", "company": "Globex"},
                       found),
    ])
    assert [c.name for c in t.calls] == ["read_interaction", "find_contact"]
    assert t.calls[1].args == {"email": "mark.chen@globex.io", "name": "Mark Chen", "company": "Globex"}
    assert t.calls[1].result() == found
    assert t.last("find_contact") == found
    assert t.last("read_interaction")["interaction"]["id"] == "msg-001"
    assert t.last("get_contact_history") == {}
    assert t.called("find_contact")
    assert t.called("find_contact", {"email": "mark.chen@globex.io", "name": "Mark Chen", "company": "Globex"})
    assert not t.called("find_contact", {"email": "other@x.com"})
    assert not t.called("get_contact_history")


def test_reminder_text_after_the_observation_is_ignored_by_result() -> None:
    reminder = tools_block({"read_interaction": "r", "find_contact": "f"})  # CrewAI's every-third-call reminder
    t = read_transcript([assistant_call("find_contact", {}, {"found": False, "match": "none"}, reminder=reminder)])
    call = t.calls[0]
    assert call.name == "find_contact" and call.args == {}
    assert call.observation.startswith('{"found": false')
    assert "Tool Name: read_interaction" in call.observation
    assert call.result() == {"found": False, "match": "none"}
    assert t.tools == []  # tools are read from the system message only


def test_last_returns_the_most_recent_call_of_a_tool() -> None:
    t = read_transcript([
        assistant_call("score_sentiment", {}, {"label": "neutral", "score": 0.0}),
        assistant_call("score_sentiment", {"text": "awful"}, {"label": "negative", "score": -0.6}),
    ])
    assert t.last("score_sentiment") == {"label": "negative", "score": -0.6}


def test_observations_that_are_not_json_objects() -> None:
    assert ToolCall("x", {}, "Error: tool failed").result() == {}
    assert ToolCall("x", {}, "[1, 2]").result() == {}
    assert ToolCall("x", {}, "").result() == {}
    assert ToolCall("x", {}, '  {"ok": true} trailing words').result() == {"ok": True}


def test_unparseable_action_input_gives_empty_args() -> None:
    t = read_transcript([{"role": "assistant", "content": "Thought: t\nAction: Find Contact\nAction Input: "
                                                           "{not json\nObservation: {\"found\": false}"},
                         {"role": "assistant", "content": "Thought: t\nAction: x\nAction Input: [1]\n"
                                                           "Observation: ok"}])
    assert [(c.name, c.args) for c in t.calls] == [("find_contact", {}), ("x", {})]
    assert t.calls[0].result() == {"found": False}


def test_multiline_action_input() -> None:
    args = {"task": "Identify the sender", "context": "line one\nline two", "coworker": "Data Steward"}
    content = (f"Thought: delegate\nAction: {DELEGATE}\nAction Input: {json.dumps(args, indent=2)}\n"
               "Observation: The sender is Mark Chen (C-1a2b3c4d).")
    t = read_transcript([{"role": "assistant", "content": content}])
    assert t.calls[0].args == args
    assert t.calls[0].observation == "The sender is Mark Chen (C-1a2b3c4d)."


def test_assistant_messages_without_an_action_are_not_calls() -> None:
    t = read_transcript([{"role": "assistant", "content": "Thought: I now know the final answer\nFinal Answer: ok"},
                         {"role": "assistant", "content": None}])
    assert t.calls == []


def test_a_plain_string_prompt_is_a_user_message() -> None:
    t = read_transcript(user_message("Summarize the run.")["content"])
    assert t.task == "Summarize the run." and t.tools == [] and t.calls == []


def test_non_string_content_is_serialized() -> None:
    t = read_transcript([{"role": "user", "content": [{"type": "text", "text": "hello"}]}])
    assert t.task == "" and t.calls == []

"""The offline model's policy (crm_crew.llm.offline.policy) over realistic ReAct conversations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from crm_crew.llm.offline.policy import decide, next_step, run_report
from crm_crew.llm.offline.transcript import read_transcript
from tests.unit_fixtures import (
    assistant_call,
    manager_system_message,
    shipped_settings,
    system_message,
    tools_block,
    user_message,
)

S = shipped_settings()
_ACTION = re.compile(r"^Thought: .+\nAction: (\S+)\nAction Input: (\{.*\})$", re.DOTALL)
_FINAL = re.compile(r"^Thought: I now know the final answer\nFinal Answer: (.*)$", re.DOTALL)

SECURITY = ["get_screening_report"]
DATA = ["read_interaction", "extract_signature", "find_contact", "get_contact_history"]
COMMUNICATION = ["read_interaction", "score_sentiment", "record_assessment", "render_reply_template", "submit_reply"]
ACTION = ["read_interaction", "plan_create_contact", "plan_log_activity", "plan_create_case", "plan_create_task",
          "plan_update_lead_status", "plan_opt_out"]
JANE = {"id": "C-1a2b3c4d", "name": "Jane Doe", "company": "Acme Corp", "tier": "enterprise",
        "lead_status": "Customer", "opted_out": False, "match": "email"}


def case_file(subject: str, body: str, *, contact: dict[str, Any] | None = None, intent: str | None = None,
              urgency: str = "low", sender: str = "daniel.okafor@brightwave-media.com",
              automated: bool = False) -> dict[str, Any]:
    return {
        "interaction": {"id": "msg-004", "channel": "email", "sender_email": sender, "sender_name": "",
                        "subject": subject, "body": body, "received_at": "2026-11-20T09:15:00Z",
                        "automated_sender": automated},
        "security": {"injection": False, "pii_redacted": [], "flags": []},
        "sender_details": None,
        "contact": contact,
        "assessment": None if intent is None else {"intent": intent, "urgency": urgency, "sentiment_label": "neutral",
                                                   "sentiment_score": 0.0, "confidence": 0.9, "rationale": ""},
        "reply": None,
        "planned_actions": [],
    }


Observe = Callable[[str, dict[str, Any]], Any]


def walk(tools: list[str], observe: Observe | dict[str, Any], task: str = "Do your part.",
         limit: int = 30) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    """Drive a worker conversation with the policy until its final answer; the calls made and the answer."""
    messages = [system_message("Worker", tools), user_message(task)]
    calls: list[tuple[str, dict[str, Any]]] = []
    for _ in range(limit):
        text = decide(read_transcript(messages), S)
        final = _FINAL.match(text)
        if final:
            return calls, final.group(1)
        action = _ACTION.match(text)
        assert action, f"not a ReAct step: {text!r}"
        name, args = action.group(1), json.loads(action.group(2))
        assert name in tools
        calls.append((name, args))
        obs = observe(name, args) if callable(observe) else observe.get(name, {})
        # CrewAI appends its format reminder to every third observation.
        reminder = tools_block({t: t for t in tools}) if len(calls) % 3 == 0 else ""
        messages.append(assistant_call(name, args, obs, reminder=reminder))
    raise AssertionError(f"no final answer after {limit} steps: {calls}")


# -- manager -----------------------------------------------------------------------------------


def test_manager_delegates_the_task_to_its_coworker() -> None:
    messages = [manager_system_message("Data Steward"),
                user_message("Identify the sender of interaction msg-001.", context="Safe to process.")]
    text = decide(read_transcript(messages), S)
    action = _ACTION.match(text)
    assert action and action.group(1) == "delegate_work_to_coworker"
    assert json.loads(action.group(2)) == {"task": "Identify the sender of interaction msg-001.",
                                           "context": "Safe to process.", "coworker": "Data Steward"}
    assert "Data Steward" in text.splitlines()[0]


def test_manager_without_context_gives_a_default_context() -> None:
    text = decide(read_transcript([manager_system_message("Security Officer"), user_message("Screen msg-001.")]), S)
    args = json.loads(_ACTION.match(text).group(2))  # type: ignore[union-attr]
    assert args == {"task": "Screen msg-001.", "context": "Use your tools to read the interaction.",
                    "coworker": "Security Officer"}


def test_manager_finishes_with_the_coworkers_answer_after_one_delegation() -> None:
    answer = '{"find_contact": {"found": true, "match": "email"}}'
    messages = [manager_system_message("Data Steward"), user_message("Identify the sender."),
                assistant_call("delegate_work_to_coworker",
                               {"task": "Identify the sender.", "context": "x", "coworker": "Data Steward"}, answer)]
    text = decide(read_transcript(messages), S)
    assert text == f"Thought: I now know the final answer\nFinal Answer: {answer}"


def test_manager_is_recognised_by_its_delegation_tool_even_with_several_coworkers() -> None:
    text = decide(read_transcript([manager_system_message("Security Officer, Data Steward"), user_message("t")]), S)
    assert json.loads(_ACTION.match(text).group(2))["coworker"] == "Security Officer"  # type: ignore[union-attr]


# -- workers -----------------------------------------------------------------------------------


def test_security_worker_reads_the_report_then_finishes() -> None:
    report = {"injection": False, "injection_signals": [], "flags": ["legal_action"],
              "pii_redacted": ["email"], "truncated": False, "safe_to_process": True}
    calls, answer = walk(SECURITY, {"get_screening_report": report})
    assert calls == [("get_screening_report", {})]
    assert json.loads(answer) == {"get_screening_report": report}


def test_data_worker_walks_its_playbook_for_a_known_sender() -> None:
    cf = case_file("Cannot log in", "error on login", sender="mark.chen@globex.io")
    observations = {
        "read_interaction": cf,
        "extract_signature": {"first_name": "Mark", "last_name": "Chen", "full_name": "Mark Chen",
                              "company": "Globex", "phone": "", "title": ""},
        "find_contact": {"found": True, "match": "email", "score": 100.0,
                         "contact": {"id": "C-00000042", "name": "Mark Chen", "tier": "standard"}},
        "get_contact_history": {"activities": []},
    }
    calls, answer = walk(DATA, observations)
    assert calls == [
        ("read_interaction", {}),
        ("extract_signature", {}),
        ("find_contact", {"email": "mark.chen@globex.io", "name": "Mark Chen", "company": "Globex"}),
        ("get_contact_history", {"contact_id": "C-00000042"}),
    ]
    assert set(json.loads(answer)) == {"read_interaction", "extract_signature", "find_contact", "get_contact_history"}


def test_data_worker_skips_history_for_an_unknown_sender() -> None:
    observations = {"read_interaction": case_file("Quote", "Send a quote"),
                    "extract_signature": {"full_name": "", "company": "Brightwave Media"},
                    "find_contact": {"found": False, "match": "none", "best_fuzzy_score": 0.0}}
    calls, _ = walk(DATA, observations)
    assert [name for name, _ in calls] == ["read_interaction", "extract_signature", "find_contact"]
    assert calls[2][1] == {"email": "daniel.okafor@brightwave-media.com", "name": "", "company": "Brightwave Media"}


def test_communication_worker_assesses_renders_and_submits() -> None:
    cf = case_file("Cannot log in since this morning",
                   "I get an error when I try to login. The reset does not work. This is urgent, can you help?")
    reply = {"subject": "Re: Cannot log in since this morning", "body": "Hi Mark,\n\nWe are on it."}
    observations = {"read_interaction": cf, "score_sentiment": {"label": "negative", "score": -0.42},
                    "record_assessment": {"recorded": True}, "render_reply_template": {"reply": reply},
                    "submit_reply": {"accepted": True}}
    calls, _ = walk(COMMUNICATION, observations)
    assert [name for name, _ in calls] == COMMUNICATION
    assessment = calls[2][1]
    assert assessment["intent"] == "support" and assessment["urgency"] == "high"
    assert assessment["sentiment"] == "negative" and assessment["sentiment_score"] == -0.42
    assert 0.8 <= assessment["confidence"] <= 1.0
    assert assessment["rationale"].startswith("support ") and "cues:" in assessment["rationale"]
    assert calls[4] == ("submit_reply", reply)


def test_communication_worker_stops_when_the_assessment_is_refused() -> None:
    observations = {"read_interaction": case_file("Hi", "Nothing special here"),
                    "score_sentiment": {"label": "neutral", "score": 0.0},
                    "record_assessment": {"recorded": False, "problems": ["..."]}}
    calls, _ = walk(COMMUNICATION, observations)
    assert [name for name, _ in calls] == ["read_interaction", "score_sentiment", "record_assessment"]
    assert calls[2][1]["confidence"] < 0.5         # a guess on almost nothing, and it says so


def test_communication_worker_submits_nothing_when_no_reply_is_due() -> None:
    observations = {"read_interaction": case_file("You have won", "casino lottery prize"),
                    "score_sentiment": {"label": "positive", "score": 0.5},
                    "record_assessment": {"recorded": True},
                    "render_reply_template": {"reply": None, "reason": "spam gets no reply"}}
    calls, _ = walk(COMMUNICATION, observations)
    assert [name for name, _ in calls] == COMMUNICATION[:4]


def _planner(cf: dict[str, Any], refuse: set[str] = frozenset()) -> Observe:  # type: ignore[assignment]
    def observe(name: str, args: dict[str, Any]) -> Any:
        if name == "read_interaction":
            return cf
        if name in refuse:
            return {"planned": False, "refused": "no"}
        return {"planned": True, "type": name.removeprefix("plan_"), "fields": {}}
    return observe


def test_action_worker_plans_a_new_contact_and_one_task_per_requested_kind() -> None:
    cf = case_file("Quote for 50 licenses",
                   "We are interested in your product. Please send a quote and call me on Monday.",
                   intent="sales_inquiry", urgency="low")
    calls, answer = walk(ACTION, _planner(cf))
    assert calls == [
        ("read_interaction", {}),
        ("plan_create_contact", {}),
        ("plan_log_activity", {}),
        ("plan_create_task", {"kind": "call", "note": "The customer asked for a call."}),
        ("plan_create_task", {"kind": "quote", "note": "The customer asked for a quote."}),
        ("plan_update_lead_status", {"status": "Working"}),
    ]
    assert json.loads(answer)["plan_update_lead_status"]["planned"] is True


def test_action_worker_on_a_known_contact_with_a_high_urgency_complaint() -> None:
    cf = case_file("Very disappointed", "This is unacceptable, fix it today.", contact=JANE,
                   intent="complaint", urgency="high", sender="jane.doe@acme-corp.com")
    calls, _ = walk(ACTION, _planner(cf))
    assert calls == [("read_interaction", {}), ("plan_log_activity", {}),
                     ("plan_create_case", {"reason": "complaint, urgency high"})]


def test_action_worker_opts_out_an_unsubscribing_contact() -> None:
    cf = case_file("Unsubscribe", "Please unsubscribe me.", contact=JANE, intent="unsubscribe")
    calls, _ = walk(ACTION, _planner(cf))
    assert [n for n, _ in calls] == ["read_interaction", "plan_log_activity", "plan_opt_out"]


def test_action_worker_does_not_repeat_an_opt_out_or_lead_status_already_set() -> None:
    contact = {**JANE, "opted_out": True, "lead_status": "Working"}
    cf = case_file("Unsubscribe", "Please unsubscribe me.", contact=contact, intent="unsubscribe")
    assert [n for n, _ in walk(ACTION, _planner(cf))[0]] == ["read_interaction", "plan_log_activity"]
    cf = case_file("Pricing", "What is your pricing?", contact=contact, intent="sales_inquiry")
    assert [n for n, _ in walk(ACTION, _planner(cf))[0]] == ["read_interaction", "plan_log_activity"]


@pytest.mark.parametrize("cf", [
    case_file("You have won", "Casino prize, call me to claim", intent="spam"),
    case_file("Delivery failed", "Mail delivery failed", intent="support", sender="mailer-daemon@x.com",
              automated=True),
    case_file("Hi", "Hello", intent=None),
], ids=["spam", "automated", "unassessed"])
def test_action_worker_plans_nothing_for_unknown_senders_it_must_not_create(cf: dict[str, Any]) -> None:
    calls, _ = walk(ACTION, _planner(cf))
    assert calls == [("read_interaction", {})]


def test_action_worker_plans_nothing_more_when_the_contact_is_refused() -> None:
    cf = case_file("Quote", "Please send a quote", intent="sales_inquiry")
    calls, _ = walk(ACTION, _planner(cf, refuse={"plan_create_contact"}))
    assert [n for n, _ in calls] == ["read_interaction", "plan_create_contact"]


def test_steps_already_taken_are_not_repeated() -> None:
    cf = case_file("Quote", "Please send a quote", intent="sales_inquiry")
    messages = [system_message("Worker", ACTION), user_message("Plan."),
                assistant_call("read_interaction", {}, cf),
                assistant_call("plan_create_contact", {}, {"planned": True}),
                assistant_call("plan_log_activity", {}, {"planned": True}),
                assistant_call("plan_create_task", {"kind": "quote", "note": "The customer asked for a quote."},
                               {"planned": True})]
    assert next_step(read_transcript(messages), S) == ("plan_update_lead_status", {"status": "Working"})


def test_worker_without_playbook_tools_says_so() -> None:
    calls, answer = walk(["some_other_tool"], {})
    assert calls == [] and answer == "Nothing to do with my tools for this task."


def test_analytics_worker_reports_the_run_statistics() -> None:
    stats = {"interactions": 4, "by_status": {"processed": 3, "escalated": 1}, "by_intent": {"support": 3},
             "by_sentiment": {"negative": 1}, "escalation_reasons": {}, "llm_calls": 7, "tokens": 900,
             "latency_p95_ms": 120}
    calls, answer = walk(["run_statistics"], {"run_statistics": stats})
    assert calls == [("run_statistics", {})]
    assert answer == run_report(stats)


# -- run_report --------------------------------------------------------------------------------


def test_run_report_wording_includes_the_figures() -> None:
    stats = {
        "interactions": 10,
        "by_status": {"processed": 7, "escalated": 2, "rejected": 1},
        "by_intent": {"support": 4, "complaint": 2, "unsubscribe": 1, "sales_inquiry": 1},
        "by_sentiment": {"negative": 3, "neutral": 5, "positive": 2},
        "escalation_reasons": {"Urgency is critical.": 1, "The message mentions legal action.": 1},
        "rejected": 1,
        "llm_calls": 42, "tokens": 12345, "latency_p95_ms": 900,
    }
    text = run_report(stats)
    assert text.startswith("10 interactions: 2 escalated, 7 processed, 1 rejected. ")
    assert "Most common intent: support (4)." in text
    assert "Negative sentiment in 3 of 10 (30%)." in text
    assert "Model calls: 42, tokens: 12345, p95 latency 900 ms." in text
    insights = text.split(" Insights: ", 1)[1]
    assert insights == ("2 escalations wait for review; the main reason is 'Urgency is critical.'. "
                        "2 complaints opened cases: check them before their SLA runs out. "
                        "Some records were rejected or failed: see the run's rejects file.")


def test_run_report_percent_is_rounded_down() -> None:
    text = run_report({"interactions": 3, "by_status": {"processed": 3}, "by_intent": {"other": 3},
                       "by_sentiment": {"negative": 2}})
    assert "Negative sentiment in 2 of 3 (66%)." in text
    assert text.endswith(" Insights: Nothing unusual in this run.")
    assert "Model calls: 0, tokens: 0, p95 latency 0 ms." in text


def test_run_report_for_an_empty_run() -> None:
    assert run_report({}) == "No interactions were processed in this run."
    assert run_report({"interactions": 0}) == "No interactions were processed in this run."


def test_run_report_without_intents() -> None:
    text = run_report({"interactions": 1, "by_status": {"rejected": 1}, "rejected": 1})
    assert text.startswith("1 interaction: 1 rejected. No intent was assessed")
    assert "Most common intent" not in text
    assert "Some records were rejected or failed" in text


def test_run_report_counts_opt_outs_made_not_unsubscribe_requests() -> None:
    stats = {"interactions": 5, "by_status": {"processed": 4, "escalated": 1},
             "by_intent": {"unsubscribe": 3, "support": 2}, "opt_outs": 1,
             "escalation_reasons": {"The sender is not the contact.": 1}}
    text = run_report(stats)
    assert "1 opt-out was recorded (from 3 unsubscribe requests)" in text
    assert "1 escalation waits for review" in text
    two = run_report({**stats, "by_intent": {"unsubscribe": 1, "complaint": 1}, "opt_outs": 0})
    assert "0 opt-outs were recorded (from 1 unsubscribe request)" in two and "1 complaint opened" in two

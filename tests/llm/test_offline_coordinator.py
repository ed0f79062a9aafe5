"""The offline model as the coordinator of a task without agent (it chooses from the roster) and as coworkers
given the case file by code (one call each)."""

from __future__ import annotations

import json
from typing import Any

from crm_crew.llm.crew_prompts import attach_case, roster
from crm_crew.llm.offline.policy import decide, next_step
from crm_crew.llm.offline.transcript import read_transcript
from tests.llm.test_offline_policy import _ACTION, _FINAL, S, case_file, walk
from tests.unit_fixtures import assistant_call, manager_system_message, system_message, user_message

ROSTER = roster([("Communication Analyst", ["record_assessment", "read_interaction"]),
                 ("CRM Action Planner", ["plan_changes", "read_interaction"])])
TEAM = "Communication Analyst, CRM Action Planner"


def _manager_step(*steps: tuple[str, str]) -> Any:
    """The manager's next step after delegating to (coworker, answer) in turn."""
    messages = [manager_system_message(TEAM), user_message("Handle interaction msg-004." + ROSTER)]
    for coworker, answer in steps:
        messages.append(assistant_call("delegate_work_to_coworker", {"task": "t", "context": "c",
                                                                     "coworker": coworker}, answer))
    text = decide(read_transcript(messages), S)
    action = _ACTION.match(text)
    return json.loads(action.group(2)) if action else _FINAL.match(text).group(1)  # type: ignore[union-attr]


def test_the_coordinator_asks_the_assessor_then_the_planner_then_answers_with_both() -> None:
    assessed = '{"recorded": true, "assessment": {"intent": "sales_inquiry"}}'
    planned = '{"plan": [{"type": "log_activity", "planned": true}]}'
    first = _manager_step()
    assert first["coworker"] == "Communication Analyst" and first["task"].startswith("Assess")
    second = _manager_step(("Communication Analyst", assessed))
    assert second["coworker"] == "CRM Action Planner" and second["context"] == assessed
    assert _manager_step(("Communication Analyst", assessed), ("CRM Action Planner", planned)) == \
        f"{assessed}\n{planned}"


def test_the_coordinator_asks_no_coworker_twice_and_skips_a_decision_it_cannot_delegate() -> None:
    refused = "The assessment could not be recorded."
    assert _manager_step(("Communication Analyst", refused))["coworker"] == "CRM Action Planner"


def test_the_coordinator_skips_a_decision_an_earlier_task_made() -> None:
    messages = [manager_system_message(TEAM),
                user_message("Plan the changes." + ROSTER, context='{"recorded": true, "assessment": {}}')]
    args = json.loads(_ACTION.match(decide(read_transcript(messages), S)).group(2))  # type: ignore[union-attr]
    assert args["coworker"] == "CRM Action Planner"


def _attached(cf: dict[str, Any]) -> str:
    return attach_case("", {**cf, "sentiment_lexicon": {"label": "negative", "score": -0.42}})


def test_an_assessor_given_the_case_file_records_its_assessment_in_its_first_call() -> None:
    cf = case_file("Cannot log in since this morning",
                   "I get an error when I try to login. The reset does not work. This is urgent, can you help?")
    messages = [system_message("Worker", ["record_assessment", "read_interaction", "score_sentiment"]),
                user_message("Assess this interaction.", context=_attached(cf))]
    name, args = next_step(read_transcript(messages), S)  # type: ignore[misc]
    assert name == "record_assessment"
    assert (args["intent"], args["urgency"], args["sentiment"], args["sentiment_score"]) == \
        ("support", "high", "negative", -0.42)


def test_a_planner_given_the_case_file_plans_every_change_in_one_call() -> None:
    cf = case_file("Quote for 50 licenses",
                   "We are interested in your product. Please send a quote and call me on Monday.",
                   intent="sales_inquiry", urgency="low")
    calls, _ = walk(["plan_changes", "read_interaction"], {"plan_changes": {"plan": []}},
                    task=f"Plan.\n\n{_attached(cf)}")
    assert calls == [("plan_changes", {"changes": [
        {"type": "create_contact"},
        {"type": "log_activity"},
        {"type": "create_task", "kind": "call", "note": "The customer asked for a call."},
        {"type": "create_task", "kind": "quote", "note": "The customer asked for a quote."},
        {"type": "update_lead_status", "status": "Working"},
    ]})]


def test_a_planner_plans_nothing_for_spam_in_its_one_call() -> None:
    cf = case_file("You have won", "Casino prize, call me to claim", intent="spam")
    calls, _ = walk(["plan_changes"], {"plan_changes": {"plan": []}}, task=f"Plan.\n\n{_attached(cf)}")
    assert calls == [("plan_changes", {"changes": []})]

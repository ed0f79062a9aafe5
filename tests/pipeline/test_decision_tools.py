"""The two decision tools: plan_changes plans every change through the write path's planner, one change at
a time with the caller's permissions; record_assessment records the assessment and settles the reply."""

from __future__ import annotations

from typing import Any

from crm_crew.config.loader import load_config
from crm_crew.connectors.local import LocalCRM
from crm_crew.pipeline.replies import load_reply_templates
from crm_crew.tools.registry import TOOLS
from crm_crew.tools.spec import ToolContext
from tests.pipeline.test_proposals import jane, new_sender
from tests.unit_fixtures import CONFIG_DIR, crm  # noqa: F401  (fixture)


def _call(tool: str, agent: str, session: Any, **args: Any) -> dict[str, Any]:
    spec = TOOLS[tool]
    return spec.run(ToolContext(agent, session), spec.args(**args))


def test_plan_changes_plans_a_new_contact_first_and_each_change_through_the_planner(crm: LocalCRM) -> None:
    session = new_sender(crm)
    result = _call("plan_changes", "action", session, changes=[
        {"type": "log_activity"}, {"type": "create_task", "kind": "quote", "note": "asked"},
        {"type": "create_contact"}, {"type": "create_task", "kind": "dance"}])
    assert [a.type for a in session.plan.actions] == ["create_contact", "log_activity", "create_task"]
    assert [(r["type"], r["planned"]) for r in result["plan"]] == [
        ("create_contact", True), ("log_activity", True), ("create_task", True), ("create_task", False)]
    assert "task kind must be one of" in result["plan"][3]["refused"]


def test_plan_changes_checks_the_callers_permission_for_every_change(crm: LocalCRM) -> None:
    session = jane(crm)
    result = _call("plan_changes", "communication", session, changes=[{"type": "log_activity"}, {"type": "opt_out"}])
    assert session.plan.actions == []
    assert all(not r["planned"] and "may not plan" in r["refused"] for r in result["plan"])


def test_plan_changes_without_a_contact_plans_nothing(crm: LocalCRM) -> None:
    session = new_sender(crm, intent="spam")
    result = _call("plan_changes", "action", session, changes=[{"type": "create_contact"}, {"type": "log_activity"}])
    assert session.plan.actions == [] and [r["planned"] for r in result["plan"]] == [False, False]


def _assess(session: Any, **reply: str) -> dict[str, Any]:
    session.replies = load_reply_templates(CONFIG_DIR.resolve())
    return _call("record_assessment", "communication", session, intent=session.assessment.intent,
                 urgency="high", sentiment="negative", sentiment_score=-0.5, confidence=0.9, **reply)


def test_record_assessment_keeps_a_draft_that_passes_the_check(crm: LocalCRM) -> None:
    session = jane(crm)
    result = _assess(session, reply_subject="Re: your message", reply_body="We are on it, Jane.")
    assert result["recorded"] and session.reply == {"subject": "Re: your message", "body": "We are on it, Jane."}


def test_record_assessment_replaces_a_failing_draft_with_the_template(crm: LocalCRM) -> None:
    session = jane(crm)
    result = _assess(session, reply_subject="Re", reply_body="Write to [EMAIL] please.")
    assert "redaction token" in result["reply"] and session.reply is not None
    assert "[EMAIL]" not in session.reply["body"]


def test_record_assessment_sends_no_reply_to_spam(crm: LocalCRM) -> None:
    session = new_sender(crm, intent="spam")
    _assess(session)
    assert session.reply is None and session.reply_declined


def test_both_decision_tools_are_final_and_the_shipped_agents_have_them() -> None:
    agents = load_config(CONFIG_DIR).agents
    assert TOOLS["record_assessment"].final and "record_assessment" in agents["communication"].tools
    assert TOOLS["plan_changes"].final and "plan_changes" in agents["action"].tools

"""The planning half of the write path (crm_crew.pipeline.proposals)."""

from __future__ import annotations

from typing import Any

import pytest

from crm_crew.connectors.local import LocalCRM
from crm_crew.errors import PermissionDenied
from crm_crew.models import Interaction
from crm_crew.pipeline.matching import match_contact
from crm_crew.pipeline.plan import NEW_CONTACT, idempotency_key
from crm_crew.pipeline.proposals import EXCERPT_CHARS, ProposalRefused, propose
from crm_crew.pipeline.senders import is_automated
from crm_crew.pipeline.session import Assessment, InteractionSession
from crm_crew.pipeline.signature import extract_sender
from crm_crew.security.screen import screen
from tests.unit_fixtures import crm, make_interaction, shipped_settings  # noqa: F401  (fixture)

NEW_SENDER = {
    "id": "msg-004",
    "sender_email": "Daniel.Okafor+sales@Brightwave-Media.com",
    "sender_name": "Daniel Okafor",
    "subject": "Quote for 50 licenses, mail daniel@brightwave-media.com",
    "body": "Please send a quote for 50 licenses and call me on +44 20 7946 0123.",
    "signature": "Daniel Okafor\nHead of Operations, Brightwave Media Ltd\n+44 20 7946 0123",
    "received_at": "2026-11-20T09:15:00Z",
}
JANE = {"id": "msg-002", "sender_email": "jane.doe@acme-corp.com", "sender_name": "Jane Doe",
        "subject": "Very disappointed", "body": "The last release broke our reporting. Unacceptable.",
        "received_at": "2026-11-20T08:30:00Z"}


def session_for(crm: LocalCRM, interaction: Interaction, intent: str = "sales_inquiry", urgency: str = "low",
                settings: Any = None) -> InteractionSession:
    """A session as the tools leave it once the data and communication agents are done."""
    s = settings or shipped_settings()
    session = InteractionSession(interaction, screen(interaction, s.security, s.limits), s, crm,
                                 run_started_at="2026-11-20T06:00:00+00:00")
    session.sender = extract_sender(interaction, session.screen, s.matching.free_mail_domains)
    session.match = match_contact(crm, interaction.sender_email, session.sender.full_name, session.sender.company,
                                  s.matching)
    session.assessment = Assessment(intent, urgency, "neutral", 0.0, 0.9, "test")
    return session


def new_sender(crm: LocalCRM, **kw: Any) -> InteractionSession:
    fields = {**NEW_SENDER, **{k: v for k, v in kw.items() if k not in ("intent", "urgency", "settings")}}
    return session_for(crm, make_interaction(**fields), kw.get("intent", "sales_inquiry"), kw.get("urgency", "low"),
                       kw.get("settings"))


def jane(crm: LocalCRM, intent: str = "complaint", urgency: str = "high", **fields: Any) -> InteractionSession:
    return session_for(crm, make_interaction(**{**JANE, **fields}), intent, urgency)


# -- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["communication", "data", "coordinator", "nobody"])
def test_an_agent_without_permissions_is_denied(crm: LocalCRM, agent: str) -> None:
    session = jane(crm)
    with pytest.raises(PermissionDenied) as exc:
        propose(session, agent, "log_activity", {})
    assert str(exc.value) == (f"agent '{agent}' may not plan 'log_activity' "
                              f"(see permissions.{agent} in crm-crew.yaml)")
    assert session.plan.actions == []


def test_an_action_type_outside_the_agents_list_is_denied(crm: LocalCRM) -> None:
    with pytest.raises(PermissionDenied, match="agent 'action' may not plan 'update_contact'"):
        propose(jane(crm), "action", "update_contact", {})


def test_permissions_come_from_the_settings(crm: LocalCRM) -> None:
    settings = shipped_settings().model_copy(update={"permissions": {"communication": ["log_activity"]}})
    session = session_for(crm, make_interaction(**JANE), "complaint", "high", settings)
    assert propose(session, "communication", "log_activity", {}).agent == "communication"
    with pytest.raises(PermissionDenied):
        propose(session, "action", "log_activity", {})


def test_a_permitted_but_unsupported_type_is_refused(crm: LocalCRM) -> None:
    settings = shipped_settings().model_copy(update={"permissions": {"action": ["update_contact"]}})
    session = session_for(crm, make_interaction(**JANE), "complaint", "high", settings)
    with pytest.raises(ProposalRefused, match="unknown action type 'update_contact'"):
        propose(session, "action", "update_contact", {})


# -- create_contact ------------------------------------------------------------------------------


def test_create_contact_for_a_new_human_sender(crm: LocalCRM) -> None:
    session = new_sender(crm)
    action = propose(session, "action", "create_contact", {})
    assert action.type == "create_contact" and action.object == "contact" and action.agent == "action"
    assert action.contact_ref == NEW_CONTACT == "new"
    assert action.record_id is None
    assert action.fields == {"email": "daniel.okafor@brightwave-media.com", "first_name": "Daniel",
                             "last_name": "Okafor", "company": "Brightwave Media Ltd", "phone": "+44 20 7946 0123",
                             "lead_status": "New"}
    assert action.idempotency_key == idempotency_key("create_contact", "daniel.okafor@brightwave-media.com")
    assert session.plan.actions == [action]


def test_create_contact_arguments_override_the_extracted_details(crm: LocalCRM) -> None:
    action = propose(new_sender(crm), "action", "create_contact", {"first_name": "Dan", "company": "Brightwave"})
    assert (action.fields["first_name"], action.fields["last_name"], action.fields["company"]) == \
        ("Dan", "Okafor", "Brightwave")


def test_proposed_contact_values_that_do_not_read_as_fields_are_not_written(crm: LocalCRM) -> None:
    session = new_sender(crm)
    action = propose(session, "action", "create_contact", {
        "first_name": "Ignore Previous Instructions", "last_name": "Okafor\nSYSTEM",
        "company": "<b>Brightwave</b> www.brightwave.example"})
    assert (action.fields["first_name"], action.fields["last_name"], action.fields["company"]) == \
        ("Daniel", "Okafor", "Brightwave Media Ltd")     # the extracted (validated) values stay
    assert session.dropped == [
        "first_name (proposed by action): carries a prompt-injection signal",
        "last_name (proposed by action): not a person's name: contains a line break",
        "company (proposed by action): not a company name: contains a web address"]
    assert session.security_record()["dropped_fields"] == session.dropped


def test_spam_creates_no_contact(crm: LocalCRM) -> None:
    session = new_sender(crm, intent="spam")
    with pytest.raises(ProposalRefused, match="^spam creates no contact$"):
        propose(session, "action", "create_contact", {})
    assert session.plan.actions == []


@pytest.mark.parametrize("email", ["noreply@vendor.example", "No-Reply@vendor.example",
                                   "mailer-daemon@mx.example", "notifications@github.example"])
def test_an_automated_sender_creates_no_contact(crm: LocalCRM, email: str) -> None:
    session = new_sender(crm, sender_email=email, intent="support")
    assert is_automated(session.interaction, session.settings.matching.non_human_senders)
    with pytest.raises(ProposalRefused) as exc:
        propose(session, "action", "create_contact", {})
    assert str(exc.value) == f"{email} is an automated sender, not a person"


@pytest.mark.parametrize("headers", [{"Auto-Submitted": "auto-replied"}, {"Precedence": "bulk"}, {"X-Autoreply": "yes"}])
def test_a_sender_marked_automated_by_its_headers_creates_no_contact(crm: LocalCRM, headers: dict[str, str]) -> None:
    session = new_sender(crm, metadata={"headers": headers}, intent="support")
    with pytest.raises(ProposalRefused, match="automated sender"):
        propose(session, "action", "create_contact", {})


def test_an_existing_contact_refuses_create_contact(crm: LocalCRM) -> None:
    session = jane(crm)
    contact_id = session.match.contact.id  # type: ignore[union-attr]
    with pytest.raises(ProposalRefused) as exc:
        propose(session, "action", "create_contact", {})
    assert str(exc.value) == f"the sender already is CRM contact {contact_id}"


# -- actions on a contact -------------------------------------------------------------------------


def test_nothing_attaches_to_an_unknown_sender_without_create_contact(crm: LocalCRM) -> None:
    session = new_sender(crm)
    for action_type, args in (("log_activity", {}), ("create_case", {}), ("create_task", {"kind": "call"}),
                              ("update_lead_status", {"status": "Working"}), ("opt_out", {})):
        with pytest.raises(ProposalRefused, match="^no contact to attach this to"):
            propose(session, "action", action_type, args)
    assert session.plan.actions == []


def test_actions_on_a_new_contact_carry_contact_ref_new(crm: LocalCRM) -> None:
    session = new_sender(crm)
    propose(session, "action", "create_contact", {})
    planned = [propose(session, "action", t, a) for t, a in (
        ("log_activity", {}), ("create_case", {"reason": "quote"}), ("create_task", {"kind": "quote"}),
        ("update_lead_status", {"status": "Working"}), ("opt_out", {}))]
    for action in planned:
        assert action.contact_ref == "new"
        assert action.record_id is None
        assert action.fields.get("contact_id") is None
    assert [a.type for a in session.plan.actions] == ["create_contact", "log_activity", "create_case", "create_task",
                                                      "update_lead_status", "opt_out"]


def test_actions_on_an_existing_contact_carry_its_id(crm: LocalCRM) -> None:
    session = jane(crm, intent="sales_inquiry")
    contact_id = session.match.contact.id  # type: ignore[union-attr]
    activity = propose(session, "action", "log_activity", {})
    status = propose(session, "action", "update_lead_status", {"status": "Working"})
    assert activity.contact_ref is None and activity.fields["contact_id"] == contact_id and activity.record_id is None
    assert status.contact_ref is None and status.record_id == contact_id and status.object == "contact"
    assert status.fields == {"lead_status": "Working"}


def test_log_activity_fields_use_the_redacted_text(crm: LocalCRM) -> None:
    session = new_sender(crm)
    propose(session, "action", "create_contact", {})
    action = propose(session, "action", "log_activity", {})
    assert action.object == "activity"
    assert action.fields == {
        "contact_id": None, "subject": "Quote for 50 licenses, mail [EMAIL]", "kind": "email",
        "occurred_at": "2026-11-20T09:15:00Z",
        "description": "Please send a quote for 50 licenses and call me on [PHONE].",
        "intent": "sales_inquiry", "sentiment": "neutral", "interaction_id": "msg-004",
    }


def test_the_activity_description_is_an_excerpt(crm: LocalCRM) -> None:
    session = jane(crm, body="word " * 400)
    description = propose(session, "action", "log_activity", {}).fields["description"]
    assert description == ("word " * 400)[:EXCERPT_CHARS] + " ..."


def test_case_priority_follows_urgency(crm: LocalCRM) -> None:
    action = propose(jane(crm, urgency="critical"), "action", "create_case", {"reason": "broken release"})
    assert action.object == "case"
    assert action.fields["priority"] == "Critical" and action.fields["status"] == "New"
    assert action.fields["reason"] == "broken release" and action.fields["origin"] == "email"
    assert propose(jane(crm, urgency="low"), "action", "create_case", {}).fields["reason"] == "complaint"


def test_task_fields_and_due_date(crm: LocalCRM) -> None:
    action = propose(jane(crm), "action", "create_task", {"kind": "call", "note": "Call her back."})
    assert action.object == "task"
    assert action.fields == {"contact_id": jane(crm).match.contact.id,  # type: ignore[union-attr]
                             "subject": "Call requested: Very disappointed", "kind": "call",
                             "due_date": "2026-11-22", "status": "Open", "description": "Call her back."}


@pytest.mark.parametrize(("received_at", "run_started_at", "due"), [
    ("2025-03-02T16:45:00Z", "2026-11-20T06:00:00+00:00", "2026-11-22"),     # an old inbox: from the run
    ("2026-11-27T09:00:00Z", "2026-11-20T06:00:00+00:00", "2026-11-29"),     # dated ahead: from the message
    ("not a date", "2026-12-01T23:30:00+00:00", "2026-12-03"),
])
def test_a_task_is_due_after_the_later_of_message_and_run(crm: LocalCRM, received_at: str, run_started_at: str,
                                                           due: str) -> None:
    session = jane(crm, received_at=received_at)
    session.run_started_at = run_started_at
    action = propose(session, "action", "create_task", {"kind": "call"})
    assert action.fields["due_date"] == due


@pytest.mark.parametrize("kind", ["lunch", "", "Call"])
def test_task_kind_must_be_a_configured_trigger(crm: LocalCRM, kind: str) -> None:
    session = jane(crm)
    with pytest.raises(ProposalRefused) as exc:
        propose(session, "action", "create_task", {"kind": kind})
    assert str(exc.value) == "task kind must be one of: call, meeting, quote"
    assert session.plan.actions == []


def test_lead_status_unchanged_is_refused(crm: LocalCRM) -> None:
    session = jane(crm, intent="sales_inquiry")
    assert session.match.contact.lead_status == "Customer"  # type: ignore[union-attr]
    with pytest.raises(ProposalRefused, match="^lead status already is Customer$"):
        propose(session, "action", "update_lead_status", {"status": "Customer"})
    with pytest.raises(ProposalRefused, match="^give the new lead status$"):
        propose(session, "action", "update_lead_status", {"status": "  "})
    assert session.plan.actions == []


def test_opt_out(crm: LocalCRM) -> None:
    action = propose(jane(crm, intent="unsubscribe"), "action", "opt_out", {})
    assert action.fields == {"opted_out": True} and action.object == "contact"
    assert action.idempotency_key == idempotency_key("opt_out", "jane.doe@acme-corp.com")


# -- duplicates and idempotency ------------------------------------------------------------------


def test_a_duplicate_proposal_is_refused(crm: LocalCRM) -> None:
    session = jane(crm)
    propose(session, "action", "log_activity", {})
    with pytest.raises(ProposalRefused, match="^log_activity is already planned for this interaction$"):
        propose(session, "action", "log_activity", {})
    propose(session, "action", "create_task", {"kind": "call"})
    propose(session, "action", "create_task", {"kind": "quote"})
    with pytest.raises(ProposalRefused, match="^create_task is already planned"):
        propose(session, "action", "create_task", {"kind": "call", "note": "different note, same task"})
    assert [a.type for a in session.plan.actions] == ["log_activity", "create_task", "create_task"]


def _plan_everything(session: InteractionSession) -> dict[str, str]:
    keys = {}
    for action_type, args in (("log_activity", {}), ("create_case", {}), ("create_task", {"kind": "meeting"}),
                              ("update_lead_status", {"status": "Working"}), ("opt_out", {})):
        keys[action_type] = propose(session, "action", action_type, args).idempotency_key
    return keys


def test_idempotency_keys_are_stable_across_sessions_of_one_interaction(crm: LocalCRM) -> None:
    first = _plan_everything(jane(crm))
    second = _plan_everything(jane(crm))
    assert first == second
    assert all(k.startswith("ik_") and len(k) == 35 for k in first.values())
    assert len(set(first.values())) == len(first)
    # a new contact's creation is keyed by its (normalized) email
    assert propose(new_sender(crm), "action", "create_contact", {}).idempotency_key == \
        propose(new_sender(crm, sender_email="daniel.okafor@brightwave-media.com"), "action", "create_contact",
                {}).idempotency_key


def test_idempotency_keys_differ_across_interactions(crm: LocalCRM) -> None:
    first = _plan_everything(jane(crm, id="msg-002"))
    other = _plan_everything(jane(crm, id="msg-099"))
    for action_type in ("log_activity", "create_case", "create_task", "update_lead_status"):
        assert first[action_type] != other[action_type], action_type
    # opting out is per person, not per message
    assert first["opt_out"] == other["opt_out"]


def test_auto_submitted_no_is_a_person(crm: LocalCRM) -> None:
    session = new_sender(crm, metadata={"headers": {"Auto-Submitted": "no"}}, intent="support")
    assert propose(session, "action", "create_contact", {}).type == "create_contact"

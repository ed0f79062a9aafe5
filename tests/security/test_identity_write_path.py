"""The identity rule in the write path: the planner (crm_crew.pipeline.proposals via the plan tools)
and the applier (crm_crew.pipeline.apply), whichever route or agent proposes the change."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.connectors.local import LocalCRM
from crm_crew.models import Interaction
from crm_crew.pipeline.apply import Applier
from crm_crew.pipeline.identity import ABOUT_SOMEONE_ELSE, DIFFERENT_SENDER, LOOKALIKE_SENDER
from crm_crew.pipeline.matching import match_contact
from crm_crew.pipeline.proposals import propose
from crm_crew.pipeline.session import Assessment, InteractionSession
from crm_crew.pipeline.signature import extract_sender
from crm_crew.security.screen import screen
from crm_crew.store.base import ActionRow, RunInfo
from crm_crew.store.audit import AuditKey
from crm_crew.store.sqlite import SQLiteStore
from crm_crew.tools.registry import TOOLS
from crm_crew.tools.spec import ToolContext
from tests.unit_fixtures import Clock, make_interaction, shipped_settings

AMARA = "amara.okafor@quillbyte.io"
CHANGES = [("update_lead_status", {"status": "Churn risk"}), ("opt_out", {}),
           ("create_case", {"reason": "complaint"}), ("create_task", {"kind": "call"})]


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[LocalCRM]:
    db = LocalCRM(tmp_path / "crm.sqlite", clock=Clock())
    for email, first, last, company in ((AMARA, "Amara", "Okafor", "Quillbyte"),
                                        ("jonas.keller@kranich-ag.de", "Jonas", "Keller", "Kranich AG")):
        db.create("contact", {"email": email, "first_name": first, "last_name": last, "company": company,
                              "tier": "enterprise", "lead_status": "Customer"}, f"seed-{email}")
    yield db
    db.close()


def session_for(crm: LocalCRM, sender: str,
                body: str = "Please call me back about the renewal, and take me off the newsletter list.",
                signature: str = "Amara Okafor\nHead of IT, Quillbyte") -> InteractionSession:
    settings = shipped_settings()
    interaction: Interaction = make_interaction(sender_email=sender, sender_name="Amara Okafor", body=body,
                                                signature=signature, subject="Renewal")
    screened = screen(interaction, settings.security, settings.limits)
    session = InteractionSession(interaction, screened, settings, crm)
    session.sender = extract_sender(interaction, screened, settings.matching.free_mail_domains)
    session.match = match_contact(crm, sender, session.sender.full_name, session.sender.company, settings.matching)
    session.assessment = Assessment("sales_inquiry", "medium", "neutral", 0.0, 0.9, "test")
    return session


def plan_everything(session: InteractionSession) -> dict[str, str | None]:
    """Every action type through the planner, as the action agent would; type -> hold reason."""
    actions = [propose(session, "action", "log_activity", {})]
    actions += [propose(session, "action", kind, args) for kind, args in CHANGES]
    return {a.type: a.hold for a in actions}


@pytest.mark.parametrize("sender", [AMARA, "Amara.Okafor+renewals@QuillByte.io"])
def test_the_contacts_own_address_may_change_its_state(crm: LocalCRM, sender: str) -> None:
    session = session_for(crm, sender)
    assert session.match is not None and session.match.how == "email"
    assert plan_everything(session) == dict.fromkeys(["log_activity", *(k for k, _ in CHANGES)])
    opt_out = next(a for a in session.plan.actions if a.type == "opt_out")
    assert opt_out.expected == {"opted_out": False, "email": AMARA}


@pytest.mark.parametrize(("sender", "how", "reason"), [
    ("amara.okafor@quillbyte-support.io", "fuzzy", DIFFERENT_SENDER),        # a look-alike domain
    ("amara.quillbyte@gmail.com", "fuzzy", DIFFERENT_SENDER),                # free mail, the company in the signature
    ("amara.okafor@quillbyt\u0435.io", "lookalike", LOOKALIKE_SENDER),       # Cyrillic e
    ("amara.okafor@xn--" + codecs.encode("quillbyt\u0435", "punycode").decode() + ".io", "lookalike",
     LOOKALIKE_SENDER),
])
def test_another_address_links_the_activity_and_holds_every_state_change(crm: LocalCRM, sender: str, how: str,
                                                                         reason: str) -> None:
    session = session_for(crm, sender)
    assert session.match is not None and session.match.how == how
    assert session.match.contact is not None and session.match.contact.email == AMARA
    holds = plan_everything(session)
    assert holds == {"log_activity": None, **{kind: reason for kind, _ in CHANGES}}
    assert reason.startswith("sender address differs from the matched contact's")


def test_a_request_about_someone_else_holds_everything_even_from_the_own_address(crm: LocalCRM) -> None:
    session = session_for(crm, AMARA, body="Please unsubscribe my colleague Jonas Keller from your newsletter.")
    assert set(plan_everything(session).values()) == {ABOUT_SOMEONE_ELSE}


def _tool(session: InteractionSession, agent: str, tool: str, /, **args: Any) -> dict[str, Any]:
    spec = TOOLS[tool]
    return spec.run(ToolContext(agent, session), spec.args(**args))


def test_the_crew_tools_cannot_point_the_plan_at_someone_elses_record(crm: LocalCRM) -> None:
    session = session_for(crm, "mallory@quillbyte-support.io", signature="")
    refused = _tool(session, "data", "find_contact", email=AMARA)
    assert refused == {"error": "only the sender's own address can be looked up: leave `email` empty"}
    found = _tool(session, "data", "find_contact", name="Amara Okafor", company="Quillbyte")
    assert found["found"] and found["match"] == "fuzzy" and found["sender_is_this_contact"] is False
    planned = _tool(session, "action", "plan_opt_out")
    assert planned == {"planned": True, "type": "opt_out", "fields": {"opted_out": True},
                       "held_for_review": DIFFERENT_SENDER}


# -- the applier -------------------------------------------------------------------------------------


def test_an_update_is_not_written_once_the_contact_no_longer_has_the_senders_address(crm: LocalCRM,
                                                                                      tmp_path: Path) -> None:
    session = session_for(crm, AMARA)
    action = propose(session, "action", "opt_out", {})
    assert action.hold is None and action.record_id is not None
    crm.update("contact", action.record_id, {"email": "amara.okafor@quillbyte.com"})   # the address moved on
    store = SQLiteStore(tmp_path / "journal.sqlite")
    try:
        store.create_run(RunInfo("r1", "2026-11-20T10:00:00+00:00", None, "running", "apply", ["in.jsonl"],
                                 "config", "local"))
        row = ActionRow("r1", "msg-1", 1, action.type, action.object, action.fields, action.idempotency_key,
                        action.agent, action.record_id, action.contact_ref, "planned", None, action.expected)
        store.save_result("r1", {"interaction_id": "msg-1", "status": "processed"}, [row])
        Applier(store, crm, "r1", AuditKey("test-audit-key-0123456789abcdef"), "tester").apply_interaction([row])
    finally:
        store.close()
    assert row.status == "skipped" and row.note is not None and "email is now" in row.note
    contact = crm.get_contact(action.record_id)
    assert contact is not None and contact.opted_out is False

"""The applying half of the write path (crm_crew.pipeline.apply.Applier): SQLite journal + local CRM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.connectors.local import LocalCRM
from crm_crew.pipeline.apply import Applier
from crm_crew.pipeline.plan import NEW_CONTACT, idempotency_key
from crm_crew.store.base import ActionRow, RunInfo
from crm_crew.store.audit import AuditKey
from crm_crew.store.sqlite import SQLiteStore

KEY = AuditKey("test-audit-key-0123456789abcdef")
from tests.unit_fixtures import crm  # noqa: F401  (fixture)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    db = SQLiteStore(tmp_path / "journal.sqlite")
    yield db
    db.close()


def start_run(store: SQLiteStore, run_id: str) -> None:
    store.create_run(RunInfo(run_id, f"2026-11-20T10:00:0{run_id[-1]}+00:00", None, "running", "apply",
                             ["inbox.jsonl"], "config", "local"))


def row(run_id: str, interaction_id: str, seq: int, type_: str, obj: str, fields: dict[str, Any], *,
        contact_ref: str | None = None, record_id: str | None = None, status: str = "planned",
        key: str | None = None) -> ActionRow:
    return ActionRow(run_id, interaction_id, seq, type_, obj, fields,
                     key or idempotency_key(type_, interaction_id, str(seq)), "action", record_id, contact_ref,
                     status, None if status != "held" else "held for review: Urgency is critical.")


def journal(store: SQLiteStore, run_id: str, interaction_id: str, rows: list[ActionRow]) -> list[ActionRow]:
    store.save_result(run_id, {"interaction_id": interaction_id, "status": "processed"}, rows)
    return rows


def jane_id(crm: LocalCRM) -> str:
    contact = crm.find_contact_by_email("jane.doe@acme-corp.com")
    assert contact is not None
    return contact.id


def existing_contact_rows(crm: LocalCRM, run_id: str, interaction_id: str = "msg-002") -> list[ActionRow]:
    cid = jane_id(crm)
    return [
        row(run_id, interaction_id, 1, "log_activity", "activity",
            {"contact_id": cid, "subject": "Very disappointed", "kind": "email", "occurred_at": "2026-11-20T08:30:00Z",
             "description": "It broke.", "intent": "complaint", "sentiment": "negative",
             "interaction_id": interaction_id}),
        row(run_id, interaction_id, 2, "create_case", "case",
            {"contact_id": cid, "subject": "Very disappointed", "description": "It broke.", "priority": "High",
             "status": "New", "origin": "email", "reason": "complaint"}),
        row(run_id, interaction_id, 3, "update_lead_status", "contact", {"lead_status": "Working"}, record_id=cid),
    ]


def new_contact_rows(run_id: str, interaction_id: str = "msg-004") -> list[ActionRow]:
    email = "daniel.okafor@brightwave-media.com"
    return [
        row(run_id, interaction_id, 1, "create_contact", "contact",
            {"email": email, "first_name": "Daniel", "last_name": "Okafor", "company": "Brightwave Media Ltd",
             "phone": "+44 20 7946 0123", "lead_status": "New"},
            contact_ref=NEW_CONTACT, key=idempotency_key("create_contact", email)),
        row(run_id, interaction_id, 2, "log_activity", "activity",
            {"contact_id": None, "subject": "Quote", "kind": "email", "occurred_at": "2026-11-20T09:15:00Z",
             "description": "Send a quote.", "intent": "sales_inquiry", "sentiment": "neutral",
             "interaction_id": interaction_id}, contact_ref=NEW_CONTACT, key=idempotency_key("log_activity", interaction_id)),
        row(run_id, interaction_id, 3, "update_lead_status", "contact", {"lead_status": "Working"},
            contact_ref=NEW_CONTACT, key=idempotency_key("update_lead_status", interaction_id, "Working")),
    ]


# -- applying --------------------------------------------------------------------------------


def test_apply_creates_the_records_and_journals_them(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    rows = journal(store, "run-1", "msg-002", existing_contact_rows(crm, "run-1"))
    before = crm.counts()
    Applier(store, crm, "run-1", KEY, "tester").apply_interaction(rows)

    assert [r.status for r in rows] == ["applied", "applied", "applied"]
    assert all(r.note is None for r in rows)
    assert rows[0].record_id.startswith("A-") and rows[1].record_id.startswith("K-")  # type: ignore[union-attr]
    assert rows[2].record_id == jane_id(crm)
    assert crm.counts() == {**before, "activities": before["activities"] + 1, "cases": before["cases"] + 1}
    assert crm.get_contact(jane_id(crm)).lead_status == "Working"  # type: ignore[union-attr]
    for r in rows:
        assert store.applied_record(r.idempotency_key, crm.target) == (r.record_id, "run-1")
    assert [(r.status, r.record_id) for r in store.actions("run-1", "msg-002")] == \
        [(r.status, r.record_id) for r in rows]


def test_applying_the_same_keys_again_skips_them(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    first = journal(store, "run-1", "msg-002", existing_contact_rows(crm, "run-1"))
    Applier(store, crm, "run-1", KEY, "tester").apply_interaction(first)
    counts = crm.counts()

    start_run(store, "run-2")
    again = journal(store, "run-2", "msg-002", existing_contact_rows(crm, "run-2"))
    Applier(store, crm, "run-2", KEY, "tester").apply_interaction(again)
    assert [r.status for r in again] == ["skipped", "skipped", "skipped"]
    assert all(r.note == "already applied in run run-1" for r in again)
    assert [r.record_id for r in again] == [r.record_id for r in first]
    assert crm.counts() == counts
    assert [r.status for r in store.actions("run-2")] == ["skipped"] * 3
    assert store.applied_record(first[0].idempotency_key, crm.target) == (first[0].record_id, "run-1")


def test_rows_already_applied_are_left_alone(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    rows = journal(store, "run-1", "msg-002", existing_contact_rows(crm, "run-1"))
    applier = Applier(store, crm, "run-1", KEY, "tester")
    applier.apply_interaction(rows)
    counts = crm.counts()
    reread = store.actions("run-1", "msg-002")
    applier.apply_interaction(reread)
    assert [r.status for r in reread] == ["applied"] * 3 and all(r.note is None for r in reread)
    assert crm.counts() == counts


def test_create_contact_then_dependent_actions_use_the_new_id(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    rows = journal(store, "run-1", "msg-004", new_contact_rows("run-1"))
    Applier(store, crm, "run-1", KEY, "tester").apply_interaction(rows)

    assert [r.status for r in rows] == ["applied", "applied", "applied"]
    new_id = rows[0].record_id
    contact = crm.find_contact_by_email("daniel.okafor@brightwave-media.com")
    assert contact is not None and contact.id == new_id and contact.lead_status == "Working"
    assert rows[1].fields["contact_id"] == new_id
    assert rows[2].record_id == new_id
    [activity] = crm.recent_activities(new_id)  # type: ignore[arg-type]
    assert activity.id == rows[1].record_id and activity.subject == "Quote"
    assert store.actions("run-1", "msg-004")[1].fields["contact_id"] == new_id


def test_a_skipped_create_contact_still_resolves_its_dependents(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    Applier(store, crm, "run-1", KEY, "tester").apply_interaction(journal(store, "run-1", "msg-004", new_contact_rows("run-1")))
    created = crm.find_contact_by_email("daniel.okafor@brightwave-media.com").id  # type: ignore[union-attr]

    # A second message from the same new sender plans the same create_contact (keyed by email).
    start_run(store, "run-2")
    rows = journal(store, "run-2", "msg-005", new_contact_rows("run-2", "msg-005"))
    Applier(store, crm, "run-2", KEY, "tester").apply_interaction(rows)
    assert [r.status for r in rows] == ["skipped", "applied", "applied"]
    assert rows[0].record_id == created and rows[0].note == "already applied in run run-1"
    assert rows[1].fields["contact_id"] == created
    assert len(crm.recent_activities(created)) == 2


def test_held_rows_are_never_applied(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    rows = new_contact_rows("run-1")
    for r in rows:
        r.status, r.note = "held", "held for review: Urgency is critical."
    journal(store, "run-1", "msg-004", rows)
    counts = crm.counts()
    Applier(store, crm, "run-1", KEY, "tester").apply_interaction(rows)
    assert [r.status for r in rows] == ["held"] * 3
    assert all(r.record_id is None for r in rows)
    assert crm.counts() == counts
    assert all(store.applied_record(r.idempotency_key, crm.target) is None for r in rows)
    assert [r.status for r in store.actions("run-1")] == ["held"] * 3


def test_a_connector_error_fails_that_action_and_the_rest_continue(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    rows = existing_contact_rows(crm, "run-1")
    rows[0].fields["contact_id"] = "C-00000000"
    journal(store, "run-1", "msg-002", rows)
    Applier(store, crm, "run-1", KEY, "tester").apply_interaction(rows)

    assert [r.status for r in rows] == ["failed", "applied", "applied"]
    assert rows[0].note == "contact C-00000000 does not exist" and rows[0].record_id is None
    assert store.applied_record(rows[0].idempotency_key, crm.target) is None
    stored = store.actions("run-1", "msg-002")[0]
    assert (stored.status, stored.note) == ("failed", "contact C-00000000 does not exist")


def test_a_failed_action_is_retried_on_a_later_apply(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    rows = existing_contact_rows(crm, "run-1")
    rows[2] = row("run-1", "msg-002", 3, "update_lead_status", "contact", {"lead_status": "Working"},
                  record_id="C-00000000")
    journal(store, "run-1", "msg-002", rows)
    applier = Applier(store, crm, "run-1", KEY, "tester")
    applier.apply_interaction(rows)
    assert rows[2].status == "failed" and rows[2].note == "contact C-00000000 does not exist"

    reread = store.actions("run-1", "msg-002")
    reread[2].record_id = jane_id(crm)
    applier.apply_interaction(reread)
    assert [r.status for r in reread] == ["applied", "applied", "applied"]
    assert reread[2].note is None


def test_dependents_fail_when_the_new_contact_was_not_created(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "run-1")
    rows = new_contact_rows("run-1")
    rows[0].fields["email"] = "not-an-address"
    journal(store, "run-1", "msg-004", rows)
    counts = crm.counts()
    Applier(store, crm, "run-1", KEY, "tester").apply_interaction(rows)
    assert [r.status for r in rows] == ["failed", "failed", "failed"]
    assert rows[0].note == "contact email 'not-an-address' is not a valid email address"
    assert rows[1].note == rows[2].note == "the contact this action needs was not created"
    assert crm.counts() == counts


def test_a_record_changed_since_the_plan_is_not_overwritten(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "r1")
    cid = jane_id(crm)
    seen = crm.get_contact(cid)
    assert seen is not None and seen.lead_status == "Customer"
    crm.update("contact", cid, {"lead_status": "Qualified"})          # a salesperson moves the lead meanwhile
    status = row("r1", "msg-004", 1, "update_lead_status", "contact", {"lead_status": "Working"}, record_id=cid)
    status.expected = {"lead_status": "Customer"}
    opt = row("r1", "msg-004", 2, "opt_out", "contact", {"opted_out": True}, record_id=cid)
    opt.expected = {"opted_out": False}
    journal(store, "r1", "msg-004", [status, opt])
    Applier(store, crm, "r1", KEY, "tester").apply_interaction(store.actions("r1", "msg-004"))
    stored = {a.type: a for a in store.actions("r1", "msg-004")}
    assert stored["update_lead_status"].status == "skipped"
    assert stored["update_lead_status"].note == ("not overwritten: the record changed in the CRM since the plan "
                                                 "(lead_status is now 'Qualified')")
    assert stored["opt_out"].status == "applied" and stored["opt_out"].before == {"opted_out": False}
    after = crm.get_contact(cid)
    assert after is not None and after.lead_status == "Qualified" and after.opted_out is True


def test_a_change_someone_else_already_made_counts_as_done(crm: LocalCRM, store: SQLiteStore) -> None:
    start_run(store, "r1")
    cid = jane_id(crm)
    crm.update("contact", cid, {"opted_out": True})
    opt = row("r1", "msg-005", 1, "opt_out", "contact", {"opted_out": True}, record_id=cid)
    opt.expected = {"opted_out": False}
    journal(store, "r1", "msg-005", [opt])
    Applier(store, crm, "r1", KEY, "tester").apply_interaction(store.actions("r1", "msg-005"))
    stored = store.actions("r1", "msg-005")[0]
    assert (stored.status, stored.note) == ("skipped", "already so in the CRM (changed by someone else since the plan)")

"""The Store contract: what every backend (SQLite, PostgreSQL) must do alike.

A backend's test module star-imports this and defines the fixture `reopen`: a function that opens
a new store object on that test's storage (the same storage on every call).
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest

from crm_crew.mail.outbox import ACCEPTED, SENDING, OutboxRow
from crm_crew.store.audit import AuditEntry, AuditKey, VerifyResult, verify_chain
from crm_crew.store.base import ActionRow, Outcome, ReviewItem, RunInfo, Store
from crm_crew.store.owners import process_owner
from crm_crew.store.seals import bad_seals

Opener = Callable[[], Store]
CRM = "local:/srv/crm-crew/crm.sqlite"     # the CRM target keys and claims belong to


@pytest.fixture
def store(reopen: Opener) -> Iterator[Store]:
    db = reopen()
    yield db
    db.close()


def info(run_id: str, started_at: str, **kw: Any) -> RunInfo:
    values: dict[str, Any] = {"finished_at": None, "status": "running", "mode": "shadow",
                              "sources": ["inbox.jsonl"], "config_dir": "config", "crm_type": "local"}
    values.update(kw)
    return RunInfo(run_id=run_id, started_at=started_at, **values)


def action(run_id: str, interaction_id: str, seq: int, type_: str = "log_activity", *, status: str = "planned",
           record_id: str | None = None, note: str | None = None, obj: str = "activity") -> ActionRow:
    return ActionRow(run_id, interaction_id, seq, type_, obj, {"subject": f"{interaction_id}/{seq}"},
                     f"ik_{run_id}_{interaction_id}_{seq}", "action", record_id, None, status, note)


def result(interaction_id: str, status: str = "processed", **extra: Any) -> dict[str, Any]:
    return {"interaction_id": interaction_id, "status": status, "intent": "support", **extra}


# -- runs --------------------------------------------------------------------------------------


def test_round_trips_a_run(store: Store) -> None:
    run = info("run-a", "2026-11-20T10:00:00+00:00", sources=["a.jsonl", "b.mbox"], summary={"x": 1})
    store.create_run(run)
    assert store.get_run("run-a") == run
    assert store.get_run("nope") is None


def test_runs_are_listed_newest_first(store: Store) -> None:
    store.create_run(info("run-b", "2026-11-20T10:00:02+00:00"))
    store.create_run(info("run-a", "2026-11-20T10:00:01+00:00"))
    store.create_run(info("run-d", "2026-11-21T09:00:00+00:00"))
    store.create_run(info("run-c", "2026-11-20T10:00:03+00:00"))
    assert [r.run_id for r in store.list_runs()] == ["run-d", "run-c", "run-b", "run-a"]
    assert [r.run_id for r in store.list_runs(limit=2)] == ["run-d", "run-c"]


def test_runs_started_at_the_same_time_list_the_last_created_first(store: Store) -> None:
    for run_id in ("run-1", "run-2", "run-3"):
        store.create_run(info(run_id, "2026-11-20T10:00:00+00:00"))
    assert [r.run_id for r in store.list_runs()] == ["run-3", "run-2", "run-1"]


def test_finish_and_update_summary(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.update_summary("run-a", {"interactions": 3})
    run = store.get_run("run-a")
    assert run is not None and run.summary == {"interactions": 3} and run.status == "running"
    store.finish_run("run-a", "finished", {"interactions": 4, "by_status": {"processed": 4}})
    run = store.get_run("run-a")
    assert run is not None
    assert run.status == "finished" and run.finished_at is not None and run.finished_at >= run.started_at
    assert run.summary == {"interactions": 4, "by_status": {"processed": 4}}


def test_a_runs_message_batches_are_journaled_once_each_in_order(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    assert store.llm_batches("run-a") == []
    for batch_id in ("msgbatch_1", "msgbatch_2", "msgbatch_1"):   # a repeated id is kept once
        store.add_llm_batch("run-a", batch_id, 10)
    store.add_llm_batch("run-b", "msgbatch_3", 1)
    assert store.llm_batches("run-a") == ["msgbatch_1", "msgbatch_2"]
    assert store.llm_batches("run-b") == ["msgbatch_3"]


def test_an_imap_folders_cursor_is_kept_per_mailbox_and_replaced(store: Store) -> None:
    assert store.mail_cursor("ops@mail.example:993/INBOX") is None
    store.set_mail_cursor("ops@mail.example:993/INBOX", 1_700_000_000, 41)
    store.set_mail_cursor("ops@mail.example:993/Support", 7, 3)
    store.set_mail_cursor("ops@mail.example:993/INBOX", 1_700_000_000, 42)
    assert store.mail_cursor("ops@mail.example:993/INBOX") == (1_700_000_000, 42)
    store.set_mail_cursor("ops@mail.example:993/INBOX", 4_294_967_295, 0)    # a new UIDVALIDITY starts over
    assert store.mail_cursor("ops@mail.example:993/INBOX") == (4_294_967_295, 0)
    assert store.mail_cursor("ops@mail.example:993/Support") == (7, 3)


def test_the_outbox_keeps_a_reply_by_message_id_and_counts_per_recipient_and_run(store: Store) -> None:
    mid = "<crm-crew.0a1b@replies.example>"
    assert store.outbox_row(mid) is None
    store.put_outbox(OutboxRow(mid, "ik_0a1b", "run-a", "m-1", "ana@example.org", "send", SENDING))
    first = store.outbox_row(mid)
    assert first is not None and first.status == SENDING and first.created_at
    store.put_outbox(OutboxRow(mid, "ik_0a1b", "run-a", "m-1", "ana@example.org", "send", ACCEPTED,
                               created_at=first.created_at))
    after = store.outbox_row(mid)
    assert after is not None and (after.status, after.created_at) == (ACCEPTED, first.created_at)
    store.put_outbox(OutboxRow("<crm-crew.2@replies.example>", "ik_2", "run-b", "m-2", "ana@example.org", "draft",
                               ACCEPTED))
    assert store.outbox_count("ana@example.org", "2000-01-01T00:00:00+00:00") == 2
    assert store.outbox_count("ana@example.org", "2999-01-01T00:00:00+00:00") == 0
    assert store.outbox_count("bo@example.org", "2000-01-01T00:00:00+00:00") == 0
    assert (store.outbox_run_count("run-a"), store.outbox_run_count("run-c")) == (1, 0)
    store.drop_outbox(mid)
    assert store.outbox_row(mid) is None


def test_a_reply_in_doubt_is_listed_and_settled_once(store: Store) -> None:
    for n, status in ((1, SENDING), (2, SENDING), (3, ACCEPTED)):
        store.put_outbox(OutboxRow(f"<r{n}@replies.example>", f"ik_{n}", "run-a" if n < 3 else "run-b", f"m-{n}",
                                   "ana@example.org", "send", status))
    assert [r.message_id for r in store.outbox_rows(SENDING)] == ["<r1@replies.example>", "<r2@replies.example>"]
    assert [r.message_id for r in store.outbox_rows(run_id="run-b")] == ["<r3@replies.example>"]
    assert len(store.outbox_rows()) == 3 and len(store.outbox_rows(limit=1)) == 1
    assert store.settle_outbox("<r1@replies.example>", delivered=True)
    assert not store.settle_outbox("<r1@replies.example>", delivered=False)      # no longer in doubt
    assert store.outbox_row("<r1@replies.example>").status == ACCEPTED  # type: ignore[union-attr]
    assert store.settle_outbox("<r2@replies.example>", delivered=False)
    assert store.outbox_row("<r2@replies.example>") is None
    assert not store.settle_outbox("<r3@replies.example>", delivered=True)       # accepted by the server


# -- results and actions -------------------------------------------------------------------------


def test_results_come_back_in_order_composed_with_their_actions(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.save_result("run-a", result("msg-2", actions=[{"stale": True}]),
                      [action("run-a", "msg-2", 1), action("run-a", "msg-2", 2, "create_case", obj="case")])
    store.save_result("run-a", result("msg-1", "rejected", error="bad"), [])
    store.save_result("run-a", result("msg-3", "escalated"),
                      [action("run-a", "msg-3", 1, status="held", note="held for review: Urgency is critical.")])
    records = list(store.results("run-a"))
    assert [r["interaction_id"] for r in records] == ["msg-2", "msg-1", "msg-3"]
    assert records[0]["actions"] == [
        {"type": "log_activity", "object": "activity", "record_id": None, "fields": {"subject": "msg-2/1"},
         "status": "planned"},
        {"type": "create_case", "object": "case", "record_id": None, "fields": {"subject": "msg-2/2"},
         "status": "planned"},
    ]
    assert records[1] == {"interaction_id": "msg-1", "status": "rejected", "intent": "support", "error": "bad",
                          "actions": []}
    assert records[2]["actions"][0]["note"] == "held for review: Urgency is critical."
    assert list(store.results("other-run")) == []


def test_results_show_the_current_state_of_actions(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    rows = [action("run-a", "msg-1", 1)]
    store.save_result("run-a", result("msg-1"), rows)
    rows[0].status, rows[0].record_id, rows[0].fields = "applied", "A-12345678", {"subject": "s", "contact_id": "C-1"}
    store.update_action(rows[0])
    [record] = store.results("run-a")
    assert record["actions"] == [{"type": "log_activity", "object": "activity", "record_id": "A-12345678",
                                  "fields": {"subject": "s", "contact_id": "C-1"}, "status": "applied"}]


def test_a_created_contact_gets_its_id_in_the_result(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    rows = [action("run-a", "msg-4", 1, "create_contact", obj="contact"), action("run-a", "msg-4", 2)]
    contact = {"id": None, "email": "daniel@brightwave.example", "match": "created"}
    store.save_result("run-a", result("msg-4", contact=contact), rows)
    assert next(store.results("run-a"))["contact"] == contact
    rows[0].status, rows[0].record_id = "applied", "C-0000abcd"
    store.update_action(rows[0])
    assert next(store.results("run-a"))["contact"] == {**contact, "id": "C-0000abcd"}


def test_actions_by_run_and_by_interaction(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.save_result("run-a", result("msg-2"), [action("run-a", "msg-2", 2), action("run-a", "msg-2", 1)])
    store.save_result("run-a", result("msg-1"), [action("run-a", "msg-1", 1)])
    assert [(a.interaction_id, a.seq) for a in store.actions("run-a")] == [("msg-2", 1), ("msg-2", 2), ("msg-1", 1)]
    [only] = store.actions("run-a", "msg-1")
    assert only == action("run-a", "msg-1", 1)
    assert store.actions("run-a", "missing") == []


def test_result_order_continues_after_reopening(reopen: Opener) -> None:
    first = reopen()
    first.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    first.save_result("run-a", result("msg-1"), [])
    first.save_result("run-a", result("msg-2"), [])
    first.close()
    second = reopen()
    try:
        second.save_result("run-a", result("msg-3"), [])
        assert [r["interaction_id"] for r in second.results("run-a")] == ["msg-1", "msg-2", "msg-3"]
    finally:
        second.close()


# -- applied keys ------------------------------------------------------------------------------


def _mark(store: Store, key: str, record_id: str, run_id: str) -> None:
    row = ActionRow(run_id, "msg-1", 1, "log_activity", "activity", {}, key, "action", record_id, None, "applied", None)
    store.record([Outcome(row, mark_applied=True, target=CRM)], None)


def test_applied_keys(store: Store) -> None:
    assert store.applied_record("ik_1", CRM) is None
    _mark(store, "ik_1", "A-00000001", "run-a")
    assert store.applied_record("ik_1", CRM) == ("A-00000001", "run-a")
    _mark(store, "ik_1", "A-99999999", "run-b")  # the first application is the one remembered
    assert store.applied_record("ik_1", CRM) == ("A-00000001", "run-a")
    assert store.applied_record("ik_2", CRM) is None


def test_applied_keys_outlive_the_store_object(reopen: Opener) -> None:
    db = reopen()
    _mark(db, "ik_1", "K-00000001", "run-a")
    db.close()
    db = reopen()
    try:
        assert db.applied_record("ik_1", CRM) == ("K-00000001", "run-a")
    finally:
        db.close()


# -- claims ------------------------------------------------------------------------------------


def test_a_claim_held_by_a_live_process_is_busy_for_others(store: Store) -> None:
    me = process_owner()
    assert store.claim("ik_1", "run-a", me, 300, CRM).state == "claimed"
    assert store.claim("ik_1", "run-a", me, 300, CRM).state == "claimed"          # the holder may claim again
    other = store.claim("ik_1", "run-b", "another-host:1", 300, CRM)
    assert (other.state, other.run_id, other.owner) == ("busy", "run-a", me)
    store.release("ik_1", me, CRM)
    assert store.claim("ik_1", "run-b", "another-host:1", 300, CRM).state == "claimed"


def test_a_dead_processs_claim_is_taken_over_at_once(store: Store) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.claim("ik_1", "run-a", f"{socket.gethostname()}:{dead.pid}", 300, CRM)
    assert store.claim("ik_1", "run-b", process_owner(), 300, CRM).state == "claimed"


def test_another_machines_claim_is_taken_over_when_its_lease_expires(store: Store) -> None:
    store.claim("ik_1", "run-a", "another-host:1", 300, CRM)
    assert store.claim("ik_1", "run-b", process_owner(), 300, CRM).state == "busy"
    assert store.claim("ik_1", "run-b", process_owner(), 0, CRM).state == "claimed"


def test_an_applied_key_answers_applied_and_the_outcome_releases_the_claim(store: Store) -> None:
    me = process_owner()
    store.claim("ik_1", "run-a", me, 300, CRM)
    row = ActionRow("run-a", "msg-1", 1, "log_activity", "activity", {}, "ik_1", "action", "A-1", None, "applied", None)
    store.record([Outcome(row, mark_applied=True, release_owner=me, target=CRM)], None)
    claim = store.claim("ik_1", "run-b", "another-host:1", 300, CRM)
    assert (claim.state, claim.record_id, claim.run_id) == ("applied", "A-1", "run-a")


def test_a_forgotten_key_may_be_applied_again(store: Store) -> None:
    _mark(store, "ik_1", "A-1", "run-a")
    row = ActionRow("run-a", "msg-1", 1, "log_activity", "activity", {}, "ik_1", "action", "A-1", None,
                    "rolled_back", None)
    store.record([Outcome(row, forget_applied=True, target=CRM)], None)
    assert store.applied_record("ik_1", CRM) is None
    assert store.claim("ik_1", "run-b", process_owner(), 300, CRM).state == "claimed"
    [stored] = store.actions("run-a", "msg-1")
    assert stored.status == "rolled_back"


# -- journal edits ------------------------------------------------------------------------------


def test_result_ids_and_record_updates(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.save_result("run-a", result("msg-1", "escalated", reply={"text": "draft"}), [])
    store.save_result("run-a", result("msg-2"), [])
    assert store.result_ids("run-a") == {"msg-1", "msg-2"} and store.result_ids("run-b") == set()
    store.update_record("run-a", "msg-1", {"status": "processed", "reply": {"text": "approved"}})
    store.update_record("run-a", "missing", {"status": "processed"})
    assert [(r["status"], r.get("reply")) for r in store.results("run-a")] == [
        ("processed", {"text": "approved"}), ("processed", None)]


def test_update_actions_keeps_everything_an_action_carries(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    rows = [action("run-a", "msg-1", 1, "update_contact", obj="contact"), action("run-a", "msg-1", 2)]
    store.save_result("run-a", result("msg-1"), rows)
    rows[0].status, rows[0].record_id = "applied", "C-1"
    rows[0].expected, rows[0].before = {"lead_status": "New"}, {"lead_status": "New", "phone": None}
    rows[1].status, rows[1].note = "failed", "the CRM said no"
    store.update_actions(rows)
    assert store.actions("run-a", "msg-1") == rows


def test_a_finished_run_can_be_reopened(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.finish_run("run-a", "died", {})
    store.reopen_run("run-a")
    run = store.get_run("run-a")
    assert run is not None and (run.status, run.finished_at) == ("running", None)


# -- review queue ------------------------------------------------------------------------------


def review_item(run_id: str, interaction_id: str, reason: str = "Urgency is critical.",
                intent: str | None = "complaint") -> ReviewItem:
    return ReviewItem(0, run_id, interaction_id, "pending", reason, intent, "high", "2026-11-20T10:00:00+00:00",
                      {"interaction": {"id": interaction_id}, "reply": {"text": "draft"}})


def test_a_held_result_is_queued_for_review_with_its_context(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.save_result("run-a", result("msg-1", "escalated", escalation={"reason": "Legal threat."}, urgency="high"),
                      [action("run-a", "msg-1", 1, status="held")], review={"reasoning": "why"})
    [item] = store.list_reviews()
    assert (item.run_id, item.interaction_id, item.status, item.reason, item.intent, item.urgency, item.context) == \
        ("run-a", "msg-1", "pending", "Legal threat.", "support", "high", {"reasoning": "why"})
    assert store.get_review(item.review_id) == item
    assert store.get_review(item.review_id + 1000) is None


def test_reviews_are_queued_once_and_filtered(store: Store) -> None:
    first = store.add_review(review_item("run-a", "msg-1"))
    second = store.add_review(review_item("run-a", "msg-2", "Asked for a refund.", "billing"))
    assert first > 0 and second > first
    store.add_review(review_item("run-a", "msg-1", "Queued again."))   # the interaction is queued already
    store.add_review(review_item("run-b", "msg-1", intent=None))
    assert [(r.review_id, r.reason) for r in store.list_reviews()][:2] == [(first, "Urgency is critical."),
                                                                           (second, "Asked for a refund.")]
    assert len(store.list_reviews()) == 3
    assert [r.interaction_id for r in store.list_reviews(reason="REFUND")] == ["msg-2"]
    assert [r.interaction_id for r in store.list_reviews(intent="billing")] == ["msg-2"]
    assert [(r.run_id, r.interaction_id) for r in store.list_reviews(run_id="run-b")] == [("run-b", "msg-1")]


def _escalate(store: Store, run_id: str, interaction_id: str) -> dict[str, Any]:
    """Journal an escalated result of `interaction_id` in `run_id`; its stored record."""
    store.save_result(run_id, result(interaction_id, "escalated", escalation={"reason": "Mentions a lawyer."}),
                      [action(run_id, interaction_id, 1, status="held")], review={"reasoning": "legal"})
    return next(r for r in store.results(run_id) if r["interaction_id"] == interaction_id)


def test_a_message_run_again_refers_to_its_one_review_per_crm_target(store: Store) -> None:
    for run_id, target in (("mon", CRM), ("tue", CRM), ("wed", CRM), ("thu", "hubspot:portal-77")):
        store.create_run(info(run_id, f"2026-11-2{len(run_id)}T10:00:00+00:00", target=target))
    _escalate(store, "mon", "msg-7")
    [item] = store.list_reviews()
    again = _escalate(store, "tue", "msg-7")
    assert [r.review_id for r in store.list_reviews(status=None)] == [item.review_id]
    assert again["review"] == {"id": item.review_id, "status": "pending", "run_id": "mon", "earlier": True}
    assert again["actions"][0]["status"] == "held"

    assert store.decide_review(item.review_id, "rejected", "dana", "Spoofed sender.", None)
    third = _escalate(store, "wed", "msg-7")
    assert len(store.list_reviews(status=None)) == 1
    assert third["review"]["status"] == "rejected" and third["review"]["reason"] == "Spoofed sender."
    assert third["actions"][0]["status"] == "rejected"          # a rejected message does not come back
    assert "rejected earlier in review" in third["actions"][0]["note"]

    _escalate(store, "thu", "msg-7")                            # another CRM: its own review
    assert [r.run_id for r in store.list_reviews()] == ["thu"]


def test_a_review_is_decided_once(store: Store) -> None:
    review_id = store.add_review(review_item("run-a", "msg-1"))
    assert store.decide_review(review_id, "approved", "alice", "fine", {"text": "edited"})
    assert not store.decide_review(review_id, "rejected", "bob", None, None)
    item = store.get_review(review_id)
    assert item is not None
    assert (item.status, item.decided_by, item.decision_note, item.reply) == ("approved", "alice", "fine",
                                                                             {"text": "edited"})
    assert item.decided_at is not None
    assert store.list_reviews() == [] and [r.review_id for r in store.list_reviews(status=None)] == [review_id]
    assert not store.decide_review(review_id + 1000, "approved", "alice", None, None)


# -- audit trail ---------------------------------------------------------------------------------


AUDIT_KEY = AuditKey("contract-test-audit-key-0123456789")


def audit_entry(n: int, run_id: str = "run-1") -> AuditEntry:
    return AuditEntry(run_id, f"msg-{n:03d}", "alice", "action", "local", "update", "contact", f"C-{n}",
                      {"lead_status": "New"}, {"lead_status": f"Working {n}"}, "applied", detail=f"entry {n}")


def test_a_contacts_entries_include_the_records_attached_to_it(store: Store) -> None:
    def entry(operation: str, obj: str, record: str, before: dict[str, Any] | None,
              after: dict[str, Any] | None) -> Outcome:
        return Outcome(None, AuditEntry("run-1", "msg-001", "alice", "action", "local", operation, obj, record,
                                        before, after, "applied"))

    store.record([entry("create", "contact", "C-1", None, {"email": "a@x.org"}),
                  entry("create", "activity", "A-1", None, {"contact_id": "C-1", "subject": "hi"}),
                  entry("create", "task", "T-2", None, {"contact_id": "C-2"}),
                  entry("update", "task", "T-1", None, {"status": "Done"}),
                  entry("create", "case", "K-1", None, {"contact_id": "C-1"}),
                  entry("update", "case", "K-1", {"status": "New"}, {"status": "Closed"}),
                  entry("delete", "task", "T-1", {"contact_id": "C-1", "status": "Done"}, None)], AUDIT_KEY)
    assert [e.record_id for e in store.audit_entries(record_id="C-1", attached=True)] == \
        ["C-1", "A-1", "T-1", "K-1", "K-1", "T-1"]
    assert [e.record_id for e in store.audit_entries(record_id="C-1")] == ["C-1"]
    assert [e.record_id for e in store.audit_entries(record_id="K-1", attached=True)] == ["K-1", "K-1"]
    assert [e.seq for e in store.audit_entries(run_id="run-2", record_id="C-1", attached=True)] == []


def test_an_empty_trail_is_intact(store: Store) -> None:
    assert store.audit_head() is None
    assert verify_chain(AUDIT_KEY, store.audit_entries(), store.audit_head()) == VerifyResult(True, 0)


def test_audit_entries_are_chained_in_order_with_their_outcomes(store: Store) -> None:
    rows = [ActionRow("run-1", f"msg-{n:03d}", 1, "update_contact", "contact", {}, f"ik_{n}", "action", f"C-{n}",
                      None, "applied", None) for n in (1, 2, 3)]
    store.record([Outcome(rows[0], audit_entry(1), mark_applied=True, target=CRM), Outcome(rows[1], audit_entry(2))],
                 AUDIT_KEY)
    store.record([Outcome(rows[2], audit_entry(3, "run-2"))], AUDIT_KEY)
    entries = list(store.audit_entries())
    assert [e.seq for e in entries] == [1, 2, 3] and entries[0].prev_hash == "0" * 64
    assert entries[0] == replace(audit_entry(1), at=entries[0].at, seq=1, prev_hash="0" * 64, hash=entries[0].hash)
    assert verify_chain(AUDIT_KEY, entries, store.audit_head()) == VerifyResult(True, 3)
    assert [e.seq for e in store.audit_entries(run_id="run-2")] == [3]
    assert [e.seq for e in store.audit_entries(record_id="C-2")] == [2]
    assert [e.seq for e in store.audit_entries(run_id="run-1", record_id="C-3")] == []
    assert store.applied_record("ik_1", CRM) == ("C-1", "run-1") and store.applied_record("ik_2", CRM) is None


def test_audit_entries_need_the_key_and_nothing_is_stored_without_it(store: Store) -> None:
    row = ActionRow("run-1", "msg-001", 1, "log_activity", "activity", {}, "ik_1", "action", "A-1", None,
                    "applied", None)
    with pytest.raises(ValueError, match="audit key"):
        store.record([Outcome(row, audit_entry(1), mark_applied=True, target=CRM)], None)
    assert store.applied_record("ik_1", CRM) is None and store.audit_head() is None


# -- CRM targets, sealed rows, retried results --------------------------------------------------------

OTHER_CRM = "hubspot:https://api.hubapi.com#portal=40000001"


def test_keys_and_claims_belong_to_their_crm(store: Store) -> None:
    _mark(store, "ik_1", "A-1", "run-a")
    assert store.applied_record("ik_1", OTHER_CRM) is None
    assert store.claim("ik_1", "run-b", process_owner(), 300, OTHER_CRM).state == "claimed"
    assert store.claim("ik_1", "run-b", "another-host:1", 300, CRM).state == "applied"
    store.claim("ik_9", "run-b", "another-host:1", 300, CRM)
    assert store.claim("ik_9", "run-c", process_owner(), 300, OTHER_CRM).state == "claimed"   # not busy there
    row = ActionRow("run-a", "msg-1", 1, "log_activity", "activity", {}, "ik_1", "action", "A-1", None,
                    "rolled_back", None)
    store.record([Outcome(row, forget_applied=True, target=OTHER_CRM)], None)     # undone elsewhere: stays here
    assert store.applied_record("ik_1", CRM) == ("A-1", "run-a")


def test_a_run_keeps_the_crm_it_was_planned_against(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00", target=OTHER_CRM))
    run = store.get_run("run-a")
    assert run is not None and run.target == OTHER_CRM


def test_sealed_rows_carry_a_seal_of_everything_they_hold(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.save_result("run-a", result("msg-1"), [action("run-a", "msg-1", 1)])       # not sealed yet
    store.seal_with(AUDIT_KEY)
    store.save_result("run-a", result("msg-2"), [action("run-a", "msg-2", 1), action("run-a", "msg-2", 2)])
    rows = store.actions("run-a")
    assert [b.row.interaction_id for b in bad_seals(AUDIT_KEY, rows)] == ["msg-1"]
    rows[1].status = "held"
    store.update_actions([rows[1]])
    assert [b.row.interaction_id for b in bad_seals(AUDIT_KEY, store.actions("run-a", "msg-2"))] == []
    assert list(bad_seals(AuditKey("another-key-0123456789abc"), store.actions("run-a", "msg-2")))


def test_a_failed_result_is_worked_again_and_replaced(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.save_result("run-a", result("msg-1", "failed", error="ConnectorError: CRM read failed"), [])
    store.save_result("run-a", result("msg-2"), [])
    assert store.result_ids("run-a") == {"msg-2"} and not store.has_result("run-a", "msg-1")
    store.save_result("run-a", result("msg-1"), [action("run-a", "msg-1", 1)])
    assert [(r["interaction_id"], r["status"]) for r in store.results("run-a")] == [("msg-2", "processed"),
                                                                                   ("msg-1", "processed")]
    assert store.has_result("run-a", "msg-1")


def test_earlier_results_of_an_interaction_come_with_their_runs(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00", mode="apply"))
    store.create_run(info("run-b", "2026-11-21T10:00:00+00:00"))
    store.save_result("run-a", result("msg-1", fingerprint="f1"), [action("run-a", "msg-1", 1, status="applied")])
    store.save_result("run-b", result("msg-1"), [])
    found = store.earlier_results("msg-1", "run-b")
    assert [(run.run_id, run.mode, record["fingerprint"], [a["status"] for a in record["actions"]])
            for run, record in found] == [("run-a", "apply", "f1", ["applied"])]
    assert store.earlier_results("msg-9", "run-b") == []


def test_every_action_streams_and_entries_are_found_by_seq(store: Store) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    for n in range(1, 1203):
        store.save_result("run-a", result(f"msg-{n:05d}"), [action("run-a", f"msg-{n:05d}", 1)])
    assert [r.interaction_id for r in store.action_rows()] == [f"msg-{n:05d}" for n in range(1, 1203)]
    store.record([Outcome(None, audit_entry(1)), Outcome(None, audit_entry(2))], AUDIT_KEY)
    second = store.audit_entry(2)
    assert second is not None and second.seq == 2 and store.audit_entry(3) is None

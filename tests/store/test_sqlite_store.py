"""The SQLite run journal (crm_crew.store.sqlite.SQLiteStore)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.errors import CrmCrewError
from crm_crew.store.base import ActionRow, Outcome, RunInfo
from crm_crew.store.owners import process_owner
from crm_crew.store.sqlite import SQLiteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SQLiteStore]:
    db = SQLiteStore(tmp_path / "state" / "journal.sqlite")
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


def test_creates_its_folder_and_round_trips_a_run(store: SQLiteStore, tmp_path: Path) -> None:
    assert (tmp_path / "state" / "journal.sqlite").exists()
    run = info("run-a", "2026-11-20T10:00:00+00:00", sources=["a.jsonl", "b.mbox"], summary={"x": 1})
    store.create_run(run)
    assert store.get_run("run-a") == run
    assert store.get_run("nope") is None


def test_runs_are_listed_newest_first(store: SQLiteStore) -> None:
    store.create_run(info("run-b", "2026-11-20T10:00:02+00:00"))
    store.create_run(info("run-a", "2026-11-20T10:00:01+00:00"))
    store.create_run(info("run-d", "2026-11-21T09:00:00+00:00"))
    store.create_run(info("run-c", "2026-11-20T10:00:03+00:00"))
    assert [r.run_id for r in store.list_runs()] == ["run-d", "run-c", "run-b", "run-a"]
    assert [r.run_id for r in store.list_runs(limit=2)] == ["run-d", "run-c"]


def test_runs_started_at_the_same_time_list_the_last_created_first(store: SQLiteStore) -> None:
    for run_id in ("run-1", "run-2", "run-3"):
        store.create_run(info(run_id, "2026-11-20T10:00:00+00:00"))
    assert [r.run_id for r in store.list_runs()] == ["run-3", "run-2", "run-1"]


def test_finish_and_update_summary(store: SQLiteStore) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.update_summary("run-a", {"interactions": 3})
    run = store.get_run("run-a")
    assert run is not None and run.summary == {"interactions": 3} and run.status == "running"
    store.finish_run("run-a", "finished", {"interactions": 4, "by_status": {"processed": 4}})
    run = store.get_run("run-a")
    assert run is not None
    assert run.status == "finished" and run.finished_at is not None and run.finished_at >= run.started_at
    assert run.summary == {"interactions": 4, "by_status": {"processed": 4}}


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "journal.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CrmCrewError, match="cannot open the run journal .*journal.sqlite"):
        SQLiteStore(bad)


# -- results and actions -------------------------------------------------------------------------


def test_results_come_back_in_order_composed_with_their_actions(store: SQLiteStore) -> None:
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


def test_results_show_the_current_state_of_actions(store: SQLiteStore) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    rows = [action("run-a", "msg-1", 1)]
    store.save_result("run-a", result("msg-1"), rows)
    rows[0].status, rows[0].record_id, rows[0].fields = "applied", "A-12345678", {"subject": "s", "contact_id": "C-1"}
    store.update_action(rows[0])
    [record] = store.results("run-a")
    assert record["actions"] == [{"type": "log_activity", "object": "activity", "record_id": "A-12345678",
                                  "fields": {"subject": "s", "contact_id": "C-1"}, "status": "applied"}]


def test_a_created_contact_gets_its_id_in_the_result(store: SQLiteStore) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    rows = [action("run-a", "msg-4", 1, "create_contact", obj="contact"), action("run-a", "msg-4", 2)]
    contact = {"id": None, "email": "daniel@brightwave.example", "match": "created"}
    store.save_result("run-a", result("msg-4", contact=contact), rows)
    assert next(store.results("run-a"))["contact"] == contact
    rows[0].status, rows[0].record_id = "applied", "C-0000abcd"
    store.update_action(rows[0])
    assert next(store.results("run-a"))["contact"] == {**contact, "id": "C-0000abcd"}


def test_actions_by_run_and_by_interaction(store: SQLiteStore) -> None:
    store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    store.save_result("run-a", result("msg-2"), [action("run-a", "msg-2", 2), action("run-a", "msg-2", 1)])
    store.save_result("run-a", result("msg-1"), [action("run-a", "msg-1", 1)])
    assert [(a.interaction_id, a.seq) for a in store.actions("run-a")] == [("msg-2", 1), ("msg-2", 2), ("msg-1", 1)]
    [only] = store.actions("run-a", "msg-1")
    assert only == action("run-a", "msg-1", 1)
    assert store.actions("run-a", "missing") == []


def test_result_order_continues_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    first = SQLiteStore(path)
    first.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
    first.save_result("run-a", result("msg-1"), [])
    first.save_result("run-a", result("msg-2"), [])
    first.close()
    second = SQLiteStore(path)
    try:
        second.save_result("run-a", result("msg-3"), [])
        assert [r["interaction_id"] for r in second.results("run-a")] == ["msg-1", "msg-2", "msg-3"]
    finally:
        second.close()


# -- applied keys ------------------------------------------------------------------------------


def _mark(store: SQLiteStore, key: str, record_id: str, run_id: str) -> None:
    row = ActionRow(run_id, "msg-1", 1, "log_activity", "activity", {}, key, "action", record_id, None, "applied", None)
    store.record([Outcome(row, mark_applied=True)], None)


def test_applied_keys(store: SQLiteStore) -> None:
    assert store.applied_record("ik_1") is None
    _mark(store, "ik_1", "A-00000001", "run-a")
    assert store.applied_record("ik_1") == ("A-00000001", "run-a")
    _mark(store, "ik_1", "A-99999999", "run-b")  # the first application is the one remembered
    assert store.applied_record("ik_1") == ("A-00000001", "run-a")
    assert store.applied_record("ik_2") is None


def test_applied_keys_outlive_the_store_object(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    db = SQLiteStore(path)
    _mark(db, "ik_1", "K-00000001", "run-a")
    db.close()
    db = SQLiteStore(path)
    try:
        assert db.applied_record("ik_1") == ("K-00000001", "run-a")
    finally:
        db.close()


# -- claims ------------------------------------------------------------------------------------


def test_a_claim_held_by_a_live_process_is_busy_for_others(store: SQLiteStore) -> None:
    me = process_owner()
    assert store.claim("ik_1", "run-a", me, 300).state == "claimed"
    assert store.claim("ik_1", "run-a", me, 300).state == "claimed"          # the holder may claim again
    other = store.claim("ik_1", "run-b", "another-host:1", 300)
    assert (other.state, other.run_id, other.owner) == ("busy", "run-a", me)
    store.release("ik_1", me)
    assert store.claim("ik_1", "run-b", "another-host:1", 300).state == "claimed"


def test_a_dead_processs_claim_is_taken_over_at_once(store: SQLiteStore) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    store.claim("ik_1", "run-a", f"{socket.gethostname()}:{dead.pid}", 300)
    assert store.claim("ik_1", "run-b", process_owner(), 300).state == "claimed"


def test_another_machines_claim_is_taken_over_when_its_lease_expires(store: SQLiteStore) -> None:
    store.claim("ik_1", "run-a", "another-host:1", 300)
    assert store.claim("ik_1", "run-b", process_owner(), 300).state == "busy"
    assert store.claim("ik_1", "run-b", process_owner(), 0).state == "claimed"


def test_an_applied_key_answers_applied_and_the_outcome_releases_the_claim(store: SQLiteStore) -> None:
    me = process_owner()
    store.claim("ik_1", "run-a", me, 300)
    row = ActionRow("run-a", "msg-1", 1, "log_activity", "activity", {}, "ik_1", "action", "A-1", None, "applied", None)
    store.record([Outcome(row, mark_applied=True, release_owner=me)], None)
    claim = store.claim("ik_1", "run-b", "another-host:1", 300)
    assert (claim.state, claim.record_id, claim.run_id) == ("applied", "A-1", "run-a")

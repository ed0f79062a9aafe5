"""The SQLite run journal (crm_crew.store.sqlite.SQLiteStore): the Store contract, and what only a file has."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crm_crew.errors import CrmCrewError
from crm_crew.store.base import Store
from crm_crew.store.sqlite import SQLiteStore
from tests.store.store_contract import *  # noqa: F403  (the contract's tests and fixtures)
from tests.store.store_contract import Opener


@pytest.fixture
def reopen(tmp_path: Path) -> Opener:
    return lambda: SQLiteStore(tmp_path / "state" / "journal.sqlite")


def test_creates_its_folder(store: Store, tmp_path: Path) -> None:
    assert (tmp_path / "state" / "journal.sqlite").exists()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "journal.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CrmCrewError, match="cannot open the run journal .*journal.sqlite"):
        SQLiteStore(bad)


# The journal of crm-crew 0.1.0 (schema version 1): keys and claims without a CRM target, rows without seals.
JOURNAL_0_1 = """
CREATE TABLE runs (run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
  mode TEXT NOT NULL, sources TEXT NOT NULL, config_dir TEXT NOT NULL, crm_type TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '{}');
CREATE TABLE results (run_id TEXT NOT NULL, seq INTEGER NOT NULL, interaction_id TEXT NOT NULL, status TEXT NOT NULL,
  record TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE actions (run_id TEXT NOT NULL, interaction_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
  object TEXT NOT NULL, fields TEXT NOT NULL, idempotency_key TEXT NOT NULL, agent TEXT NOT NULL, record_id TEXT,
  contact_ref TEXT, status TEXT NOT NULL, note TEXT, expected TEXT, before TEXT,
  PRIMARY KEY (run_id, interaction_id, seq));
CREATE TABLE applied_keys (idempotency_key TEXT PRIMARY KEY, record_id TEXT NOT NULL, run_id TEXT NOT NULL,
  applied_at TEXT NOT NULL);
CREATE TABLE claims (idempotency_key TEXT PRIMARY KEY, run_id TEXT NOT NULL, owner TEXT NOT NULL,
  claimed_at REAL NOT NULL);
CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, run_id TEXT, interaction_id TEXT, actor TEXT NOT NULL,
  agent TEXT NOT NULL, connector TEXT NOT NULL, operation TEXT NOT NULL, object TEXT NOT NULL, record_id TEXT,
  before TEXT, after TEXT, outcome TEXT NOT NULL, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL,
  mac TEXT NOT NULL);
INSERT INTO runs VALUES ('nightly', '2026-10-01T02:00:00+00:00', '2026-10-01T02:05:00+00:00', 'finished', 'apply',
  '["inbox.mbox"]', 'config', 'local', '{}');
INSERT INTO results VALUES ('nightly', 1, 'msg-1', 'processed', '{"interaction_id": "msg-1", "status": "processed"}');
INSERT INTO actions VALUES ('nightly', 'msg-1', 1, 'log_activity', 'activity', '{"subject": "Hi"}', 'ik_old',
  'action', 'A-1', NULL, 'applied', NULL, NULL, NULL);
INSERT INTO applied_keys VALUES ('ik_old', 'A-1', 'nightly', '2026-10-01T02:01:00+00:00');
INSERT INTO claims VALUES ('ik_busy', 'nightly', 'old-host:1', 0);
"""


def test_a_journal_of_0_1_is_upgraded_and_its_keys_hold_for_its_crm_type(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    old = sqlite3.connect(path)
    old.executescript(JOURNAL_0_1)
    old.close()
    for _ in range(2):   # upgrading is done once; opening again changes nothing
        store = SQLiteStore(path)
        try:
            assert store.applied_record("ik_old", "local:{home}/crm.sqlite") == ("A-1", "nightly")
            assert store.applied_record("ik_old", "local:/elsewhere/crm.sqlite") == ("A-1", "nightly")
            assert store.applied_record("ik_old", "hubspot:https://api.hubapi.com#portal=1") is None
            run = store.get_run("nightly")
            assert run is not None and run.target == ""
            [row] = store.actions("nightly")
            assert (row.record_id, row.mac) == ("A-1", None)
            assert store.claim("ik_busy", "next", "new-host:2", 300, "local:{home}/crm.sqlite").state == "claimed"
            store.add_llm_batch("nightly", "msgbatch_old", 3)
            assert store.llm_batches("nightly") == ["msgbatch_old"]
        finally:
            store.close()
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 5
        assert check.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0   # version 5 added it
    finally:
        check.close()

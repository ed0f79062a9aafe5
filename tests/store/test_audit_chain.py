"""The HMAC-chained audit trail of the SQLite store: intact trails verify, every kind of tampering is caught."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from crm_crew.store.audit import AuditEntry, AuditKey, VerifyResult, verify_chain
from crm_crew.store.base import Outcome
from crm_crew.store.sqlite import SQLiteStore

KEY = AuditKey("unit-test-audit-key-0123456789")
ENTRIES = 5


def entry(n: int) -> AuditEntry:
    return AuditEntry("run-1", f"msg-{n:03d}", "alice", "action", "local", "update", "contact", f"C-{n}",
                      {"lead_status": "New"}, {"lead_status": f"Working {n}"}, "applied")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite"


@pytest.fixture
def store(path: Path) -> Iterator[SQLiteStore]:
    db = SQLiteStore(path)
    for n in range(1, ENTRIES + 1):
        db.record([Outcome(None, entry(n))], KEY)
    yield db
    db.close()


def verify(store: SQLiteStore, key: AuditKey = KEY) -> VerifyResult:
    return verify_chain(key, store.audit_entries(), store.audit_head())


def tamper(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Change the journal file behind the store's back, as someone with file access would."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("BEGIN")
        for sql, params in statements:
            db.execute(sql, params)
        db.execute("COMMIT")
    finally:
        db.close()


def test_an_intact_trail_verifies(store: SQLiteStore) -> None:
    result = verify(store)
    assert result == VerifyResult(True, ENTRIES)
    entries = list(store.audit_entries())
    assert [e.seq for e in entries] == list(range(1, ENTRIES + 1))
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:]))
    assert store.audit_head() is not None and store.audit_head().seq == ENTRIES  # type: ignore[union-attr]


def test_entries_of_one_outcome_batch_are_chained_in_order(tmp_path: Path) -> None:
    db = SQLiteStore(tmp_path / "j.sqlite")
    try:
        db.record([Outcome(None, entry(n)) for n in range(1, 4)], KEY)
        db.record([Outcome(None, entry(4))], KEY)
        assert verify(db) == VerifyResult(True, 4)
        assert [e.record_id for e in db.audit_entries()] == ["C-1", "C-2", "C-3", "C-4"]
    finally:
        db.close()


def test_an_empty_trail_is_intact(tmp_path: Path) -> None:
    db = SQLiteStore(tmp_path / "empty.sqlite")
    try:
        assert verify(db) == VerifyResult(True, 0)
    finally:
        db.close()


def test_filters_by_run_and_record_keep_chain_order(store: SQLiteStore) -> None:
    store.record([Outcome(None, AuditEntry("run-2", "msg-900", "bob", "", "local", "create", "activity", "C-3",
                                           None, {"subject": "x"}, "applied"))], KEY)
    assert [e.seq for e in store.audit_entries(run_id="run-2")] == [ENTRIES + 1]
    assert [e.seq for e in store.audit_entries(record_id="C-3")] == [3, ENTRIES + 1]
    assert [e.seq for e in store.audit_entries(run_id="run-1", record_id="C-3")] == [3]


def test_an_edited_value_is_detected_at_that_entry(store: SQLiteStore, path: Path) -> None:
    tamper(path, ("UPDATE audit SET after=? WHERE seq=3", (json.dumps({"lead_status": "Lost"}),)))
    result = verify(store)
    assert (result.ok, result.broken_seq, result.entries) == (False, 3, 2)
    assert "entry 3 was altered" in (result.problem or "")


@pytest.mark.parametrize("column, value", [("actor", "mallory"), ("outcome", "failed"), ("at", "2020-01-01"),
                                           ("before", None), ("detail", "innocent")])
def test_any_edited_column_is_detected(store: SQLiteStore, path: Path, column: str, value: object) -> None:
    tamper(path, (f"UPDATE audit SET {column}=? WHERE seq=2", (value,)))
    result = verify(store)
    assert (result.ok, result.broken_seq) == (False, 2)


def test_an_edit_that_recomputes_a_plain_hash_is_still_detected(store: SQLiteStore, path: Path) -> None:
    """Without the key nobody can reseal an entry: a SHA-256 of the new content does not pass."""
    import hashlib

    tamper(path, ("UPDATE audit SET actor='mallory', hash=? WHERE seq=4", (hashlib.sha256(b"forged").hexdigest(),)))
    result = verify(store)
    assert (result.ok, result.broken_seq) == (False, 4)


def test_a_deleted_middle_entry_is_detected(store: SQLiteStore, path: Path) -> None:
    tamper(path, ("DELETE FROM audit WHERE seq=3", ()))
    result = verify(store)
    assert (result.ok, result.broken_seq, result.entries) == (False, 3, 2)
    assert "entry 3 is missing" in (result.problem or "")


def test_a_deleted_and_renumbered_entry_is_detected(store: SQLiteStore, path: Path) -> None:
    tamper(path, ("DELETE FROM audit WHERE seq=3", ()),
           ("UPDATE audit SET seq=seq-1 WHERE seq>3", ()))
    result = verify(store)
    assert (result.ok, result.broken_seq) == (False, 3)


def test_swapped_entries_are_detected(store: SQLiteStore, path: Path) -> None:
    tamper(path, ("UPDATE audit SET seq=-2 WHERE seq=2", ()),
           ("UPDATE audit SET seq=2 WHERE seq=3", ()),
           ("UPDATE audit SET seq=3 WHERE seq=-2", ()))
    result = verify(store)
    assert (result.ok, result.broken_seq) == (False, 2)
    assert "does not follow entry 1" in (result.problem or "")


def test_swapped_contents_with_their_seq_kept_are_detected(store: SQLiteStore, path: Path) -> None:
    cols = "record_id, interaction_id, after"
    db = sqlite3.connect(path)
    two, three = (db.execute(f"SELECT {cols} FROM audit WHERE seq=?", (s,)).fetchone() for s in (2, 3))
    db.close()
    tamper(path, ("UPDATE audit SET record_id=?, interaction_id=?, after=? WHERE seq=2", three),
           ("UPDATE audit SET record_id=?, interaction_id=?, after=? WHERE seq=3", two))
    result = verify(store)
    assert (result.ok, result.broken_seq) == (False, 2)


def test_a_cut_off_end_is_detected_by_the_head(store: SQLiteStore, path: Path) -> None:
    tamper(path, ("DELETE FROM audit WHERE seq=?", (ENTRIES,)))
    result = verify(store)
    assert (result.ok, result.entries, result.broken_seq) == (False, ENTRIES - 1, ENTRIES)
    assert "deleted" in (result.problem or "")


def test_a_cut_off_end_with_a_rewritten_head_is_detected(store: SQLiteStore, path: Path) -> None:
    db = sqlite3.connect(path)
    prev = db.execute("SELECT hash FROM audit WHERE seq=?", (ENTRIES - 1,)).fetchone()[0]
    db.close()
    tamper(path, ("DELETE FROM audit WHERE seq=?", (ENTRIES,)),
           ("UPDATE audit_head SET seq=?, hash=?", (ENTRIES - 1, prev)))
    result = verify(store)
    assert not result.ok
    assert "head record of the trail was altered" in (result.problem or "")


def test_a_deleted_head_is_detected(store: SQLiteStore, path: Path) -> None:
    tamper(path, ("DELETE FROM audit_head", ()))
    result = verify(store)
    assert not result.ok and "head record" in (result.problem or "")


def test_a_wiped_trail_with_its_head_left_is_detected(store: SQLiteStore, path: Path) -> None:
    tamper(path, ("DELETE FROM audit", ()))
    result = verify(store)
    assert (result.ok, result.entries, result.broken_seq) == (False, 0, 1)


def test_the_wrong_key_fails_at_the_first_entry(store: SQLiteStore) -> None:
    result = verify(store, AuditKey("another-key-0123456789abcdef"))
    assert (result.ok, result.broken_seq, result.entries) == (False, 1, 0)
    assert "key" in (result.problem or "")


def test_appending_after_verification_continues_the_chain(store: SQLiteStore) -> None:
    assert verify(store).ok
    store.record([Outcome(None, entry(99))], KEY)
    assert verify(store) == VerifyResult(True, ENTRIES + 1)


def test_the_key_never_reaches_the_journal(store: SQLiteStore, path: Path) -> None:
    store.close()
    data = b"".join(p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name))
    assert b"unit-test-audit-key" not in data
    assert "***" in repr(KEY) and "unit-test" not in repr(KEY)

"""The shared PostgreSQL store (crm_crew.store.postgres.PostgresStore): the Store contract, migrations,
a tamper-evident audit trail, and many processes appending and claiming at once.

Each test gets a schema of its own on the tests' server (see tests/servers_fixtures.py).
"""

from __future__ import annotations

import multiprocessing
import socket
import threading
import uuid
from collections.abc import Iterator
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest

from crm_crew.errors import CrmCrewError, UserError
from crm_crew.store.audit import AuditEntry, AuditKey, VerifyResult, verify_chain
from crm_crew.store.base import ActionRow, Outcome, Store
from crm_crew.store.owners import process_owner
from crm_crew.store.postgres import PostgresStore
from crm_crew.store.postgres_schema import MIGRATIONS
from crm_crew.store.registry import open_store
from tests.servers_fixtures import postgres_url  # noqa: F401  (fixture)
from tests.store.store_contract import *  # noqa: F403  (the contract's tests and fixtures)
from tests.store.store_contract import CRM, Opener, audit_entry, info

KEY = AuditKey("unit-test-audit-key-0123456789")
WORKERS, PER_WORKER = 4, 50
CLAIM_KEYS = 200


def with_search_path(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture
def pg_url(postgres_url: str) -> Iterator[str]:  # noqa: F811
    """A connection URL whose tables live in a fresh schema, dropped after the test."""
    schema = f"crm_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(postgres_url, schema)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def reopen(pg_url: str) -> Opener:
    return lambda: PostgresStore(pg_url)


def sql(url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run a statement behind the store's back, as someone with database access would."""
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement.encode(), params or None)
        return cursor.fetchall() if cursor.description else []


# -- opening ------------------------------------------------------------------------------------


def test_open_store_picks_the_backend_from_the_url(pg_url: str, tmp_path: Path) -> None:
    shared = open_store(tmp_path, pg_url)
    shared.close()
    assert isinstance(shared, PostgresStore) and not (tmp_path / "journal.sqlite").exists()
    embedded = open_store(tmp_path)
    embedded.close()
    assert type(embedded).__name__ == "SQLiteStore" and (tmp_path / "journal.sqlite").exists()
    with pytest.raises(UserError, match="postgresql://"):
        open_store(tmp_path, "mysql://root:hunter2@db/crm")


def test_migrations_run_once_and_reopening_keeps_the_version(pg_url: str) -> None:
    for _ in range(2):
        PostgresStore(pg_url).close()
    assert sql(pg_url, "SELECT version FROM schema_version ORDER BY version") == \
        [(n,) for n in range(1, len(MIGRATIONS) + 1)]


def test_a_schema_newer_than_this_version_is_refused(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    sql(pg_url, "INSERT INTO schema_version (version) VALUES (%s)", (len(MIGRATIONS) + 1,))
    with pytest.raises(CrmCrewError, match="newer than this crm-crew"):
        PostgresStore(pg_url)


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    with socket.socket() as probe:   # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(CrmCrewError, match=f"cannot connect to the PostgreSQL store at "
                                           f"postgresql://crm@127.0.0.1:{port}/jobs") as caught:
        PostgresStore(f"postgresql://crm:s3cret-pw@127.0.0.1:{port}/jobs")
    assert "s3cret-pw" not in str(caught.value)


def test_threads_share_the_store(store: Store) -> None:
    def append(worker: int) -> None:
        for n in range(20):
            store.record([Outcome(None, audit_entry(n, f"run-{worker}"))], KEY)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert verify_chain(KEY, store.audit_entries(), store.audit_head()) == VerifyResult(True, 160)


# -- a tamper-evident audit trail ------------------------------------------------------------------


@pytest.fixture
def trail(store: Store) -> Store:
    for n in range(1, 6):
        store.record([Outcome(None, audit_entry(n))], KEY)
    return store


def verify(store: Store, key: AuditKey = KEY) -> VerifyResult:
    return verify_chain(key, store.audit_entries(), store.audit_head())


@pytest.mark.parametrize("statement, broken_seq", [
    ("UPDATE audit SET after='{\"lead_status\": \"Lost\"}' WHERE seq=3", 3),
    ("UPDATE audit SET actor='mallory' WHERE seq=2", 2),
    ("UPDATE audit SET detail=NULL WHERE seq=4", 4),
    ("DELETE FROM audit WHERE seq=3", 3),
    ("UPDATE audit SET seq=-seq WHERE seq IN (2, 3); UPDATE audit SET seq=5+seq WHERE seq<0", 2),
    ("DELETE FROM audit WHERE seq=5", 5),
    ("DELETE FROM audit", 1),
])
def test_tampering_is_detected(trail: Store, pg_url: str, statement: str, broken_seq: int) -> None:
    assert verify(trail) == VerifyResult(True, 5)
    sql(pg_url, statement)
    result = verify(trail)
    assert (result.ok, result.broken_seq) == (False, broken_seq)


def test_a_cut_off_end_with_a_rewritten_head_is_detected(trail: Store, pg_url: str) -> None:
    [(prev,)] = sql(pg_url, "SELECT hash FROM audit WHERE seq=4")
    sql(pg_url, "DELETE FROM audit WHERE seq=5")
    sql(pg_url, "UPDATE audit_head SET seq=4, hash=%s", (prev,))
    assert "head record of the trail was altered" in (verify(trail).problem or "")


def test_the_wrong_key_fails_and_the_key_never_reaches_the_database(trail: Store, pg_url: str) -> None:
    assert verify(trail, AuditKey("another-key-0123456789abcdef")).broken_seq == 1
    for table in ("audit", "audit_head", "actions", "schema_version"):
        assert "unit-test-audit-key" not in str(sql(pg_url, f"SELECT string_agg(t::text, ' ') FROM {table} t"))


# -- many processes at once -------------------------------------------------------------------------


def append_audited(url: str, worker: int, start: Barrier) -> None:
    store = PostgresStore(url)   # the first of them migrates the fresh schema; the others wait for it
    try:
        start.wait(timeout=120)
        for n in range(PER_WORKER):
            row = ActionRow("run-1", f"msg-{worker}-{n}", 1, "update_contact", "contact", {"n": n},
                            f"ik_{worker}_{n}", "action", f"C-{worker}-{n}", None, "applied", None)
            entry = AuditEntry("run-1", row.interaction_id, "alice", "action", "local", "update", "contact",
                               row.record_id, None, {"n": n}, "applied")
            store.record([Outcome(row, entry, mark_applied=True, target=CRM)], KEY)
    finally:
        store.close()


def claim_all(url: str, worker: int, start: Barrier, won: Queue[tuple[int, list[str]]]) -> None:
    store = PostgresStore(url)
    try:
        start.wait(timeout=120)
        keys = [f"ik_{n}" for n in range(CLAIM_KEYS)]
        order = keys if worker % 2 == 0 else keys[::-1]
        won.put((worker, [k for k in order if store.claim(k, f"run-{worker}", process_owner(), 300, CRM).state
                          == "claimed"]))
    finally:
        store.close()


def test_processes_appending_at_once_keep_one_unbroken_chain(pg_url: str) -> None:
    spawn = multiprocessing.get_context("spawn")
    start = spawn.Barrier(WORKERS)
    workers = [spawn.Process(target=append_audited, args=(pg_url, w, start)) for w in range(WORKERS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    assert [w.exitcode for w in workers] == [0] * WORKERS
    store = PostgresStore(pg_url)
    try:
        assert verify_chain(KEY, store.audit_entries(), store.audit_head()) == VerifyResult(True, WORKERS * PER_WORKER)
        assert sorted(e.record_id or "" for e in store.audit_entries()) == \
            sorted(f"C-{w}-{n}" for w in range(WORKERS) for n in range(PER_WORKER))
        assert store.applied_record(f"ik_{WORKERS - 1}_{PER_WORKER - 1}", CRM) == \
            (f"C-{WORKERS - 1}-{PER_WORKER - 1}", "run-1")
        assert len(store.actions("run-1", "msg-0-0")) == 1
    finally:
        store.close()
    assert sql(pg_url, "SELECT count(*) FROM schema_version") == [(len(MIGRATIONS),)]


def test_two_processes_never_both_win_a_claim(pg_url: str) -> None:
    PostgresStore(pg_url).close()
    spawn = multiprocessing.get_context("spawn")
    start, won = spawn.Barrier(2), spawn.Queue()
    workers = [spawn.Process(target=claim_all, args=(pg_url, w, start, won)) for w in range(2)]
    for worker in workers:
        worker.start()
    wins = dict(won.get(timeout=180) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert not set(wins[0]) & set(wins[1])
    assert set(wins[0]) | set(wins[1]) == {f"ik_{n}" for n in range(CLAIM_KEYS)}


def test_a_dropped_connection_fails_one_call_clearly_and_the_next_reconnects(pg_url: str) -> None:
    name = f"crm_test_{uuid.uuid4().hex[:8]}"
    store = PostgresStore(f"{pg_url}&application_name={name}")
    try:
        store.create_run(info("run-a", "2026-11-20T10:00:00+00:00"))
        sql(pg_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name=%s", (name,))
        with pytest.raises(CrmCrewError, match="lost the connection to the PostgreSQL store"):
            store.get_run("run-a")
        run = store.get_run("run-a")
        assert run is not None and run.run_id == "run-a"
    finally:
        store.close()


def test_a_store_of_schema_1_is_upgraded_and_its_keys_hold_for_its_crm_type(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:     # the store as crm-crew 0.1.0 left it
        conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                     "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        conn.execute(MIGRATIONS[0].encode())
        conn.execute("INSERT INTO schema_version (version) VALUES (1)")
        conn.execute("INSERT INTO runs (run_id, started_at, status, mode, sources, config_dir, crm_type) VALUES "
                     "('nightly', '2026-10-01T02:00:00+00:00', 'finished', 'apply', '[]', 'config', 'salesforce')")
        conn.execute("INSERT INTO actions VALUES ('nightly', 'msg-1', 1, 'log_activity', 'activity', '{}', 'ik_old', "
                     "'action', '00T1', NULL, 'applied', NULL, NULL, NULL)")
        conn.execute("INSERT INTO applied_keys VALUES ('ik_old', '00T1', 'nightly', '2026-10-01T02:01:00+00:00')")
        conn.execute("INSERT INTO claims VALUES ('ik_busy', 'nightly', 'old-host:1', 0)")
    store = PostgresStore(pg_url)
    try:
        assert store.applied_record("ik_old", "salesforce:https://acme.my.salesforce.com") == ("00T1", "nightly")
        assert store.applied_record("ik_old", "local:{home}/crm.sqlite") is None
        run = store.get_run("nightly")
        assert run is not None and run.target == ""
        [row] = store.actions("nightly", "msg-1")
        assert row.mac is None
        assert store.claim("ik_busy", "next", "new-host:2", 300, "salesforce:https://acme.my.salesforce.com").state \
            == "claimed"
    finally:
        store.close()
    assert sql(pg_url, "SELECT max(version) FROM schema_version") == [(len(MIGRATIONS),)]

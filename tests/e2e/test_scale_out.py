"""Scale-out as deployed: `crm-crew run --queue` and two or three `crm-crew worker` processes on the tests' own Redis,
one shared PostgreSQL store, the HubSpot emulator as the CRM with a CRM request limit for all workers together.
One worker is SIGKILLed mid-run; the CRM must end as after one uninterrupted in-process run."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from crm_crew.testing.configs import write_config
from crm_crew.testing.synthetic import write_inbox
from tests.e2e.backends import FAST_RETRY, Backend, Emulators
from tests.e2e.clihelp import SAMPLES
from tests.e2e.killing import applied_audit_entries, clean_state, crm_state, duplicates, spawn
from tests.e2e.test_rq_runner import ended, queue_url, wait_for, wait_queued
from tests.servers_fixtures import fresh_database, postgres_url, redis_url  # noqa: F401  (session fixtures)

N, SEED = 200, 11                       # the kill tests' inbox: their clean run is shared
LIMIT, WINDOW_S = 40, 2.0               # CRM requests in any 2 s, all workers together


def _journaled(database_url: str, run_id: str) -> int:
    with psycopg.connect(database_url) as db:
        row = db.execute("SELECT count(*) FROM results WHERE run_id = %s", (run_id,)).fetchone()
    return int(row[0]) if row else 0


def _busiest_window(times: list[float], window_s: float) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


def _hubspot_backend(emulators: Emulators, tmp_path: Path, database_url: str) -> Backend:
    emulator = emulators.get("hubspot")
    connection = emulator.connection()
    config = write_config(tmp_path / "config", {**connection["crm"], **FAST_RETRY,
                                                "rate_limit": {"requests": LIMIT, "window_s": WINDOW_S}})
    env = {**connection["env"], "CRM_CREW_CONFIG": str(config), "DATABASE_URL": database_url}
    backend = Backend("hubspot", tmp_path / "state", env, emulator)
    imported = backend.cli("crm", "import", str(SAMPLES / "contacts.csv"))
    assert imported.code == 0, imported.err
    return backend


@pytest.mark.slow(seconds=200)
@pytest.mark.parametrize("workers", [2, 3])
def test_workers_with_one_killed_end_like_one_process_and_hold_the_crm_limit(
        tmp_path: Path, redis_url: str, postgres_url: str,  # noqa: F811
        tmp_path_factory: pytest.TempPathFactory, emulators: Emulators, workers: int) -> None:
    expected = clean_state(tmp_path_factory, emulators, N, SEED)
    url = queue_url(redis_url, {2: 8, 3: 9}[workers])     # a Redis database of its own
    inbox = write_inbox(tmp_path / "inbox.jsonl", N, seed=SEED)
    with fresh_database(postgres_url) as database_url:
        backend = _hubspot_backend(emulators, tmp_path, database_url)
        assert backend.emulator is not None
        started = time.time()
        run = spawn(backend, "run", str(inbox), "--apply", "--queue", url, "--run-id", "scale", "--json")
        wait_queued(url, N)
        pool = [spawn(backend, "worker", "--queue", url, "--burst") for _ in range(workers)]
        at = random.Random(f"scale-{workers}").randint(30, 80)
        wait_for(f"{at} journaled results", lambda: _journaled(database_url, "scale") >= at, timeout=300)
        pool[0].send_signal(signal.SIGKILL)
        pool[0].communicate()
        pool[0] = spawn(backend, "worker", "--queue", url, "--burst")       # a replacement joins
        for worker in pool:
            code, _, err = ended(worker, timeout=600)
            assert code == 0, err
        code, out, err = ended(run, timeout=120)
        assert code in (0, 3), err
        summary: dict[str, Any] = json.loads(out)

        state = crm_state(backend)
        assert duplicates(state) == {}
        assert state == expected                                   # nothing missing, nothing twice
        assert summary["interactions"] == N and summary["dead_letters"] == 0
        shown = backend.cli("show", "scale", "--json").json()
        statuses = [a["status"] for r in shown["results"] for a in r["actions"]]
        assert "applying" not in statuses and "planned" not in statuses
        applied = sum(1 for s in statuses if s == "applied")
        assert len(applied_audit_entries(backend, "scale")) == applied     # one audit entry per CRM effect
        assert backend.cli("audit", "verify").code == 0                   # one chain, written by four processes

    requests = [r.t for r in backend.emulator.log if r.t >= started and not r.path.startswith("/_emulator")]
    assert len(requests) > 3 * LIMIT                                    # the limit had work to do
    assert _busiest_window(requests, WINDOW_S) <= LIMIT

"""`crm-crew run --queue` with `crm-crew worker` subprocesses on one machine: one SQLite journal and one local
CRM in one CRM_CREW_HOME, the queue on the tests' own Redis (each test its own database)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis

from crm_crew.pipeline.rq_runner import QUEUE_NAME
from crm_crew.testing.synthetic import write_inbox
from tests.e2e.backends import Backend, Emulators, make_backend
from tests.e2e.killing import clean_state, crm_state, duplicates, finish, journaled, spawn
from tests.servers_fixtures import redis_url  # noqa: F401  (session fixture)

N, SEED = 40, 21


def queue_url(server_url: str, db: int) -> str:
    """The server's database `db`, emptied: each test a queue of its own."""
    url = f"{server_url.rsplit('/', 1)[0]}/{db}"
    redis.Redis.from_url(url).flushdb()
    return url


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def wait_queued(url: str, n: int) -> None:
    client = redis.Redis.from_url(url)
    wait_for(f"{n} queued jobs", lambda: client.llen(f"rq:queue:{QUEUE_NAME}") >= n)


def ended(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    """The process's exit code and output; on a hang, its threads' stacks (faulthandler, see `spawned`)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        out, err = proc.communicate(timeout=30)
        raise AssertionError(f"{' '.join(proc.args)} still ran after {timeout:g} s; its stacks:\n{err[-8000:]}")
    return proc.returncode, out, err


@pytest.fixture(autouse=True)
def spawned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every process these tests start dumps its threads' stacks on SIGABRT: a hang shows where it hangs."""
    monkeypatch.setenv("PYTHONFAULTHANDLER", "1")


def assert_same_as_in_process(backend: Backend, run_id: str, tmp_path_factory: pytest.TempPathFactory,
                              emulators: Emulators) -> None:
    state = crm_state(backend)
    assert duplicates(state) == {}
    assert state == clean_state(tmp_path_factory, emulators, N, SEED)
    shown = backend.cli("show", run_id, "--json").json()
    assert shown["run"]["status"] == "finished"
    assert len(shown["results"]) == N and len({r["interaction_id"] for r in shown["results"]}) == N
    assert shown["dead_letters"] == []
    statuses = [a["status"] for r in shown["results"] for a in r["actions"]]
    assert "applying" not in statuses and "planned" not in statuses
    assert backend.cli("audit", "verify").code == 0


@pytest.mark.slow(seconds=25)
def test_two_workers_process_a_queued_run_like_one_process(tmp_path: Path, redis_url: str,  # noqa: F811
                                                            tmp_path_factory: pytest.TempPathFactory,
                                                            emulators: Emulators) -> None:
    url = queue_url(redis_url, 10)
    inbox = write_inbox(tmp_path / "inbox.jsonl", N, seed=SEED)
    backend = make_backend("local", emulators, tmp_path)
    run = spawn(backend, "run", str(inbox), "--apply", "--queue", url, "--run-id", "q", "--json")
    wait_queued(url, N)
    workers = [spawn(backend, "worker", "--queue", url, "--burst") for _ in range(2)]
    for worker in workers:
        code, _, err = ended(worker)
        assert code == 0, err
    code, out, err = ended(run)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["dead_letters"] == 0 and summary["queue"].endswith("/10")
    assert summary["interactions"] == N
    assert_same_as_in_process(backend, "q", tmp_path_factory, emulators)


@pytest.mark.slow(seconds=30)
def test_a_worker_killed_mid_run_loses_and_repeats_nothing(tmp_path: Path, redis_url: str,  # noqa: F811
                                                            tmp_path_factory: pytest.TempPathFactory,
                                                            emulators: Emulators) -> None:
    url = queue_url(redis_url, 11)
    inbox = write_inbox(tmp_path / "inbox.jsonl", N, seed=SEED)
    backend = make_backend("local", emulators, tmp_path)
    run = spawn(backend, "run", str(inbox), "--apply", "--queue", url, "--run-id", "k")
    wait_queued(url, N)
    doomed, other = (spawn(backend, "worker", "--queue", url, "--burst") for _ in range(2))
    wait_for("10 journaled results", lambda: journaled(backend.home, "k") >= 10)
    doomed.send_signal(signal.SIGKILL)
    doomed.communicate()
    code, _, err = ended(other)
    assert code == 0, err
    again = finish(backend, "worker", "--queue", url, "--burst")     # picks up what the killed one held
    assert again.returncode == 0, again.stderr
    code, _, err = ended(run, timeout=60)
    assert code == 0, err
    assert_same_as_in_process(backend, "k", tmp_path_factory, emulators)


@pytest.mark.slow(seconds=25)
def test_workers_lists_live_workers_and_the_pool_stops_soon_after_work(tmp_path: Path, redis_url: str,  # noqa: F811
                                                                       emulators: Emulators) -> None:
    url = queue_url(redis_url, 12)
    backend = make_backend("local", emulators, tmp_path, import_samples=False)
    pool = spawn(backend, "worker", "--queue", url, "--concurrency", "2")
    listing: dict[str, Any] = {}

    def two_live() -> bool:
        nonlocal listing
        listing = backend.cli("workers", "--queue", url, "--json").json()
        return len(listing["workers"]) == 2

    # a worker registers as `started` and turns `idle` once it listens: wait for both to be there and idle
    wait_for("two live idle workers", lambda: two_live() and all(w["state"] == "idle" for w in listing["workers"]))
    for worker in listing["workers"]:
        assert worker["hostname"] == socket.gethostname()
        assert worker["state"] == "idle" and worker["current_job"] is None
        assert worker["successful"] == 0 and worker["throughput_per_s"] == 0.0
    assert listing["counts"] == {"queued": 0, "started": 0, "scheduled": 0, "dead_letters": 0}
    inbox = write_inbox(tmp_path / "inbox.jsonl", 6, seed=SEED)
    run = backend.cli("run", str(inbox), "--apply", "--queue", url)
    assert run.code == 0, run.err
    from crm_crew.shared.state import shared_state

    assert shared_state() is None, "a finished follower leaves no shared cache behind in its process"
    two_live()
    assert sum(w["successful"] for w in listing["workers"]) == 6
    pool.send_signal(signal.SIGTERM)
    # A hang guard well under the 60 s a stop took after work (each worker's command listener read in
    # 60 s slices); the stop itself takes a second or two.
    code, _, err = ended(pool, timeout=30)
    assert code == 0, err
    assert backend.cli("workers", "--queue", url, "--json").json()["workers"] == []


@pytest.mark.slow(seconds=20)
def test_exhausted_jobs_are_dead_letters_that_resume_requeues(tmp_path: Path, redis_url: str,  # noqa: F811
                                                               emulators: Emulators) -> None:
    url = queue_url(redis_url, 13)
    inbox = write_inbox(tmp_path / "inbox.jsonl", 3, seed=SEED)
    backend = make_backend("local", emulators, tmp_path)
    run = spawn(backend, "run", str(inbox), "--apply", "--queue", url, "--run-id", "d", "--retries", "1", "--json")
    wait_queued(url, 3)
    keyless = finish(backend, "worker", "--queue", url, "--burst", extra_env={"CRM_CREW_AUDIT_KEY": ""})
    assert keyless.returncode == 0, keyless.stderr
    code, out, err = ended(run, timeout=60)
    assert code == 3, err
    assert json.loads(out)["dead_letters"] == 3

    shown = backend.cli("show", "d", "--json").json()
    assert shown["results"] == []
    letters = shown["dead_letters"]
    assert sorted(letter["interaction_id"] for letter in letters) == sorted(
        json.loads(line)["id"] for line in inbox.read_text(encoding="utf-8").splitlines())
    assert all("CRM_CREW_AUDIT_KEY" in letter["error"] for letter in letters)
    text = backend.cli("show", "d")
    assert "3 dead letter(s)" in text.out and "--resume d --queue" in text.out

    resumed = spawn(backend, "run", "--resume", "d", "--queue", url, "--json")
    wait_queued(url, 3)
    worker = finish(backend, "worker", "--queue", url, "--burst")
    assert worker.returncode == 0, worker.stderr
    code, out, err = ended(resumed, timeout=60)
    assert code == 0, err
    shown = backend.cli("show", "d", "--json").json()
    assert len(shown["results"]) == 3 and shown["dead_letters"] == []


def test_an_unreachable_queue_is_a_clear_error_before_the_run_exists(tmp_path: Path) -> None:
    inbox = write_inbox(tmp_path / "inbox.jsonl", 2, seed=SEED)
    backend = Backend("local", tmp_path / "state")
    result = backend.cli("run", str(inbox), "--queue", "redis://:secret@127.0.0.1:1/3")
    assert result.code == 1
    assert "redis://127.0.0.1:1/3" in result.err and "cannot be reached" in result.err
    assert "secret" not in result.err
    assert backend.cli("runs", "--json").json() == []

"""The queue's Redis dies mid-run: the follower and the worker stop with a clear error, nothing journaled is
lost, and `run --resume --queue` on a Redis that is back finishes the run with each CRM effect once."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_crew.testing.servers import RedisServer
from crm_crew.testing.synthetic import write_inbox
from tests.e2e.backends import Emulators, make_backend
from tests.e2e.killing import clean_state, crm_state, duplicates, finish, journaled, spawn
from tests.e2e.test_rq_runner import SEED, N, ended, wait_for, wait_queued


@pytest.mark.slow(seconds=40)
def test_a_redis_outage_mid_run_loses_nothing_and_the_run_resumes(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, emulators: Emulators) -> None:
    expected = clean_state(tmp_path_factory, emulators, N, SEED)
    inbox = write_inbox(tmp_path / "inbox.jsonl", N, seed=SEED)
    backend = make_backend("local", emulators, tmp_path)
    redis = RedisServer(tmp_path).start()
    try:
        run = spawn(backend, "run", str(inbox), "--apply", "--queue", redis.url, "--run-id", "o")
        wait_queued(redis.url, N)
        worker = spawn(backend, "worker", "--queue", redis.url, "--burst")
        wait_for("5 journaled results", lambda: journaled(backend.home, "o") >= 5)
    finally:
        redis.stop()                                       # its queue is gone with it
    code, _, err = ended(run, timeout=60)
    assert code == 1 and "cannot be reached" in err and redis.url in err, err
    assert f"then finish run o with `crm-crew run --resume o --queue {redis.url}`" in " ".join(err.split()), err
    code, _, err = ended(worker, timeout=60)
    assert code == 1 and "cannot be reached" in err, err
    assert "then start the worker again" in err and "resume" not in err, err
    before = journaled(backend.home, "o")
    assert 5 <= before < N

    with RedisServer(tmp_path) as back:   # Redis is back (here: a fresh one)
        resumed = spawn(backend, "run", "--resume", "o", "--queue", back.url, "--json")
        wait_queued(back.url, N - before)
        worker = finish(backend, "worker", "--queue", back.url, "--burst")
        assert worker.returncode == 0, worker.stderr
        code, _, err = ended(resumed, timeout=120)
        assert code == 0, err

    state = crm_state(backend)
    assert duplicates(state) == {}
    assert state == expected
    shown = backend.cli("show", "o", "--json").json()
    assert len(shown["results"]) == N and shown["run"]["status"] == "finished"
    assert backend.cli("audit", "verify").code == 0

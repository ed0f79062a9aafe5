"""Kill a real `crm-crew run --apply` subprocess with SIGKILL, resume it, compare with a clean run."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crm_crew.testing.synthetic import write_inbox
from tests.e2e.backends import Backend, Emulators, comparable, make_backend
from tests.e2e.shared import shared_path

CRM_CREW = str(Path(sys.executable).with_name("crm-crew"))


_spawned: list[subprocess.Popen[str]] = []


def spawn(backend: Backend, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "CRM_CREW_HOME": str(backend.home), **backend.env, **(extra_env or {})}
    if "CRM_CREW_CONFIG" not in backend.env:
        env.pop("CRM_CREW_CONFIG", None)
    # Its own process group, so that a failed test's teardown can take its children too (a worker pool's).
    proc = subprocess.Popen([CRM_CREW, *args], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    _spawned.append(proc)
    return proc


def kill_leftovers() -> None:
    """Kill what a failed test left running: a worker still writing to a shared emulator would change the
    next test's CRM (one failure became seven in CI). The whole process group goes: a worker pool's children
    outlive a killed parent and would hold its output pipes open (a teardown once waited on them forever)."""
    while _spawned:
        proc = _spawned.pop()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def journaled(home: Path, run_id: str) -> int:
    path = home / "journal.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM results WHERE run_id=?", (run_id,)).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def run_and_kill(backend: Backend, args: list[str], run_id: str, at_results: int, timeout: float = 600) -> bool:
    """Start `crm-crew ARGS`, SIGKILL it once `at_results` results are journaled; False if it finished first."""
    proc = spawn(backend, *args)
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if journaled(backend.home, run_id) >= at_results:
            time.sleep(random.uniform(0, 0.4))    # land anywhere inside the next interaction
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            return True
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"crm-crew {' '.join(args)} did not get to {at_results} results")
        time.sleep(0.05)
    out, err = proc.communicate()
    assert proc.returncode in (0, 3), err
    return False


def finish(backend: Backend, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = spawn(backend, *args, extra_env=extra_env)
    out, err = proc.communicate(timeout=900)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def crm_state(backend: Backend) -> dict[str, Any]:
    return comparable(backend.export())


def duplicates(export: dict[str, Any]) -> dict[str, int]:
    """Activities logged twice for one interaction, contacts twice for one email."""
    seen: Counter[str] = Counter(f"activity:{a['interaction_id']}" for a in export["activities"])
    seen.update(f"contact:{c['email']}" for c in export["contacts"])
    return {k: n for k, n in seen.items() if n > 1}


def applied_audit_entries(backend: Backend, run_id: str) -> list[dict[str, Any]]:
    result = backend.cli("audit", "show", "--run", run_id, "--json", "--limit", "100000")
    assert result.code == 0, result.err
    return [e for e in result.json() if e["outcome"] == "applied"]


def clean_state(tmp_path_factory: pytest.TempPathFactory, emulators: Emulators, n: int, seed: int) -> dict[str, Any]:
    """The local CRM after one uninterrupted `run --apply` of the synthetic inbox (n, seed):
    computed once per test session and shared by the xdist workers."""
    with shared_path(tmp_path_factory, f"clean-state-{n}-{seed}.json") as saved:
        if not saved.exists():
            work = saved.with_suffix("")
            work.mkdir(parents=True, exist_ok=True)
            inbox = write_inbox(work / "inbox.jsonl", n, seed=seed)
            clean = make_backend("local", emulators, work)
            done = finish(clean, "run", str(inbox), "--apply", "--run-id", "clean")
            assert done.returncode in (0, 3), done.stderr
            saved.write_text(json.dumps(crm_state(clean)), encoding="utf-8")
    return json.loads(saved.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def kill_three_times_and_resume(name: str, emulators: Emulators, tmp_path: Path,
                                tmp_path_factory: pytest.TempPathFactory, n: int, clean_first: bool) -> None:
    """A run over n synthetic interactions against `name`, SIGKILLed at three random points and
    resumed, ends with the same CRM as a clean run against the local CRM: no duplicates, nothing missing.
    (`clean_first`: compute the shared clean run before rather than after, so that two workers
    running this for two CRMs do not wait for each other.)"""
    seed = 11
    if clean_first:
        clean_state(tmp_path_factory, emulators, n, seed)
    inbox = write_inbox(tmp_path / "inbox.jsonl", n, seed=seed)
    killed = make_backend(name, emulators, tmp_path / "killed")
    rng = random.Random(f"{name}-kill")
    points = sorted(rng.sample(range(5, n - 5), 3))
    args = ["run", str(inbox), "--apply", "--run-id", "k"]
    kills = 0
    for point in points:
        kills += run_and_kill(killed, args, "k", point)
        args = ["run", "--resume", "k"]
    resumed = finish(killed, *args)
    assert resumed.returncode in (0, 3), resumed.stderr
    assert kills >= 2

    state = crm_state(killed)
    assert duplicates(state) == {}
    assert state == clean_state(tmp_path_factory, emulators, n, seed)
    shown = killed.cli("show", "k", "--json").json()
    assert shown["run"]["status"] == "finished"
    assert len(shown["results"]) == n
    statuses = [a["status"] for r in shown["results"] for a in r["actions"]]
    assert "applying" not in statuses and "planned" not in statuses
    applied = sum(1 for s in statuses if s == "applied")
    assert len(applied_audit_entries(killed, "k")) == applied    # one audit entry per CRM effect
    assert killed.cli("audit", "verify").code == 0

"""What `runs` and `show` say about a run that is working, was killed, died or was rolled back; a `runs` file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from crm_crew.testing.synthetic import write_inbox
from tests.e2e.clihelp import cli
from tests.e2e.killing import journaled

CRM_CREW = str(Path(sys.executable).with_name("crm-crew"))


def _listed(home: Path, run_id: str) -> dict[str, Any]:
    runs = cli("runs", "--json", home=home).json()
    return next(r for r in runs if r["run_id"] == run_id)


def _row(home: Path, run_id: str) -> list[str]:
    """The run's row of the `runs` table, cell by cell."""
    table = cli("runs", home=home).out
    line = next(line for line in table.splitlines() if f" {run_id} " in line)
    return [cell.strip() for cell in line.strip("│ \n").split("│")]


def test_a_working_then_killed_run_is_counted_from_its_journal(tmp_path: Path) -> None:
    home = tmp_path / "state"
    inbox = write_inbox(tmp_path / "inbox.jsonl", 40, seed=7)
    env = {**os.environ, "CRM_CREW_HOME": str(home)}
    env.pop("CRM_CREW_CONFIG", None)
    proc = subprocess.Popen([CRM_CREW, "run", str(inbox), "--run-id", "busy", "--concurrency", "1"], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and journaled(home, "busy") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGSTOP)        # holds its lock, journals nothing more
        kept = journaled(home, "busy")
        assert 3 <= kept < 40
        working = _listed(home, "busy")
        assert working["status"] == "running"
        assert working["journal"]["interactions"] == kept
        assert sum(working["journal"]["by_status"].values()) == kept
    finally:
        proc.kill()
        proc.wait(timeout=30)
    killed = _listed(home, "busy")
    assert killed["status"] == "interrupted" and killed["journal"]["interactions"] == kept
    row = _row(home, "busy")
    assert row[3] == "interrupted" and row[4] == str(kept)
    assert int(row[5]) + int(row[6]) + int(row[7]) == kept
    shown = cli("show", "busy", home=home).out
    assert f"run busy (interrupted; journaled so far: {kept} records" in shown
    assert "crm-crew run --resume busy" in shown
    assert cli("show", "busy", "--json", home=home).json()["run"]["status"] == "interrupted"


def _with_a_failing_reject(tmp_path: Path, home: Path, run_id: str, good: int) -> Path:
    """An inbox whose last line is unreadable, and a rejects file that cannot be written: the run dies there."""
    inbox = write_inbox(tmp_path / "inbox.jsonl", good, seed=3)
    with inbox.open("a", encoding="utf-8") as f:
        f.write("{not json\n")
    (home / "runs" / run_id / "rejects.jsonl").mkdir(parents=True)
    return inbox


def test_a_run_that_dies_without_redis_importable_tells_its_own_error_and_what_it_journaled(tmp_path: Path) -> None:
    home = tmp_path / "state"
    inbox = _with_a_failing_reject(tmp_path, home, "dies", 3)
    blocked = ("import sys; sys.modules['redis'] = None; from crm_crew.cli.main import main; "
               "sys.exit(main(sys.argv[1:]))")
    env = {**os.environ, "CRM_CREW_HOME": str(home)}
    env.pop("CRM_CREW_CONFIG", None)
    proc = subprocess.run([sys.executable, "-c", blocked, "run", str(inbox), "--run-id", "dies", "--concurrency", "1"],
                          env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1, proc.stderr
    assert "rejects.jsonl" in proc.stderr and "crm-crew run --resume dies" in proc.stderr
    assert "redis" not in proc.stderr.lower()
    died = _listed(home, "dies")
    assert died["status"] == "died" and died["journal"]["interactions"] == 3
    assert _row(home, "dies")[4] == "3"
    assert "run dies (died; journaled so far: 3 records" in cli("show", "dies", home=home).out


UNREACHABLE = "redis://:hunter2@127.0.0.1:1/3"


def test_an_unreachable_queue_says_to_start_a_new_run_again_and_names_the_resume_of_an_existing_one(
        tmp_path: Path) -> None:
    home = tmp_path / "state"
    inbox = _with_a_failing_reject(tmp_path, home, "half", 1)
    fresh = cli("run", str(inbox), "--queue", UNREACHABLE, home=home)
    assert fresh.code == 1 and "cannot be reached" in fresh.err
    assert "start the run again (no run was created: nothing is journaled)" in fresh.err
    assert "resume" not in fresh.err and "hunter2" not in fresh.err
    assert cli("runs", "--json", home=home).json() == []

    assert cli("run", str(inbox), "--run-id", "half", home=home).code == 1     # dies at its reject
    resumed = cli("run", "--resume", "half", "--queue", UNREACHABLE, home=home)
    assert resumed.code == 1 and "cannot be reached" in resumed.err
    assert ("finish the run with `crm-crew run --resume half --queue redis://127.0.0.1:1/3` (with the URL's "
            "password)") in " ".join(resumed.err.split())
    assert "hunter2" not in resumed.err


def test_runs_and_show_tell_a_rolled_back_run(tmp_path: Path) -> None:
    home = tmp_path / "state"
    inbox = write_inbox(tmp_path / "inbox.jsonl", 4, seed=11)
    assert cli("run", str(inbox), "--apply", "--run-id", "done", home=home).code in (0, 3)
    applied = _listed(home, "done")["summary"]["actions"]["applied"]
    assert applied > 0
    assert cli("rollback", "done", home=home).code == 0
    row = _row(home, "done")
    assert row[3] == "finished" and row[8] == "0" and row[9] == str(applied)
    listed = _listed(home, "done")["summary"]
    assert listed["actions"]["applied"] == 0 and listed["actions"]["rolled_back"] == applied
    assert listed["rollback"]["reverted"] == applied and listed["rollback"]["conflicts"] == 0
    shown = cli("show", "done", home=home).out
    assert f"{applied} change(s) undone, 0 conflict(s) left" in shown
    assert f"rolled_back {applied}" in shown


@pytest.fixture(scope="module")
def one_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("one-run") / "state"
    inbox = write_inbox(home.parent / "inbox.jsonl", 1, seed=2)
    assert cli("run", str(inbox), "--run-id", "r", home=home).code in (0, 3)
    return home


@pytest.mark.parametrize("command", ["runs", "show", "apply", "rollback"])
def test_a_runs_file_is_a_clear_error_for_every_run_command(tmp_path: Path, one_run: Path, command: str) -> None:
    home = tmp_path / "state"
    shutil.copytree(one_run, home)
    shutil.rmtree(home / "runs")
    (home / "runs").write_text("not a folder\n", encoding="utf-8")
    result = cli(*([command] if command == "runs" else [command, "r"]), home=home)
    assert result.code == 1, result.err
    assert f"{home / 'runs'} is a file where crm-crew needs a folder: move or remove it" in result.err
    assert "internal error" not in result.err

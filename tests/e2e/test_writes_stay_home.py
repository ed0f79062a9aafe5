"""crm-crew writes only in its state folder: nothing in the user's home, nothing left in the temp folder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.clihelp import SAMPLES

SCRIPT = Path(sys.executable).with_name("crm-crew")


def fresh_env(tmp_path: Path) -> dict[str, str]:
    """A new user's environment: an empty home and temp folder, no state folder or crewai storage named."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("CRM_CREW_HOME", "CRM_CREW_CONFIG", "CREWAI_STORAGE_DIR") and not k.startswith("XDG_")}
    for name in ("home", "tmp", "work"):
        (tmp_path / name).mkdir()
    return {**env, "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path / "tmp"), "CRM_CREW_AUDIT_KEY": ""}


def everything_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_a_run_writes_only_in_its_state_folder(tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    work = tmp_path / "work"
    proc = subprocess.run([str(SCRIPT), "run", str(SAMPLES / "inbox.jsonl"), "--apply"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert everything_under(tmp_path / "home") == set()
    assert everything_under(tmp_path / "tmp") == set()
    assert {p.name for p in work.iterdir()} == {".crm-crew"}
    state = everything_under(work / ".crm-crew")
    assert "journal.sqlite" in state and "audit.key" in state
    assert any(p.startswith("crewai") for p in state)   # crewai's own files, kept here


def test_the_salesforce_sandbox_removes_its_certificate_when_stopped(tmp_path: Path) -> None:
    env = fresh_env(tmp_path)
    sandbox = subprocess.Popen([str(SCRIPT), "sandbox", "salesforce"], cwd=tmp_path / "work", env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        assert sandbox.stdout is not None
        first = sandbox.stdout.readline()
        assert "listening on https://" in first
        assert any(p.startswith("crm-crew-salesforce-tls-") for p in everything_under(tmp_path / "tmp"))
        sandbox.send_signal(signal.SIGTERM)
        assert sandbox.wait(timeout=60) == 0
    finally:
        if sandbox.poll() is None:
            sandbox.kill()
            sandbox.wait()
    assert everything_under(tmp_path / "tmp") == set()
    assert everything_under(tmp_path / "home") == set()

"""`crm-crew watch imaps://...` as a process against the tests' Dovecot: mail appended while it runs is
processed, and SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crm_crew.testing.mail_servers import DovecotServer
from tests.mail.test_imap_run import PASSWORD_ENV, _client, _config, _fresh_folder, _mail

pytestmark = pytest.mark.slow(seconds=20)


def _next_line(proc: subprocess.Popen[str], timeout: float) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    buffered = ""
    while time.monotonic() < deadline:
        chunk = proc.stdout.readline()
        buffered += chunk or ""
        if buffered.endswith("\n"):
            return dict(json.loads(buffered))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"no run reported in {timeout} s (exit {proc.poll()})")


def test_watch_processes_mail_as_it_arrives_and_stops_on_sigterm(dovecot: DovecotServer, tmp_path: Path) -> None:
    _fresh_folder(dovecot, "Watched", 1)
    conf = _config(tmp_path / "conf", dovecot, after="seen")
    env = {**os.environ, "CRM_CREW_HOME": str(tmp_path / "state"), PASSWORD_ENV: dovecot.password}
    env.pop("CRM_CREW_CONFIG", None)
    exe = Path(sys.executable).with_name("crm-crew")
    proc = subprocess.Popen([str(exe), "watch", dovecot.url("Watched"), "--config", str(conf), "--poll-s", "30"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, stdin=subprocess.DEVNULL)
    try:
        first = _next_line(proc, 60)
        assert first["interactions"] == 1 and first["exit_code"] == 0
        client = _client(dovecot)
        try:
            client.append("Watched", _mail(7, "Order 4477 arrived broken."))
        finally:
            client.logout()
        second = _next_line(proc, 30)          # IDLE wakes it: well before the 30 s poll
        assert second["interactions"] == 1 and second["run_id"] != first["run_id"]
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=15)
        assert proc.returncode == 0, stderr
        assert "watch stopped: 2 run(s)" in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

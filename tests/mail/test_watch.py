"""`crm-crew watch imaps://...` as a process against the tests' Dovecot: mail appended while it runs is
processed, each run's metrics and the watch's own reach the tests' Pushgateway, and SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from crm_crew.testing.mail_servers import DovecotServer
from tests.mail.test_imap_run import PASSWORD_ENV, _client, _config, _fresh_folder, _mail
from tests.servers_fixtures import PrometheusStack, prometheus_stack  # noqa: F401  (session fixture)

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


def _pushed(gateway: str, run: str) -> dict[str, float]:
    """The Pushgateway's samples of group run=`run`, by name (label sets summed)."""
    with urllib.request.urlopen(f"{gateway}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("run") == run and sample.labels.get("job") == "crm-crew":
                values[sample.name] = values.get(sample.name, 0.0) + sample.value
    return values


def test_watch_processes_mail_as_it_arrives_and_stops_on_sigterm(dovecot: DovecotServer, tmp_path: Path,
                                                                 prometheus_stack: PrometheusStack) -> None:  # noqa: F811
    _fresh_folder(dovecot, "Watched", 1)
    conf = _config(tmp_path / "conf", dovecot, after="seen")
    settings_path = conf / "crm-crew.yaml"
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    settings["metrics"] = {"run_name": "watched-mail", "push_interval_s": 1}
    settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    gateway = prometheus_stack.pushgateway_url
    env = {**os.environ, "CRM_CREW_HOME": str(tmp_path / "state"), PASSWORD_ENV: dovecot.password}
    env.pop("CRM_CREW_CONFIG", None)
    exe = Path(sys.executable).with_name("crm-crew")
    proc = subprocess.Popen([str(exe), "watch", dovecot.url("Watched"), "--config", str(conf), "--poll-s", "30",
                             "--push-metrics", gateway],
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
        deadline = time.monotonic() + 15
        while (pushed := _pushed(gateway, "watched-mail")).get("crm_crew_watch_runs_total", 0) < 2:
            assert time.monotonic() < deadline, f"the watch's runs were not pushed: {pushed}"
            time.sleep(0.2)
        assert time.time() - pushed["crm_crew_watch_last_check_timestamp_seconds"] < 30
        assert pushed["crm_crew_watch_idle"] == 1 and pushed["crm_crew_watch_reconnects_total"] == 0
        assert pushed["crm_crew_interactions_total"] == 2          # the two runs' own metrics, beside the watch's
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=15)
        assert proc.returncode == 0, stderr
        assert "watch stopped: 2 run(s)" in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_watcher_looks_after_connecting_and_when_idle_times_out(dovecot: DovecotServer, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """IDLE reports only what arrives while it runs: mail that came between a run and the watcher's SELECT, or
    a notice the server never sent, must still lead to a look (which reads only what is new)."""
    import threading

    from crm_crew.config.loader import load_config
    from crm_crew.mail.urls import parse_input
    from crm_crew.mail.watch import MailWatcher

    _fresh_folder(dovecot, "Raced", 1)
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)
    cfg = load_config(_config(tmp_path / "conf", dovecot))
    watcher = MailWatcher(parse_input(dovecot.url("Raced")), cfg.settings.mail.imap, cfg.directory, threading.Event())
    try:
        assert watcher.wait(poll_s=20) is True            # connected: at once, whatever arrived before
        assert watcher.idle
        started = time.monotonic()
        assert watcher.wait(poll_s=1) is True             # nothing reported: a look all the same when time is up
        assert time.monotonic() - started < 10
        watcher.stop.set()
        assert watcher.wait(poll_s=1) is False            # stopped: no look
    finally:
        watcher.close()

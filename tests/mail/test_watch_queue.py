"""`crm-crew watch --queue` against the tests' own Dovecot and Redis: each
batch of new mail is worked by a `crm-crew worker` and journaled, the folder's cursor moves, SIGTERM stops the
watch (naming the run to resume when a queued batch was in flight). Metrics: tests/mail/test_watch.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from crm_crew.pipeline.rq_runner import QUEUE_NAME
from crm_crew.store.sqlite import SQLiteStore
from crm_crew.testing.mail_servers import DovecotServer
from crm_crew.testing.prom_servers import free_port
from tests.e2e.clihelp import cli
from tests.mail.test_imap_run import PASSWORD_ENV, _client, _config, _fresh_folder, _mail, _seen
from tests.mail.test_watch import _next_line
from tests.servers_fixtures import redis_url  # noqa: F401  (session fixture)

pytestmark = pytest.mark.slow(seconds=15)

EXE = str(Path(sys.executable).with_name("crm-crew"))


@pytest.fixture
def spawned(tmp_path: Path, dovecot: DovecotServer) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start `crm-crew ARGS` with this test's state folder and the mailbox password; killed if left running."""
    env = {**os.environ, "CRM_CREW_HOME": str(tmp_path / "state"), PASSWORD_ENV: dovecot.password}
    env.pop("CRM_CREW_CONFIG", None)
    started: list[subprocess.Popen[str]] = []

    def spawn(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([EXE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                stdin=subprocess.DEVNULL)
        started.append(proc)
        return proc

    yield spawn
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def _queue(server_url: str, db: int) -> str:
    url = f"{server_url.rsplit('/', 1)[0]}/{db}"
    redis.Redis.from_url(url).flushdb()
    return url


def _append(server: DovecotServer, folder: str, n: int, body: str) -> None:
    client = _client(server)
    try:
        client.append(folder, _mail(n, body))
    finally:
        client.logout()


def _stopped(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    return proc.returncode, stderr


def test_watch_on_a_queue_has_a_worker_journal_each_message_and_moves_the_cursor(
        dovecot: DovecotServer, tmp_path: Path, redis_url: str,  # noqa: F811
        spawned: Callable[..., subprocess.Popen[str]]) -> None:
    _fresh_folder(dovecot, "QueuedWatch", 1)
    conf, queue, url = str(_config(tmp_path / "conf", dovecot, after="seen")), _queue(redis_url, 12), \
        dovecot.url("QueuedWatch")
    worker = spawned("worker", "--queue", queue, "--config", conf)
    watch = spawned("watch", url, "--queue", queue, "--config", conf, "--poll-s", "30")
    first = _next_line(watch, 60)
    assert first["interactions"] == 1 and first["exit_code"] == 0
    _append(dovecot, "QueuedWatch", 8, "The parcel for order 4478 came with a cracked lid; please send a new one.")
    second = _next_line(watch, 30)
    assert second["interactions"] == 1 and second["by_status"] and second["run_id"] != first["run_id"]
    worker.send_signal(signal.SIGTERM)                     # it stops while the watch does
    code, stderr = _stopped(watch)
    assert code == 0, stderr
    assert "watch stopped: 2 run(s)" in stderr

    home, env = tmp_path / "state", {PASSWORD_ENV: dovecot.password}
    shown = cli("show", str(second["run_id"]), "--json", home=home)
    assert [r["interaction_id"] for r in shown.json()["results"]] == ["order-8@globex.io"]
    assert _seen(dovecot, "QueuedWatch") == [1, 2]          # mail.imap.after, done as the follower saw each result
    again = cli("run", url, "--config", conf, "--json", home=home, env=env)
    assert again.code == 0, again.err
    assert again.json()["interactions"] == 0 and again.json()["mailboxes"][0]["new"] == 0
    assert worker.wait(timeout=30) == 0


def test_sigterm_while_a_queued_batch_waits_names_the_run_that_resumes_it(
        dovecot: DovecotServer, tmp_path: Path, redis_url: str,  # noqa: F811
        spawned: Callable[..., subprocess.Popen[str]]) -> None:
    _fresh_folder(dovecot, "NoWorker", 1)
    conf, queue = str(_config(tmp_path / "conf", dovecot)), _queue(redis_url, 11)
    watch = spawned("watch", dovecot.url("NoWorker"), "--queue", queue, "--config", conf)
    client, deadline = redis.Redis.from_url(queue), time.monotonic() + 60
    while not client.llen(f"rq:queue:{QUEUE_NAME}"):                   # no worker: the job waits on the queue
        assert time.monotonic() < deadline and watch.poll() is None, "the batch was never queued"
        time.sleep(0.1)
    code, stderr = _stopped(watch)
    assert code == 0, stderr
    assert "watch stopped: 0 run(s)" in stderr
    named = re.search(r"Finish it with: crm-crew run --resume (\S+) --config \S+ --queue (\S+)", stderr)
    assert named is not None and named[2] == queue, stderr

    worker = spawned("worker", "--queue", queue, "--config", conf)   # the command it printed finishes the run
    home = tmp_path / "state"
    resumed = cli("run", "--resume", named[1], "--queue", queue, "--config", conf, "--json", home=home,
                  env={PASSWORD_ENV: dovecot.password})
    assert resumed.code == 0, resumed.err
    assert resumed.json()["interactions"] == 1
    journal = SQLiteStore(home / "journal.sqlite")
    try:
        assert (journal.mail_cursor(f"{dovecot.user}@127.0.0.1/NoWorker") or (0, 0))[1] == 1   # the cursor moved
    finally:
        journal.close()
    assert _stopped(worker)[0] == 0


def test_an_unreachable_queue_stops_the_watch_before_it_watches(dovecot: DovecotServer, tmp_path: Path) -> None:
    conf = str(_config(tmp_path / "conf", dovecot))
    result = cli("watch", dovecot.url("INBOX"), "--queue", f"redis://127.0.0.1:{free_port()}/0", "--config", conf,
                 home=tmp_path / "state", env={PASSWORD_ENV: dovecot.password})
    assert result.code == 1
    assert "cannot be reached" in result.err and "start the watch again" in result.err

"""`run --batch`: the lean route's requests go out as Message Batches (real CLI, real SDK, the fake API's batch
endpoints), and the interactions then decide as in an interactive run. A run killed while its batch is
processing resumes by collecting that batch (never paying twice); errored and expired batch requests fall
back, one interaction at a time, to the standard API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.config.loader import load_config
from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.crew_policy import crew_policy
from tests.e2e.claude_env import CLAUDE, decisions, make_config, run, write_inbox
from tests.e2e.clihelp import CONFIG, SAMPLES, cli, read_jsonl

pytestmark = pytest.mark.slow(seconds=30)

# routine ones take the lean route (one batched request each); msg-009 goes on to the full crew
PICKED = ("msg-001", "msg-004", "msg-005", "msg-006", "msg-009")
FAST_POLL = {"batch_poll_s": 0.05}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(policy=crew_policy(load_config(CONFIG).settings)) as fake:
        yield fake


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inbox(tmp_path_factory.mktemp("inbox"), PICKED)


@pytest.fixture(scope="module")
def interactive(tmp_path_factory: pytest.TempPathFactory, inbox: Path, server: FakeAnthropic) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("interactive")
    server.reset()
    result = run(tmp / "home", make_config(tmp / "config", server.url, routing=True), inbox, "--llm", CLAUDE,
                 env={"ANTHROPIC_API_KEY": server.api_key})
    result["stats"] = server.stats()
    return result


def _lean_calls(records: list[dict[str, Any]]) -> int:
    return sum(1 for r in records if r["route"] == "lean" and r["llm"]["calls"])


def test_a_batch_run_decides_like_an_interactive_run_and_pays_batch_requests(
        tmp_path: Path, inbox: Path, server: FakeAnthropic, interactive: dict[str, Any]) -> None:
    server.reset()
    server.configure_batches(delay_s=0.2)
    config = make_config(tmp_path / "config", server.url, routing=True, llm=FAST_POLL)

    batched = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, "--batch",
                  env={"ANTHROPIC_API_KEY": server.api_key})

    assert decisions(batched["records"]) == decisions(interactive["records"])
    stats = server.stats()
    assert stats["batches_created"] == 1
    routed = {r["interaction_id"]: r["route"] for r in batched["records"]}
    assert set(routed.values()) == {"lean", "full"}
    # every lean request went in the batch: the standard API served only what the full crew asked
    lean_requests = _lean_calls(batched["records"])
    assert stats["batch_requests"] >= lean_requests > 0
    summary = batched["summary"]
    assert summary["batch_requests"] == sum(r["llm"]["batch_calls"] for r in batched["records"]) == lean_requests
    assert stats["batch_requests"] == lean_requests
    assert stats["requests"] == interactive["stats"]["requests"]      # the same messages, some in the batch
    assert summary["llm_calls"] == interactive["summary"]["llm_calls"]
    assert len(summary["llm_batches"]) == 1


def test_a_run_killed_while_its_batch_processes_resumes_by_collecting_that_batch(
        tmp_path: Path, inbox: Path, server: FakeAnthropic, interactive: dict[str, Any]) -> None:
    server.reset()
    server.configure_batches(delay_s=2.0)
    config = make_config(tmp_path / "config", server.url, routing=True, llm=FAST_POLL)
    home = tmp_path / "home"
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
    env = {**os.environ, "CRM_CREW_HOME": str(home), "ANTHROPIC_API_KEY": server.api_key}
    env.pop("CRM_CREW_CONFIG", None)
    exe = Path(sys.executable).with_name("crm-crew")
    proc = subprocess.Popen([str(exe), "run", str(inbox), "--run-id", "nightly", "-c", str(config), "--llm", CLAUDE,
                             "--batch"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while server.stats()["batches_created"] == 0:     # the batch is sent and being polled
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the run sent no batch"
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert server.stats()["requests"] == server.stats()["batch_requests"]   # killed before any standard call

    out = tmp_path / "resumed.jsonl"
    resumed = cli("run", "--resume", "nightly", "-c", str(config), "--llm", CLAUDE, "--out", str(out), "--json",
                  home=home, env={"ANTHROPIC_API_KEY": server.api_key})

    assert resumed.code == 0, resumed.err
    assert server.stats()["batches_created"] == 1          # collected, not sent again
    records = read_jsonl(out)
    assert decisions(records) == decisions(interactive["records"])
    assert resumed.json()["batch_requests"] == _lean_calls(records) > 0
    assert "batch msgbatch_" in resumed.err and "succeeded" in resumed.err   # polled with progress


def test_errored_and_expired_batch_requests_fall_back_to_the_standard_api_one_by_one(
        tmp_path: Path, inbox: Path, server: FakeAnthropic, interactive: dict[str, Any]) -> None:
    server.reset()
    server.configure_batches(delay_s=0.0, errored=1, expired=1)
    config = make_config(tmp_path / "config", server.url, routing=True, llm=FAST_POLL)

    batched = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, "--batch",
                  env={"ANTHROPIC_API_KEY": server.api_key})

    assert decisions(batched["records"]) == decisions(interactive["records"])
    lean = [r for r in batched["records"] if r["route"] == "lean" and r["llm"]["calls"]]
    from_batch = [r for r in lean if r["llm"]["batch_calls"]]
    assert len(lean) - len(from_batch) == 2                 # the errored one and the expired one
    assert all(r["llm"]["fallback"] is None for r in lean)  # the standard API answered them: no offline model
    assert batched["summary"]["batch_requests"] == len(from_batch)
    assert server.stats()["batches_created"] == 1


def test_when_the_batch_fails_and_the_breaker_opens_the_offline_model_answers_and_escalates(
        tmp_path: Path, inbox: Path, server: FakeAnthropic) -> None:
    server.reset()
    server.configure_batches(errored=len(PICKED))
    server.inject("api_error", count=1)              # the first standard call fails: the breaker opens
    config = make_config(tmp_path / "config", server.url, routing=True, llm={
        **FAST_POLL, "anthropic": {"base_url": server.url, "max_retries": 0},
        "circuit_breaker": {"failures": 1, "cooldown_s": 600}})

    batched = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, "--batch",
                  env={"ANTHROPIC_API_KEY": server.api_key})

    records = [r for r in batched["records"] if r["llm"]["fallback"]]
    assert records and all(r["llm"]["fallback"] == "model_unavailable" for r in records)
    assert all(r["status"] == "escalated" for r in records)
    assert batched["summary"]["batch_requests"] == 0 and server.stats()["batches_created"] == 1


def test_batch_and_queue_are_refused_together_before_anything_runs(tmp_path: Path, inbox: Path) -> None:
    config = make_config(tmp_path / "config", "http://127.0.0.1:9")
    result = cli("run", str(inbox), "--batch", "--queue", "redis://127.0.0.1:9/0", "-c", str(config),
                 home=tmp_path / "home")
    assert result.code == 1 and "not with --queue" in result.err
    assert not (tmp_path / "home").exists()

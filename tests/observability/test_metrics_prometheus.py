"""Metrics through the real servers: runs on the fake Claude API push to the tests' own Pushgateway, a worker
pool serves /metrics, the tests' own Prometheus scrapes both every second, and the values read back through
its query API equal the run summaries'."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from crm_crew.config.loader import load_config
from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.crew_policy import crew_policy
from tests.e2e.claude_env import CLAUDE, make_config, write_inbox
from tests.e2e.clihelp import CONFIG, SAMPLES, cli, read_jsonl, write_jsonl
from tests.servers_fixtures import PrometheusStack, prometheus_stack, redis_url  # noqa: F401  (session fixtures)

pytestmark = pytest.mark.slow(seconds=25)

RUN = 'run="nightly"'


def wait_for(what: str, check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def by(stack: PrometheusStack, promql: str, label: str | None = None) -> dict[str, float]:
    """A query's vector as {label value: value} (label None: {"": the single value})."""
    result = stack.prometheus.query(promql)["result"]
    return {(r["metric"].get(label, "") if label else ""): float(r["value"][1]) for r in result}


def value(stack: PrometheusStack, promql: str) -> float | None:
    return by(stack, promql).get("")


def nonzero(counts: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in counts.items() if v}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, prometheus_stack: PrometheusStack) -> Iterator[dict[str, Any]]:  # noqa: F811
    tmp = tmp_path_factory.mktemp("runs")
    (tmp / "a").mkdir()
    with FakeAnthropic(policy=crew_policy(load_config(CONFIG).settings)) as fake:
        config = make_config(tmp / "config", fake.url, routing=True)
        settings_path = config / "crm-crew.yaml"
        settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
        settings["metrics"] = {"pushgateway_url": prometheus_stack.pushgateway_url, "run_name": "nightly"}
        settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        home, env = tmp / "home", {"ANTHROPIC_API_KEY": fake.api_key}
        assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
        first = cli("run", str(write_inbox(tmp / "a", ("msg-001", "msg-002", "msg-003"))), "--llm", CLAUDE,
                    "--json", "-c", str(config), home=home, env=env)
        assert first.code == 0, first.err
        wait_for("the first run's push", lambda: value(prometheus_stack, f"crm_crew_runs_total{{{RUN}}}") == 1)
        success_at = value(prometheus_stack, f"crm_crew_last_success_timestamp_seconds{{{RUN}}}")
        broken = tmp / "inbox-b.jsonl"
        write_jsonl(broken, [r for r in read_jsonl(SAMPLES / "inbox.jsonl") if r["id"] == "msg-004"])
        with broken.open("a", encoding="utf-8") as handle:
            handle.write("{not json\n")
        second = cli("run", str(broken), "--llm", CLAUDE, "--json", "-c", str(config), home=home, env=env)
        assert second.code == 3, second.err
        wait_for("the second run's push",
                 lambda: value(prometheus_stack, f'crm_crew_runs_total{{{RUN},outcome="failed"}}') == 1)
        yield {"first": first.json(), "second": second.json(), "success_at": success_at}


def test_pushed_counts_and_tokens_equal_the_run_summaries(runs: dict[str, Any],
                                                          prometheus_stack: PrometheusStack) -> None:  # noqa: F811
    first, second, stack = runs["first"], runs["second"], prometheus_stack
    assert first["input_tokens"] > 0 and second["rejected"] == 1
    both: dict[str, float] = {}
    for summary in (first, second):
        for status, n in summary["by_status"].items():
            both[status] = both.get(status, 0) + n
    assert by(stack, f"sum by (status) (crm_crew_interactions_total{{{RUN}}})", "status") == both
    assert by(stack, f"sum by (intent) (crm_crew_interactions_total{{{RUN},intent!=\"none\"}})", "intent") == \
        {i: float(first["by_intent"].get(i, 0) + second["by_intent"].get(i, 0))
         for i in {*first["by_intent"], *second["by_intent"]}}
    for kind, key in (("input", "input_tokens"), ("output", "output_tokens")):
        assert value(stack, f'sum(crm_crew_tokens_total{{{RUN},kind="{kind}"}})') == first[key] + second[key]
    assert value(stack, f"sum(crm_crew_model_calls_total{{{RUN}}})") == first["llm_calls"] + second["llm_calls"]
    lean = by(stack, f'sum by (model) (crm_crew_tokens_total{{{RUN},route="lean",kind="input"}})', "model")
    assert lean == {"claude-haiku-4-5": float(first["by_route"]["lean"]["input_tokens"]
                                              + second["by_route"]["lean"]["input_tokens"])}
    assert value(stack, f"sum(crm_crew_cost_usd_total{{{RUN}}})") == \
        pytest.approx(first["cost_usd"] + second["cost_usd"], abs=1e-5)
    assert value(stack, f"crm_crew_rejects_total{{{RUN}}}") == 1
    first_actions = by(stack, f"sum by (status) (crm_crew_actions_total{{{RUN}}})", "status")
    assert first_actions == {s: nonzero(first["actions"]).get(s, 0) + nonzero(second["actions"]).get(s, 0)
                             for s in {*nonzero(first["actions"]), *nonzero(second["actions"])}}


def test_a_failed_run_keeps_the_last_success_and_counts_as_failed(runs: dict[str, Any],
                                                                  prometheus_stack: PrometheusStack) -> None:  # noqa: F811
    stack = prometheus_stack
    assert runs["success_at"] is not None
    assert value(stack, f"crm_crew_last_success_timestamp_seconds{{{RUN}}}") == runs["success_at"]
    assert value(stack, f"crm_crew_last_run_success{{{RUN}}}") == 0
    assert by(stack, f"crm_crew_runs_total{{{RUN}}}", "outcome") == {"success": 1.0, "failed": 1.0}
    assert value(stack, f"crm_crew_run_in_progress{{{RUN}}}") == 0
    assert value(stack, f"crm_crew_last_run_duration_seconds{{{RUN}}}") == runs["second"]["duration_s"]


def test_an_unreachable_pushgateway_warns_once_and_the_run_succeeds(tmp_path: Path) -> None:
    inbox = write_jsonl(tmp_path / "inbox.jsonl", read_jsonl(SAMPLES / "inbox.jsonl")[:1])
    result = cli("run", str(inbox), "--llm", "offline", "--push-metrics", "http://127.0.0.1:9/", "--json",
                 home=tmp_path / "home")
    assert result.code == 0, result.err
    assert result.err.count("pushing metrics to http://127.0.0.1:9/ failed") == 1


def test_a_worker_pool_serves_jobs_stages_and_the_queue(tmp_path: Path, redis_url: str,  # noqa: F811
                                                        prometheus_stack: PrometheusStack) -> None:
    stack, url = prometheus_stack, f"{redis_url.rsplit('/', 1)[0]}/7"
    redis.Redis.from_url(url).flushdb()
    home = tmp_path / "home"
    env = {**os.environ, "CRM_CREW_HOME": str(home)}
    exe = Path(sys.executable).with_name("crm-crew")
    pool = subprocess.Popen([str(exe), "worker", "--queue", url, "--concurrency", "2",
                             "--metrics-port", str(stack.worker_port)], env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("two live workers", lambda: value(stack, 'crm_crew_workers{job="worker"}') == 2, timeout=60)
        inbox = write_jsonl(tmp_path / "inbox.jsonl", read_jsonl(SAMPLES / "inbox.jsonl")[:3])
        queued = cli("run", str(inbox), "--queue", url, "--llm", "offline", "--json", home=home)
        assert queued.code == 0, queued.err
        wait_for("the jobs on /metrics",
                 lambda: value(stack, 'crm_crew_worker_jobs_total{job="worker",outcome="done"}') == 3)
        assert value(stack, 'crm_crew_stage_duration_seconds_count{job="worker",stage="screen"}') == 3
        assert value(stack, 'crm_crew_stage_duration_seconds_count{job="worker",stage="crm_read"}') > 0
        assert value(stack, 'crm_crew_worker_jobs_in_progress{job="worker"}') == 0
        assert value(stack, 'crm_crew_queue_dead_letters{job="worker"}') == 0
        assert value(stack, 'crm_crew_worker_last_job_timestamp_seconds{job="worker"}') > time.time() - 60
    finally:
        pool.terminate()
        pool.communicate(timeout=60)

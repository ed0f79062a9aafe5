"""Smoke tests of scripts/bench.py: both systems run in both modes and the JSON has every figure; crm-crew also
runs on the RQ runner with two workers (the bench starts its own redis-server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "scripts" / "bench.py"
SYSTEM_KEYS = {"throughput_per_s", "calls_per_interaction", "tokens_per_interaction", "calls_p95", "tokens_p95",
               "latency_p50_ms", "latency_p95_ms", "peak_rss_mb", "errors", "rate_limited"}
RATIO_KEYS = {"throughput_per_s", "calls_per_interaction", "tokens_per_interaction",
              "routine_calls_per_interaction", "routine_tokens_per_interaction", "cost_per_1000", "cost_per_1000_batch"}
COST_KEYS = {"cost_usd", "cost_usd_per_1000", "tokens_by_class_per_interaction", "requests_per_interaction",
             "batch_requests"}


RQ_KEYS = {"runner", "workers", "store", "jobs", "handoff_p50_ms", "handoff_p95_ms", "pickup_p50_ms", "pickup_p95_ms",
           "jobs_per_s", "jobs_per_s_per_worker", "follower_peak_rss_mb", "worker_peak_rss_mb"}


def _bench(*args: str, n: int = 4) -> dict:
    done = subprocess.run([sys.executable, str(BENCH), "--n", str(n), "--baseline-n", "2", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)       # stdout is exactly one JSON object


def _check(result: dict, mode: str) -> None:
    assert result["mode"] == mode and result["n"] == 4
    for system in ("crm_crew", "baseline"):
        figures = result[system]
        assert SYSTEM_KEYS <= set(figures), system
        assert figures["throughput_per_s"] > 0 and figures["errors"] == 0, system
        assert figures["calls_per_interaction"] > 0 and figures["tokens_per_interaction"] > 0, system
        assert figures["peak_rss_mb"] > 0, system
    assert set(result["ratios"]) == RATIO_KEYS
    assert not RQ_KEYS & set(result["crm_crew"]), "the in-process runner's output is unchanged"
    assert all(isinstance(v, float) and v > 0 for k, v in result["ratios"].items() if not k.startswith("cost"))


@pytest.mark.slow(seconds=60)
def test_bench_offline_and_claude_sim() -> None:
    _check(_bench("--mode", "offline"), "offline")

    result = _bench("--mode", "claude-sim", "--latency", "0.05", "--rpm", "6000", "--batch")
    _check(result, "claude-sim")
    # cost at list prices from what the fake API served, standard and --batch; the runs' own accounts agree
    batched = result["crm_crew_batch"]
    for figures in (result["crm_crew"], batched, result["baseline"]):
        assert COST_KEYS <= set(figures["cost"]) and figures["cost"]["cost_usd_per_1000"] > 0
    for figures in (result["crm_crew"], batched):
        assert figures["summary_cost_usd"] == pytest.approx(figures["cost"]["cost_usd"], abs=2e-6)
    assert batched["cost"]["batch_requests"] > 0 and result["crm_crew"]["cost"]["batch_requests"] == 0
    assert 0 < result["ratios"]["cost_per_1000_batch"] < result["ratios"]["cost_per_1000"] < 1
    crm_crew = result["crm_crew"]
    assert crm_crew["ceiling_per_s"] == pytest.approx(6000 / 60 / crm_crew["calls_per_interaction"], rel=1e-2)
    assert crm_crew["ceiling_fraction"] > 0
    # The baseline's per-interaction figures add up to what the fake API served in its phase.
    baseline = result["baseline"]
    assert baseline["calls_per_interaction"] * 2 == baseline["server"]["requests"]


@pytest.mark.slow(seconds=25)
def test_bench_rq_runner_with_two_workers() -> None:
    result = _bench("--runner", "rq", "--workers", "2", "--only", "crm_crew", n=6)
    crm_crew = result["crm_crew"]
    assert SYSTEM_KEYS | RQ_KEYS <= set(crm_crew)
    assert crm_crew["runner"] == "rq" and crm_crew["workers"] == 2 and crm_crew["store"] == "sqlite"
    assert crm_crew["interactions"] == crm_crew["jobs"] == 6 and crm_crew["errors"] == 0
    assert 0 <= crm_crew["handoff_p50_ms"] <= crm_crew["handoff_p95_ms"]
    assert 0 <= crm_crew["pickup_p50_ms"] <= crm_crew["pickup_p95_ms"]
    assert crm_crew["jobs_per_s"] > 0 and 1 <= len(crm_crew["jobs_per_s_per_worker"]) <= 2
    assert len(crm_crew["worker_peak_rss_mb"]) == 2 and crm_crew["follower_peak_rss_mb"] > 0
    assert crm_crew["peak_rss_mb"] == max(crm_crew["worker_peak_rss_mb"])
    assert result["baseline"] == {} and all(v is None for v in result["ratios"].values())

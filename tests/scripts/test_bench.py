"""Smoke test of scripts/bench.py: both systems run in both modes and the JSON has every figure."""

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
              "routine_calls_per_interaction", "routine_tokens_per_interaction"}


def _bench(*args: str) -> dict:
    done = subprocess.run([sys.executable, str(BENCH), "--n", "4", "--baseline-n", "2", *args],
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
    assert all(isinstance(v, float) and v > 0 for v in result["ratios"].values())


@pytest.mark.slow(seconds=50)
def test_bench_offline_and_claude_sim() -> None:
    _check(_bench("--mode", "offline"), "offline")

    result = _bench("--mode", "claude-sim", "--latency", "0.05", "--rpm", "6000")
    _check(result, "claude-sim")
    crm_crew = result["crm_crew"]
    assert crm_crew["ceiling_per_s"] == pytest.approx(6000 / 60 / crm_crew["calls_per_interaction"], rel=1e-2)
    assert crm_crew["ceiling_fraction"] > 0
    # The baseline's per-interaction figures add up to what the fake API served in its phase.
    baseline = result["baseline"]
    assert baseline["calls_per_interaction"] * 2 == baseline["server"]["requests"]

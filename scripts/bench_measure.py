"""Measurement helpers shared by scripts/bench.py and scripts/bench_baseline.py.

    run_child(cmd, env, stdout_path, stderr_path) -> Child      a child process's exit code, wall time, peak RSS
    start_child(...) -> Running; wait_child(running) -> Child     the same in two steps, for children run side by side
    crm_crew_samples(results_jsonl) -> list[Sample]             per-interaction figures from crm-crew's records
    system_figures(samples, duration_s, peak_rss_mb, rate_limited) -> dict   one system's object of the bench JSON
    ratios(crm_crew, baseline) -> dict                          crm_crew / baseline for the compared rates

A Sample is one interaction: model calls, tokens (input + output), wall time in ms, and whether it failed.
Percentiles are nearest-rank, as in crm-crew's run summary.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RATIO_KEYS = ("throughput_per_s", "calls_per_interaction", "tokens_per_interaction")


@dataclass
class Sample:
    calls: int
    tokens: int
    duration_ms: int
    error: bool = False
    route: str = ""          # crm-crew's record: "lean" or "full"; the baseline has no routes


@dataclass
class Child:
    returncode: int
    wall_s: float
    peak_rss_mb: float
    cpu_s: float = 0.0               # user + system CPU time of exactly this child


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    started: float


def start_child(cmd: list[str], env: dict[str, str], stdout_path: Path, stderr_path: Path | None = None) -> Running:
    """Start `cmd` with its stdout (and stderr) in files; wait_child collects it."""
    started = time.perf_counter()
    with stdout_path.open("wb") as out:
        err = stderr_path.open("wb") if stderr_path is not None else None
        try:       # the child holds its own copies of the files
            process = subprocess.Popen(cmd, env=env, stdout=out, stderr=err if err is not None else None)
        finally:
            if err is not None:
                err.close()
    return Running(process, started)


def wait_child(running: Running) -> Child:
    """Wait for the child to exit; its peak RSS is its own (wait4's rusage of exactly this child)."""
    process = running.process
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)   # reaped here: Popen must not wait again
    # ru_maxrss is in kilobytes on Linux.
    return Child(process.returncode, time.perf_counter() - running.started, round(usage.ru_maxrss / 1024, 1),
                 round(usage.ru_utime + usage.ru_stime, 2))


def run_child(cmd: list[str], env: dict[str, str], stdout_path: Path, stderr_path: Path | None = None) -> Child:
    """Run `cmd` to completion: start_child then wait_child."""
    return wait_child(start_child(cmd, env, stdout_path, stderr_path))


def crm_crew_samples(results: Path) -> list[Sample]:
    """One Sample per record of `crm-crew run --out`; status "failed" (or "rejected") is an error."""
    samples = []
    with results.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            llm = record.get("llm") or {}
            samples.append(Sample(int(llm.get("calls", 0)),
                                  int(llm.get("input_tokens", 0)) + int(llm.get("output_tokens", 0)),
                                  int(record.get("duration_ms") or 0),
                                  record.get("status") in ("failed", "rejected"), str(record.get("route") or "")))
    return samples


def percentile(values: Sequence[int], pct: float) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    rank = math.ceil(pct / 100 * len(ordered))
    return ordered[min(len(ordered), max(1, rank)) - 1]


def system_figures(samples: list[Sample], duration_s: float, peak_rss_mb: float, rate_limited: int) -> dict[str, Any]:
    """The figures of one system. Calls and tokens are over every interaction; latency over the successful ones."""
    n = len(samples)
    calls = [s.calls for s in samples]
    tokens = [s.tokens for s in samples]
    latencies = [s.duration_ms for s in samples if not s.error]
    return {
        "interactions": n,
        "duration_s": round(duration_s, 3),
        "throughput_per_s": round(n / duration_s, 3) if duration_s > 0 else 0.0,
        "calls_per_interaction": round(sum(calls) / n, 3) if n else 0.0,
        "tokens_per_interaction": round(sum(tokens) / n, 1) if n else 0.0,
        "calls_p95": percentile(calls, 95),
        "tokens_p95": percentile(tokens, 95),
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "peak_rss_mb": peak_rss_mb,
        "errors": sum(s.error for s in samples),
        "rate_limited": rate_limited,
        **({"by_route": _by_route(samples)} if any(s.route for s in samples) else {}),
    }


def _by_route(samples: list[Sample]) -> dict[str, dict[str, float]]:
    """Share, calls and tokens per interaction of each route ("lean" is the routine interactions)."""
    routes: dict[str, dict[str, float]] = {}
    for route in sorted({s.route for s in samples if s.route}):
        group = [s for s in samples if s.route == route]
        routes[route] = {"interactions": len(group), "share": round(len(group) / len(samples), 3),
                         "calls_per_interaction": round(sum(s.calls for s in group) / len(group), 3),
                         "tokens_per_interaction": round(sum(s.tokens for s in group) / len(group), 1)}
    return routes


def ratios(crm_crew: dict[str, Any], baseline: dict[str, Any]) -> dict[str, float | None]:
    """crm_crew / baseline; None when the baseline's figure is 0 (or a side did not run)."""
    result: dict[str, float | None] = {}
    for key in RATIO_KEYS:
        a, b = crm_crew.get(key), baseline.get(key)
        result[key] = _ratio(a, b)
    lean = (crm_crew.get("by_route") or {}).get("lean", {})
    for key in ("calls_per_interaction", "tokens_per_interaction"):    # the "per routine interaction"
        result[f"routine_{key}"] = _ratio(lean.get(key), baseline.get(key))
    return result


def _ratio(a: Any, b: Any) -> float | None:
    return round(a / b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def write_samples(path: Path, samples: list[Sample], duration_s: float, extra: dict[str, Any]) -> None:
    path.write_text(json.dumps({"duration_s": duration_s, "samples": [asdict(s) for s in samples], **extra}),
                    encoding="utf-8")


def read_samples(path: Path) -> tuple[list[Sample], float, dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    samples = [Sample(**s) for s in data.pop("samples")]
    return samples, float(data.pop("duration_s")), data

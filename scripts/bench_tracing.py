"""`bench.py --tracing`: crm-crew with tracing off and on, side by side in one invocation.

Rounds alternate off, on, off, on... on the same inbox, each a fresh state folder; tracing on exports every
span over OTLP/HTTP to a receiver on loopback the bench starts (crm_crew.testing.otlp_receiver). Each side's
figure is its best round (the rounds least disturbed by other load on the machine):
  cost_fraction      1 - on / off throughput (processing time: the summary's duration_s);
  cpu_cost_fraction  on / off CPU seconds - 1: the crm-crew process's user + system time from start to exit
                     (the last export included), which other load on the machine hardly moves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_measure import log

from crm_crew.observability.tracing import ENDPOINT_ENV
from crm_crew.testing.otlp_receiver import otlp_receiver

RunOnce = Callable[[Path], dict[str, Any]]


def tracing_overhead(work: Path, rounds: int, run_once: RunOnce) -> dict[str, Any]:
    """`run_once(folder)` runs crm-crew once and returns its figures; tracing is on when the bench's receiver
    is named in $OTEL_EXPORTER_OTLP_ENDPOINT."""
    saved = os.environ.pop(ENDPOINT_ENV, None)
    off: list[float] = []
    on: list[float] = []
    walls: dict[str, list[float]] = {"off": [], "on": []}
    cpus: dict[str, list[float]] = {"off": [], "on": []}
    spans = 0
    try:
        with otlp_receiver() as (url, received):
            for i in range(rounds):
                log(f"tracing round {i + 1}/{rounds}: off")
                figures = run_once(work / f"tracing-off-{i}")
                off.append(figures["throughput_per_s"])
                walls["off"].append(figures["wall_s"])
                cpus["off"].append(figures["cpu_s"])
                log(f"tracing round {i + 1}/{rounds}: on, to {url}")
                received.clear()
                os.environ[ENDPOINT_ENV] = url
                try:
                    figures = run_once(work / f"tracing-on-{i}")
                    on.append(figures["throughput_per_s"])
                    walls["on"].append(figures["wall_s"])
                    cpus["on"].append(figures["cpu_s"])
                finally:
                    os.environ.pop(ENDPOINT_ENV, None)
                spans = len(received.spans)
    finally:
        if saved is not None:
            os.environ[ENDPOINT_ENV] = saved
    best_off, best_on = max(off), max(on)
    return {"rounds": rounds, "off_throughput_per_s": off, "on_throughput_per_s": on,
            "off_best_per_s": best_off, "on_best_per_s": best_on,
            "cost_fraction": round(1 - best_on / best_off, 4) if best_off else None,
            "off_wall_s": walls["off"], "on_wall_s": walls["on"], "off_cpu_s": cpus["off"], "on_cpu_s": cpus["on"],
            "cpu_cost_fraction": round(min(cpus["on"]) / min(cpus["off"]) - 1, 4) if min(cpus["off"]) else None,
            "spans_received_last_round": spans}

"""The metrics of one run, as a fresh Prometheus registry to push (see metrics_push.py).

Counters (`_total`) add up every run of one run name, kept in the state folder (metrics_totals.py), so
`increase(...[1d])` in Prometheus counts what a day's runs did. The `last_*` gauges describe the latest run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, disable_created_metrics

from crm_crew.observability.metrics_tally import RunTally

disable_created_metrics()     # no `_created` series: a pushed counter is rebuilt on every push

MODEL_COUNTERS = {
    "calls": ("crm_crew_model_calls", "Model requests answered"),
    "cache_hits": ("crm_crew_model_cache_hits", "Model requests answered from the response cache"),
    "rate_limited": ("crm_crew_model_rate_limited", "Model API answers 429 (rate limited)"),
    "retries": ("crm_crew_model_retries", "Model requests sent again after a 429, 5xx or timeout"),
}


@dataclass
class RunState:
    """What the push says about the run itself."""

    started_at: float                     # epoch seconds
    ended_at: float | None = None         # None while it runs
    duration_s: float | None = None
    success: bool | None = None           # None while it runs; True: finished with exit code 0
    runs: dict[str, int] | None = None    # outcome -> runs of this name so far (success, failed)
    breaker_open: int = 0                 # model endpoints whose circuit breaker is open
    review_depth: int | None = None       # pending review items (the whole store)
    review_oldest: float | None = None    # epoch seconds of the oldest pending one


def run_registry(tally: RunTally, state: RunState) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    _run_gauges(registry, state)
    _counter(registry, "crm_crew_interactions", "Interactions worked, by outcome and triage",
             ("status", "intent", "urgency", "route", "language"), tally.interactions.items())
    _counter(registry, "crm_crew_rejects", "Records rejected (unreadable, over a limit, or failed)", (),
             [((), sum(n for labels, n in tally.interactions.items() if labels[0] in ("rejected", "failed")))])
    _counter(registry, "crm_crew_escalations", "Interactions handed to a human, by escalation rule or kind",
             ("reason",), tally.escalations.items())
    _counter(registry, "crm_crew_actions", "Planned CRM changes, by type and current status", ("type", "status"),
             tally.actions.items())
    for what, (name, text) in MODEL_COUNTERS.items():
        _counter(registry, name, text, ("model", "route"),
                 [(labels[1:], n) for labels, n in tally.model.items() if labels[0] == what])
    _counter(registry, "crm_crew_tokens", "Model tokens by kind (input, output, cache_read, cache_write)",
             ("kind", "model", "route"), tally.tokens.items())
    _counter(registry, "crm_crew_cost_usd", "Model cost in US dollars, from llm.prices", ("model", "route"),
             tally.cost.items())
    _counter(registry, "crm_crew_fallbacks", "Interactions moved to the offline model (budget, model_unavailable)",
             ("reason",), tally.fallbacks.items())
    _counter(registry, "crm_crew_mcp_tool_calls", "Calls of agents' MCP tools (agents.yaml mcps:), by server and tool",
             ("server", "tool"), tally.mcp_calls.items())
    return registry


def _run_gauges(registry: CollectorRegistry, state: RunState) -> None:
    def gauge(name: str, text: str, value: float) -> None:
        Gauge(name, text, registry=registry).set(value)

    gauge("crm_crew_last_run_timestamp_seconds", "When the latest run started (Unix time)", state.started_at)
    gauge("crm_crew_run_in_progress", "1 while a run of this name is working", 1 if state.ended_at is None else 0)
    gauge("crm_crew_breaker_open", "Model endpoints whose circuit breaker is open", state.breaker_open)
    if state.ended_at is not None:
        gauge("crm_crew_last_run_end_timestamp_seconds", "When the latest run ended (Unix time)", state.ended_at)
        gauge("crm_crew_last_run_success", "1 when the latest run finished with exit code 0, else 0",
              1 if state.success else 0)
    if state.duration_s is not None:
        gauge("crm_crew_last_run_duration_seconds", "How long the latest run took", state.duration_s)
    if state.success:
        gauge("crm_crew_last_success_timestamp_seconds", "When the latest successful run ended (Unix time)",
              state.ended_at or state.started_at)
    if state.review_depth is not None:
        gauge("crm_crew_review_queue_depth", "Review items waiting for a decision", state.review_depth)
        gauge("crm_crew_review_queue_oldest_timestamp_seconds",
              "When the oldest waiting review item was queued (Unix time; 0: none waits)", state.review_oldest or 0)
    if state.runs is not None:
        _counter(registry, "crm_crew_runs", "Runs of this name that ended, by outcome", ("outcome",),
                 [((outcome,), n) for outcome, n in state.runs.items()])


def _counter(registry: CollectorRegistry, name: str, text: str, labels: tuple[str, ...],
             values: Iterable[tuple[tuple[str, ...], Any]]) -> None:
    counter = Counter(name, text, labels, registry=registry)
    for label_values, value in values:
        if value:
            (counter.labels(*label_values) if labels else counter).inc(value)

"""Figures of a run, from its result records (the analytics tool and the summary share them)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from typing import Any


def _percentile(values: list[int], pct: float) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    rank = math.ceil(pct / 100 * len(ordered))  # nearest-rank percentile
    return ordered[min(len(ordered), max(1, rank)) - 1]


# an action the run made or will make (shadow: planned); not one held, refused or undone
RECORDED_STATUSES = ("planned", "applying", "applied", "skipped")
USAGE_KEYS = ("calls", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
              "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_hits", "rate_limited", "retries", "batch_calls")
# the summary's totals (key in the summary: key in a meter's snapshot) that add up records and run-level calls
TOTALS = {"llm_calls": "calls", "input_tokens": "input_tokens", "output_tokens": "output_tokens",
          "cache_read_tokens": "cache_read_tokens", "cache_write_tokens": "cache_write_tokens",
          "cache_write_5m_tokens": "cache_write_5m_tokens", "cache_write_1h_tokens": "cache_write_1h_tokens",
          "cache_hits": "cache_hits", "retries": "retries", "rate_limited": "rate_limited",
          "batch_requests": "batch_calls"}


class CostBook:
    """Model usage and cost per route and in total, from the records' `llm` objects."""

    def __init__(self) -> None:
        self.routes: dict[str, dict[str, Any]] = {}
        self.fallbacks: Counter[str] = Counter()
        self.unpriced: set[str] = set()

    def add(self, record: dict[str, Any]) -> None:
        llm = record.get("llm") or {}
        route = self.routes.setdefault(record.get("route") or "none",
                                       {"interactions": 0, **{k: 0 for k in USAGE_KEYS}, "cost_usd": 0.0})
        route["interactions"] += 1
        for key in USAGE_KEYS:
            route[key] += int(llm.get(key) or 0)
        route["cost_usd"] += float(llm.get("cost_usd") or 0.0)
        if llm.get("fallback"):
            self.fallbacks[llm["fallback"]] += 1
        self.unpriced.update(llm.get("unpriced") or [])

    def figures(self) -> dict[str, Any]:
        for route in self.routes.values():
            route["cost_usd"] = round(route["cost_usd"], 6)
            route["calls_per_interaction"] = round(route["calls"] / route["interactions"], 2)
        total = round(sum(r["cost_usd"] for r in self.routes.values()), 6)
        return {"cost_usd": total, "by_route": {k: self.routes[k] for k in sorted(self.routes) if k != "none"},
                "cache_hits": sum(r["cache_hits"] for r in self.routes.values()),
                "cache_read_tokens": sum(r["cache_read_tokens"] for r in self.routes.values()),
                **{key: sum(r[key] for r in self.routes.values())
                   for key in ("cache_write_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens")},
                "retries": sum(r["retries"] for r in self.routes.values()),
                "rate_limited": sum(r["rate_limited"] for r in self.routes.values()),
                "batch_requests": sum(r["batch_calls"] for r in self.routes.values()),
                "fallbacks": dict(self.fallbacks), "unpriced_models": sorted(self.unpriced)}


def run_figures(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    status: Counter[str] = Counter()
    intent: Counter[str] = Counter()
    urgency: Counter[str] = Counter()
    sentiment: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    action_types: Counter[str] = Counter()
    durations: list[int] = []
    calls = input_tokens = output_tokens = opt_outs = 0
    costs = CostBook()
    for r in records:
        status[r["status"]] += 1
        costs.add(r)
        if r.get("intent"):
            intent[r["intent"]] += 1
        if r.get("urgency"):
            urgency[r["urgency"]] += 1
        if r.get("sentiment"):
            sentiment[r["sentiment"]["label"]] += 1
        if r.get("escalation"):
            reasons[r["escalation"]["reason"]] += 1
        for a in r.get("actions", []):
            actions[a["status"]] += 1
            action_types[a["type"]] += 1
            if a["type"] == "opt_out" and a["status"] in RECORDED_STATUSES:
                opt_outs += 1
        llm = r.get("llm") or {}
        calls += llm.get("calls", 0)
        input_tokens += llm.get("input_tokens", 0)
        output_tokens += llm.get("output_tokens", 0)
        if r["status"] in ("processed", "escalated"):
            durations.append(int(r.get("duration_ms") or 0))
    total = sum(status.values())
    return {
        "interactions": total,
        "by_status": dict(status),
        "by_intent": dict(intent.most_common()),
        "by_urgency": dict(urgency.most_common()),
        "by_sentiment": dict(sentiment.most_common()),
        "escalations": sum(reasons.values()),
        "escalation_reasons": dict(reasons.most_common()),
        "actions": {**{s: actions.get(s, 0) for s in ("planned", "applied", "held", "skipped", "failed")},
                    **{s: n for s, n in actions.items() if s in ("applying", "rejected", "rolled_back") and n}},
        "actions_by_type": dict(action_types.most_common()),
        "opt_outs": opt_outs,
        "rejected": status.get("rejected", 0),
        "llm_calls": calls,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "tokens": input_tokens + output_tokens,
        **costs.figures(),
        "latency_p50_ms": _percentile(durations, 50),
        "latency_p95_ms": _percentile(durations, 95),
    }


def add_run_level(summary: dict[str, Any], run_level: dict[str, Any]) -> None:
    """Add the run's own model calls (a meter snapshot: the analytics step's) to the summary's totals, which
    then count every call the process made; `records_llm` keeps the records' part, `run_level_llm` the rest."""
    summary["records_llm"] = {key: summary.get(key, 0) for key in (*TOTALS, "cost_usd")}
    summary["run_level_llm"] = run_level
    for key, name in TOTALS.items():
        summary[key] = int(summary.get(key) or 0) + int(run_level.get(name) or 0)
    summary["tokens"] = summary["input_tokens"] + summary["output_tokens"]
    summary["cost_usd"] = round(float(summary.get("cost_usd") or 0.0) + float(run_level.get("cost_usd") or 0.0), 6)
    summary["unpriced_models"] = sorted({*summary.get("unpriced_models", []), *run_level.get("unpriced", [])})

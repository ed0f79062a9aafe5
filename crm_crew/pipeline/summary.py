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


def run_figures(records: Iterable[dict[str, Any]]) -> dict[str, Any]:
    status: Counter[str] = Counter()
    intent: Counter[str] = Counter()
    urgency: Counter[str] = Counter()
    sentiment: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    action_types: Counter[str] = Counter()
    durations: list[int] = []
    calls = input_tokens = output_tokens = 0
    for r in records:
        status[r["status"]] += 1
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
        "rejected": status.get("rejected", 0),
        "llm_calls": calls,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "tokens": input_tokens + output_tokens,
        "latency_p50_ms": _percentile(durations, 50),
        "latency_p95_ms": _percentile(durations, 95),
    }

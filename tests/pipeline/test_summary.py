"""Run figures from result records (crm_crew.pipeline.summary)."""

from __future__ import annotations

from typing import Any

import pytest

from crm_crew.pipeline.summary import _percentile, run_figures


def record(status: str = "processed", intent: str | None = "support", urgency: str | None = "low",
           sentiment: str | None = "neutral", escalation: str | None = None, actions: list[tuple[str, str]] = (),
           llm: dict[str, int] | None = None, duration_ms: int = 100) -> dict[str, Any]:
    return {
        "interaction_id": "x", "status": status, "intent": intent, "urgency": urgency,
        "sentiment": None if sentiment is None else {"label": sentiment, "score": 0.0},
        "escalation": None if escalation is None else {"reason": escalation},
        "actions": [{"type": t, "status": s} for t, s in actions],
        "llm": llm or {"calls": 0, "input_tokens": 0, "output_tokens": 0}, "duration_ms": duration_ms,
    }


def test_figures_of_a_run() -> None:
    records = [
        record(intent="support", urgency="high", sentiment="negative", actions=[("log_activity", "applied")],
               llm={"calls": 5, "input_tokens": 1000, "output_tokens": 200}, duration_ms=300),
        record(intent="support", urgency="low", sentiment="neutral",
               actions=[("log_activity", "applied"), ("create_case", "failed")],
               llm={"calls": 4, "input_tokens": 800, "output_tokens": 100}, duration_ms=100),
        record(status="escalated", intent="complaint", urgency="critical", sentiment="negative",
               escalation="Urgency is critical.", actions=[("log_activity", "held"), ("create_case", "held")],
               llm={"calls": 6, "input_tokens": 1200, "output_tokens": 300}, duration_ms=200),
        record(status="rejected", intent=None, urgency=None, sentiment=None, duration_ms=0),
        record(status="failed", intent=None, urgency=None, sentiment=None,
               llm={"calls": 1, "input_tokens": 50, "output_tokens": 0}, duration_ms=9999),
    ]
    f = run_figures(records)
    assert f["interactions"] == 5
    assert f["by_status"] == {"processed": 2, "escalated": 1, "rejected": 1, "failed": 1}
    assert f["by_intent"] == {"support": 2, "complaint": 1}
    assert list(f["by_intent"]) == ["support", "complaint"]  # most common first
    assert f["by_urgency"] == {"high": 1, "low": 1, "critical": 1}
    assert f["by_sentiment"] == {"negative": 2, "neutral": 1}
    assert f["escalations"] == 1 and f["escalation_reasons"] == {"Urgency is critical.": 1}
    assert f["actions"] == {"planned": 0, "applied": 2, "held": 2, "skipped": 0, "failed": 1}
    assert f["actions_by_type"] == {"log_activity": 3, "create_case": 2}
    assert f["rejected"] == 1
    assert (f["llm_calls"], f["input_tokens"], f["output_tokens"], f["tokens"]) == (16, 3050, 600, 3650)
    # latency only over processed and escalated interactions
    assert f["latency_p50_ms"] == 200 and f["latency_p95_ms"] == 300


def test_figures_of_an_empty_run() -> None:
    f = run_figures([])
    assert f["interactions"] == 0 and f["by_status"] == {} and f["escalations"] == 0
    assert f["actions"] == {"planned": 0, "applied": 0, "held": 0, "skipped": 0, "failed": 0}
    assert (f["latency_p50_ms"], f["latency_p95_ms"], f["tokens"]) == (0, 0, 0)


def test_missing_optional_fields_count_as_zero() -> None:
    f = run_figures([{"status": "processed"}, {"status": "processed", "llm": None, "duration_ms": None}])
    assert f["interactions"] == 2 and f["llm_calls"] == 0 and f["latency_p95_ms"] == 0


def test_run_figures_accepts_a_generator() -> None:
    assert run_figures(record() for _ in range(3))["interactions"] == 3


@pytest.mark.parametrize(("values", "pct", "expected"), [
    ([], 50, 0),
    ([7], 50, 7),
    ([7], 95, 7),
    ([300, 100, 200], 50, 200),
    ([100, 200, 300, 400], 50, 200),
    ([100, 200, 300, 400], 95, 400),
    (list(range(1, 11)), 95, 10),
])
def test_percentile_nearest_rank(values: list[int], pct: float, expected: int) -> None:
    assert _percentile(values, pct) == expected


@pytest.mark.parametrize(("values", "pct", "expected"), [
    (list(range(1, 101)), 95, 95),
    (list(range(10, 101, 10)), 50, 50),
    ([100, 200], 50, 100),
    (list(range(1, 21)), 95, 19),
])
def test_percentile_nearest_rank_when_the_rank_is_whole(values: list[int], pct: float, expected: int) -> None:
    assert _percentile(values, pct) == expected

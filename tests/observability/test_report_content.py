"""What the report says about a run, built from a RunData made here (no store): costs, long lists, states."""

from __future__ import annotations

from typing import Any

from crm_crew.observability.report.content import build_document
from crm_crew.observability.report.document import Paragraph, Table
from crm_crew.observability.report.gather import MAX_LISTED, RunData, TrailCheck
from crm_crew.observability.report.sections_run import cost_rows
from crm_crew.store.audit import AuditEntry
from crm_crew.store.base import RunInfo

HAIKU = "anthropic/claude-haiku-4-5"


def _record(i: int, route: str, models: dict[str, int], cost: float) -> dict[str, Any]:
    return {"interaction_id": f"m-{i}", "status": "processed", "route": route, "duration_ms": 10 * i,
            "llm": {"calls": sum(models.values()), "input_tokens": 100, "output_tokens": 10, "cost_usd": cost,
                    "models": models}}


def _data(results: list[dict[str, Any]], writes: list[AuditEntry], state: str = "finished") -> RunData:
    info = RunInfo("r1", "2026-12-01T00:00:00+00:00", None, "finished", "apply", [], "/cfg", "local")
    summary = {"interactions": len(results), "analytics_llm": {"calls": 1, "input_tokens": 50, "output_tokens": 5,
                                                               "cost_usd": 0.001, "models": {HAIKU: 1}}}
    return RunData(info, state, summary, results, writes, [], TrailCheck(True, len(writes)))


def test_cost_goes_to_the_route_and_model_that_spent_it() -> None:
    results = [_record(1, "lean", {HAIKU: 1}, 0.002), _record(2, "lean", {HAIKU: 1}, 0.003),
               _record(3, "full", {HAIKU: 3, "offline": 2}, 0.01), {"interaction_id": "bad", "status": "rejected",
                                                                     "llm": {"calls": 0}}]
    rows = cost_rows(_data(results, []))
    assert rows == [
        ["analytics", HAIKU, "0", "1", "50", "5", "$0.0010"],
        ["full", f"{HAIKU} + offline", "1", "5", "100", "10", "$0.0100"],
        ["lean", HAIKU, "2", "2", "200", "20", "$0.0050"],
    ]


def test_a_long_list_of_writes_is_cut_and_says_how_to_see_all() -> None:
    writes = [AuditEntry("r1", f"m-{i}", "me", "action", "local", "create", "task", f"T-{i}", None, {"subject": "x"},
                         "applied", seq=i + 1) for i in range(MAX_LISTED + 5)]
    doc = build_document(_data([], writes))
    section = next(s for s in doc.sections if s.id == "writes")
    listing = [b for b in section.blocks if isinstance(b, Table) and b.headers[0] == "#"][0]
    assert len(listing.rows) == MAX_LISTED
    assert listing.note == (f"The first {MAX_LISTED:,} of {MAX_LISTED + 5:,}; all of them: "
                            f"crm-crew audit show --run r1 --limit {MAX_LISTED + 5}")


def test_a_running_run_says_so_first() -> None:
    doc = build_document(_data([], [], state="running"))
    assert doc.title.endswith("(RUNNING)")
    first = doc.sections[0].blocks[0]
    assert isinstance(first, Paragraph) and first.tone == "warn" and "still running" in first.text

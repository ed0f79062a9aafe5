"""Deciding every pending review item of a run at once, one item at a time through the single decision.

Each item goes through `review.approve` or `review.reject` exactly as `review approve ID` would:
the same checks, audit entry and write path. An item that cannot be decided (decided otherwise
meanwhile, an action refused) is reported and the others go on; a CRM that cannot be reached
stops the batch (the rest would fail the same way) and a tampered journal stops it with exit 4.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from crm_crew.config.loader import CrewConfig
from crm_crew.errors import CrmCrewError, CrmUnavailableError, NotFoundError
from crm_crew.pipeline import review
from crm_crew.store.base import ReviewItem, Store
from crm_crew.store.seals import require_sealed
from crm_crew.store.trail import Trail

Decision = Literal["approve", "reject"]
Outcome = Literal["approved", "rejected", "failed", "not_attempted"]


@dataclass
class ItemResult:
    item: ReviewItem
    outcome: Outcome
    error: str | None = None
    report: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"review_id": self.item.review_id, "interaction_id": self.item.interaction_id,
                "intent": self.item.intent, "urgency": self.item.urgency, "outcome": self.outcome,
                "error": self.error, "report": self.report}


@dataclass
class BulkReport:
    decision: Decision
    run_id: str
    intent: str | None
    results: list[ItemResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def actions_failed(self) -> int:
        """Actions of approved items that failed to write (approving those items again retries them)."""
        return sum(int((r.report or {}).get("failed") or 0) for r in self.results)

    @property
    def clean(self) -> bool:
        return self.count("failed") == 0 and self.count("not_attempted") == 0 and self.actions_failed == 0

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "run_id": self.run_id, "intent": self.intent,
                "items": len(self.results), "approved": self.count("approved"), "rejected": self.count("rejected"),
                "failed": self.count("failed"), "not_attempted": self.count("not_attempted"),
                "actions_failed": self.actions_failed, "results": [r.to_dict() for r in self.results]}


def pending_of_run(store: Store, run_id: str, intent: str | None) -> list[ReviewItem]:
    """The run's pending items (only `intent`'s, when given), in queue order."""
    if store.get_run(run_id) is None:
        raise NotFoundError(f"no run {run_id!r} (see `crm-crew runs`)")
    return store.list_reviews("pending", None, intent, run_id)


def _crm_down(exc: BaseException) -> bool:
    return isinstance(exc, CrmUnavailableError) or isinstance(exc.__cause__, CrmUnavailableError)


def decide_run(config: CrewConfig, home: Path, store: Store, report: BulkReport, items: list[ReviewItem],
               actor: str, reason: str) -> BulkReport:
    """Decide `items` (pending items of `report.run_id`) one by one with the single decision, as `actor`.

    A key problem, or an edited action in any of the items, stops the batch before anything is decided."""
    key = Trail.open(config.settings.audit.key_env, home, store).key
    require_sealed(key, (a for i in items for a in store.actions(i.run_id, i.interaction_id)),
                   f"{report.decision} the pending items of run {report.run_id}")

    def decide(item: ReviewItem) -> dict[str, Any]:
        if report.decision == "approve":
            return review.approve(config, home, store, item.review_id, actor, None, reason)
        return review.reject(config, home, store, item.review_id, actor, reason)

    return _decide_each(report, items, decide)


def _decide_each(report: BulkReport, items: list[ReviewItem],
                 decide: Callable[[ReviewItem], dict[str, Any]]) -> BulkReport:
    done: Outcome = "approved" if report.decision == "approve" else "rejected"
    stopped = False
    for item in items:
        if stopped:
            report.results.append(ItemResult(item, "not_attempted"))
            continue
        try:
            report.results.append(ItemResult(item, done, report=decide(item)))
        except CrmCrewError as exc:
            if exc.exit_code == 4:     # a tampered journal or trail: nothing more is written
                raise
            report.results.append(ItemResult(item, "failed", error=str(exc)))
            stopped = _crm_down(exc)
    return report

"""Everything a report shows, read from the store once: the run, its records, writes, reviews and the trail's check."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_crew.errors import NotFoundError, UserError
from crm_crew.pipeline.run_view import true_status
from crm_crew.pipeline.summary import run_figures
from crm_crew.store.audit import AuditEntry
from crm_crew.store.base import ReviewItem, RunInfo, Store

MAX_LISTED = 300        # rows of a long list (writes, reviews, rejects) in a report that stays readable


@dataclass
class TrailCheck:
    """`audit verify`'s verdict, or why it could not be given."""

    ok: bool | None                 # None: not checked (no audit key)
    entries: int = 0
    problems: list[str] = field(default_factory=list)
    head: tuple[int, str] | None = None
    actions: int = 0
    unsealed: int = 0


@dataclass
class RunData:
    info: RunInfo
    state: str                      # finished | died | running | interrupted
    summary: dict[str, Any]         # the run summary (`show RUN_ID --json`), or figures so far while running
    results: list[dict[str, Any]]
    writes: list[AuditEntry]        # the run's audit entries, in chain order
    reviews: list[ReviewItem]
    trail: TrailCheck
    key_env: str = "CRM_CREW_AUDIT_KEY"

    @property
    def complete(self) -> bool:
        return self.state in ("finished", "died")


def check_trail_quietly(store: Store, home: Path, key_env: str) -> TrailCheck:
    """What `crm-crew audit verify` would say, without moving the anchor (a report only reads)."""
    from crm_crew.store.key_source import find_key
    from crm_crew.store.trail import anchor_file, is_embedded
    from crm_crew.store.verify import check_trail

    try:
        source = find_key(key_env, home, is_embedded(store))
    except UserError as exc:
        return TrailCheck(None, problems=[str(exc)])
    if source is None:
        return TrailCheck(None, problems=[f"no audit key: set {key_env} (as for `crm-crew audit verify`) to check "
                                          "the trail"])
    report = check_trail(store, source, anchor_file(home, store, source.key))
    head = (report.head.seq, report.head.hash) if report.head else None
    return TrailCheck(report.ok, report.chain.entries, report.all_problems(), head, report.actions, report.unsealed)


def gather(store: Store, home: Path, run_id: str, key_env: str) -> RunData:
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' (see `crm-crew runs`)")
    state = true_status(home, info)   # as `runs` and `show` say it
    results = list(store.results(run_id))
    summary = info.summary if state in ("finished", "died") and "interactions" in info.summary else {
        **info.summary, **run_figures(results)}
    return RunData(info, state, summary, results, list(store.audit_entries(run_id)),
                   store.list_reviews(None, run_id=run_id), check_trail_quietly(store, home, key_env), key_env)

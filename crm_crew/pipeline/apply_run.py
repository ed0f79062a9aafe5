"""`crm-crew apply RUN_ID`: carry out a recorded plan later, exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.registry import open_crm
from crm_crew.errors import NotFoundError
from crm_crew.pipeline.apply import Applier
from crm_crew.pipeline.apply_batched import apply_batched
from crm_crew.pipeline.summary import run_figures
from crm_crew.store.base import ActionRow, Store


def apply_run(config: CrewConfig, home: Path, store: Store, run_id: str) -> dict[str, Any]:
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' in {home} (see `crm-crew runs`)")
    settings = config.settings
    connector = open_crm(settings.crm, home)
    applier = Applier(store, connector, run_id)
    counts: Counter[str] = Counter()
    by_interaction: dict[str, list[ActionRow]] = {}
    for row in store.actions(run_id):
        by_interaction.setdefault(row.interaction_id, []).append(row)
    before = {(r.interaction_id, r.seq): r.status for rows in by_interaction.values() for r in rows}
    try:
        apply_batched(applier, list(by_interaction.values()))
    finally:
        connector.close()
    for rows in by_interaction.values():
        for r in rows:
            was = before[(r.interaction_id, r.seq)]
            counts[r.status if was in ("planned", "failed") else f"already_{was}"] += 1
    summary = dict(info.summary)
    summary.update(run_figures(store.results(run_id)))
    summary["mode"] = "applied later" if info.mode == "shadow" else info.mode
    store.update_summary(run_id, summary)
    return {
        "run_id": run_id, "crm": settings.crm.type,
        "applied": counts["applied"], "skipped": counts["skipped"], "failed": counts["failed"],
        "held": counts["already_held"], "already_applied": counts["already_applied"] + counts["already_skipped"],
    }

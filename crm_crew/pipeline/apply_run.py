"""`crm-crew apply RUN_ID`: carry out a recorded plan later, exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.registry import open_crm
from crm_crew.errors import NotFoundError, UserError
from crm_crew.mail.replies_out import RepliesOut
from crm_crew.pipeline.apply import Applier
from crm_crew.pipeline.apply_batched import apply_batched
from crm_crew.pipeline.run_lock import RunLock
from crm_crew.pipeline.summary import run_figures
from crm_crew.store.base import APPLICABLE_STATUSES, ActionRow, RunInfo, Store
from crm_crew.store.seals import require_sealed
from crm_crew.store.targets import same_target
from crm_crew.store.trail import Trail


def actions_by_interaction(store: Store, run_id: str) -> dict[str, list[ActionRow]]:
    """Each interaction's actions, in journal order."""
    by_interaction: dict[str, list[ActionRow]] = {}
    for row in store.actions(run_id):
        by_interaction.setdefault(row.interaction_id, []).append(row)
    return by_interaction


def pending_groups(store: Store, run_id: str) -> dict[str, list[ActionRow]]:
    """Each interaction's actions, for the interactions that still have something to apply."""
    return {i: rows for i, rows in actions_by_interaction(store, run_id).items()
            if any(r.status in APPLICABLE_STATUSES for r in rows)}


def finish_pending(applier: Applier, store: Store, run_id: str) -> None:
    """Apply what a run journaled but had not written when it was interrupted (its actions as sealed)."""
    groups = pending_groups(store, run_id)
    if groups:
        require_sealed(applier.audit_key, [r for rows in groups.values() for r in rows], f"finish run {run_id}")
        apply_batched(applier, list(groups.values()))


def require_same_target(info: RunInfo, target: str, doing: str) -> None:
    """A run's plan names the records of the CRM it was planned against: it is applied, resumed or undone there only."""
    if not same_target(info.target, target):
        raise UserError(f"cannot {doing} run {info.run_id} on {target}: it was planned against {info.target}, and "
                        "its plan names that CRM's records. Point crm.* back at that CRM, or plan a new run "
                        "against this one")


def apply_run(config: CrewConfig, home: Path, store: Store, run_id: str, actor: str) -> dict[str, Any]:
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' in {home} (see `crm-crew runs`)")
    settings = config.settings
    trail = Trail.open(settings.audit.key_env, home, store)
    with RunLock(home, run_id):
        connector = open_crm(settings.crm, home)
        mail_out = RepliesOut(settings, config.directory, store)
        try:
            require_same_target(info, connector.target, "apply")
            applier = Applier(store, connector, run_id, trail.key, actor, mail_out)
            counts: Counter[str] = Counter()
            by_interaction = actions_by_interaction(store, run_id)
            require_sealed(trail.key, [r for rows in by_interaction.values() for r in rows], f"apply run {run_id}")
            if any(r.type == "send_reply" and r.status in APPLICABLE_STATUSES for rows in by_interaction.values()
                   for r in rows):
                mail_out.check()     # replies.mode send: a refused SMTP login stops before anything is written
            before = {(r.interaction_id, r.seq): r.status for rows in by_interaction.values() for r in rows}
            apply_batched(applier, list(by_interaction.values()))
        finally:
            connector.close()
            mail_out.close()
    for rows in by_interaction.values():
        for r in rows:
            was = before[(r.interaction_id, r.seq)]
            counts[r.status if was in APPLICABLE_STATUSES else f"already_{was}"] += 1
    summary = dict(info.summary)
    summary.update(run_figures(store.results(run_id)))
    summary["mode"] = "applied later" if info.mode == "shadow" else info.mode
    store.update_summary(run_id, summary)
    head = trail.checkpoint()
    return {
        "run_id": run_id, "crm": settings.crm.type,
        "applied": counts["applied"], "skipped": counts["skipped"], "failed": counts["failed"],
        "held": counts["already_held"], "already_applied": counts["already_applied"] + counts["already_skipped"],
        "audit_head": {"seq": head.seq, "hash": head.hash} if head else None,
    }

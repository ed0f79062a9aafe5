"""`crm-crew rollback RUN_ID`: undo what a run applied, without undoing anyone else's work.

Updates are restored to their before-values only while the record still holds what the run
wrote; records the run created are deleted (archived where the CRM archives) only while they
are as the run left them and were really created by it. Anything else is a conflict, listed
and left alone (`--force` restores or deletes changed records anyway; it never deletes a record
the run did not create). Every step is audited; a second rollback finds nothing left to do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.base import Connector, clean_unified, stale_fields
from crm_crew.connectors.registry import open_crm
from crm_crew.errors import ConnectorError, CrmRecordError, CrmUnavailableError, NotFoundError, StaleRecordError
from crm_crew.mail.replies_out import NOT_UNSENT
from crm_crew.pipeline.apply_run import require_same_target
from crm_crew.pipeline.run_lock import RunLock
from crm_crew.pipeline.summary import run_figures
from crm_crew.store.audit import AuditEntry, AuditKey
from crm_crew.store.base import ActionRow, Outcome, Store
from crm_crew.store.seals import require_sealed
from crm_crew.store.trail import Trail

UNDO_ORDER: dict[str, int] = {"update": 0, "activity": 1, "case": 1, "task": 1, "reply": 1, "contact": 2}


@dataclass
class RollbackReport:
    run_id: str
    crm: str
    force: bool
    reverted: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    not_undone: list[dict[str, Any]] = field(default_factory=list)   # replies out: mail cannot be unsent
    audit_head: dict[str, Any] | None = None   # the trail's head after the rollback: a checkpoint to record

    @property
    def exit_code(self) -> int:
        return 3 if self.conflicts or self.failed else 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "exit_code": self.exit_code}


class _Conflict(Exception):
    pass


def rollback_run(config: CrewConfig, home: Path, store: Store, run_id: str, actor: str,
                 force: bool = False) -> RollbackReport:
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' (see `crm-crew runs`)")
    settings = config.settings
    trail = Trail.open(settings.audit.key_env, home, store)
    report = RollbackReport(run_id, settings.crm.type, force)
    with RunLock(home, run_id):
        connector = open_crm(settings.crm, home)
        try:
            require_same_target(info, connector.target, "roll back")
            undo = _Undo(store, connector, trail.key, actor, force, report)
            applied = [r for r in store.actions(run_id) if r.status == "applied"]
            require_sealed(trail.key, applied, f"roll back run {run_id}")
            for _, row in sorted(enumerate(applied), key=_undo_rank):
                undo.one(row)
        finally:
            connector.close()
    summary = dict(info.summary)
    if "by_status" in summary:      # a finished run's figures: its actions are rolled back now
        summary.update(run_figures(store.results(run_id)))
    summary["rollback"] = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "by": actor,
                           "reverted": len(report.reverted), "conflicts": len(report.conflicts),
                           "failed": len(report.failed)}
    store.update_summary(run_id, summary)
    head = trail.checkpoint()
    report.audit_head = {"seq": head.seq, "hash": head.hash} if head else None
    return report


def _undo_rank(item: tuple[int, ActionRow]) -> tuple[int, int]:
    """Updates first, then attached records, then contacts; within each, newest first."""
    index, row = item
    return UNDO_ORDER["update" if _is_update(row) else row.object], -index


def _is_update(row: ActionRow) -> bool:
    return row.object == "contact" and row.type != "create_contact"


@dataclass
class _Undo:
    store: Store
    connector: Connector
    key: AuditKey
    actor: str
    force: bool
    report: RollbackReport

    def one(self, row: ActionRow) -> None:
        item = {"interaction_id": row.interaction_id, "type": row.type, "object": row.object,
                "record_id": row.record_id}
        try:
            if row.type == "send_reply":
                self.report.not_undone.append({**item, "message_id": row.fields.get("message_id"),
                                               "reason": NOT_UNSENT})
                detail = self._unlog_reply(row)
            elif _is_update(row):
                detail = self._restore(row)
            else:
                detail = self._remove(row)
        except _Conflict as exc:
            self._refused(row, "conflict", str(exc))
            self.report.conflicts.append({**item, "reason": str(exc)})
            return
        except CrmUnavailableError:
            raise
        except ConnectorError as exc:
            self._refused(row, "failed", str(exc))
            self.report.failed.append({**item, "reason": str(exc)})
            return
        self.report.reverted.append({**item, "detail": detail})

    def _restore(self, row: ActionRow) -> str:
        if not row.before:
            raise _Conflict("no before-values were recorded for this update (journal from an older crm-crew)")
        record_id = row.record_id or ""
        try:
            self.connector.update("contact", record_id, row.before, None if self.force else row.fields)
        except StaleRecordError as exc:
            if all(exc.current.get(k) == v for k, v in row.before.items()):
                return self._done(row, "restore", row.fields, row.before, "already restored")
            changed = ", ".join(f"{k} is now {exc.current.get(k)!r} (the run set {v!r})"
                                for k, v in row.fields.items() if exc.current.get(k) != v)
            raise _Conflict(f"changed in the CRM since the run: {changed}") from exc
        return self._done(row, "restore", row.fields, row.before, "restored" + (" (forced)" if self.force else ""))

    def _unlog_reply(self, row: ActionRow) -> str:
        """The reply's email activity is deleted (when it is still the run's own); the mail stays sent."""
        activity_id = row.record_id if row.record_id and not row.record_id.startswith("<") else None
        current = self.connector.get("activity", activity_id) if activity_id else None
        if current is not None and current.get("idempotency_key", row.idempotency_key) != row.idempotency_key:
            raise _Conflict(f"activity {activity_id} was not created by this run: left alone; {NOT_UNSENT}")
        removed = current is not None and self.connector.delete("activity", activity_id or "")
        detail = f"{'email activity deleted' if removed else 'no email activity to delete'}; not undone: {NOT_UNSENT}"
        row.status, row.note = "rolled_back", f"rolled back by {self.actor}: {detail}"
        entry = self._entry(row, "delete", None, None, "applied", detail)
        self.store.record([Outcome(row, entry)], self.key)     # the key stays applied: never sent again
        return detail

    def _remove(self, row: ActionRow) -> str:
        record_id = row.record_id or ""
        current = self.connector.get(row.object, record_id)  # type: ignore[arg-type]
        if current is None:
            return self._done(row, "delete", None, None, "already gone")
        # Connectors that store the key a record was created with say so (None: created without one);
        # for the others (HubSpot contacts, REST) the field comparison below is the only guard.
        if "idempotency_key" in current and current["idempotency_key"] != row.idempotency_key:
            raise _Conflict(f"{row.object} {record_id} was not created by this run (it already existed): left alone")
        lossy = self.connector.lossy_fields.get(row.object, frozenset())
        written = {k: v for k, v in clean_unified(row.object, row.fields).items() if k not in lossy}
        changed = stale_fields(written, current)
        # A contact create may have matched an existing contact by email; without a stored key,
        # only unchanged values show it is the run's own, so --force cannot vouch for it.
        unproven = row.object == "contact" and "idempotency_key" not in current
        if changed and (not self.force or unproven):
            raise _Conflict("changed in the CRM since the run: "
                            + ", ".join(f"{k} is now {v!r}" for k, v in changed.items())
                            + (" (this CRM does not record which contacts crm-crew created, so --force leaves it)"
                               if unproven and self.force else ""))
        try:
            removed = self.connector.delete(row.object, record_id)  # type: ignore[arg-type]
        except CrmRecordError as exc:
            if exc.code == "RELATED_RECORDS":
                raise _Conflict(f"{exc} (records someone else attached to it)") from exc
            raise
        before = {k: current.get(k) for k in row.fields}
        return self._done(row, "delete", before, None, ("deleted" if removed else "already gone")
                          + (" (forced)" if self.force and changed else ""))

    def _done(self, row: ActionRow, operation: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
              detail: str) -> str:
        row.status = "rolled_back"
        row.note = f"rolled back by {self.actor}: {detail}"
        entry = self._entry(row, operation, before, after, "applied", detail)
        self.store.record([Outcome(row, entry, forget_applied=True, target=self.connector.target)], self.key)
        return detail

    def _refused(self, row: ActionRow, outcome: str, detail: str) -> None:
        """Audit an undo that did not happen (a conflict or a failure); the action stays applied."""
        entry = self._entry(row, "restore" if _is_update(row) else "delete", None, None, outcome, detail)
        self.store.record([Outcome(None, entry)], self.key)

    def _entry(self, row: ActionRow, operation: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
               outcome: str, detail: str) -> AuditEntry:
        return AuditEntry(row.run_id, row.interaction_id, self.actor, row.agent, self.connector.name, operation,
                          row.object, row.record_id, before, after, outcome, f"rollback: {detail}")

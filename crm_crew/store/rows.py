"""Store objects as SQL table rows and back, the same for the SQLite journal and the PostgreSQL store.

A row is anything indexable by column name (sqlite3.Row, psycopg's dict rows); JSON columns are text.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Protocol

from crm_crew.store.audit import AuditEntry, AuditKey
from crm_crew.store.base import ActionRow, ReviewItem, RunInfo


class Row(Protocol):
    def __getitem__(self, column: str) -> Any: ...


ACTION_COLUMNS: tuple[str, ...] = ("run_id", "interaction_id", "seq", "type", "object", "fields", "idempotency_key",
                                   "agent", "record_id", "contact_ref", "status", "note", "expected", "before", "mac")
RUN_COLUMNS: tuple[str, ...] = ("run_id", "started_at", "finished_at", "status", "mode", "sources", "config_dir",
                                "crm_type", "summary", "target")
AUDIT_COLUMNS: tuple[str, ...] = ("seq", "at", "run_id", "interaction_id", "actor", "agent", "connector", "operation",
                                  "object", "record_id", "before", "after", "outcome", "detail", "prev_hash", "hash")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def json_or_none(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def loads_or_none(text: str | None) -> Any:
    return json.loads(text) if text else None


def _sealed_values(a: ActionRow) -> tuple[object, ...]:
    return (a.run_id, a.interaction_id, a.seq, a.type, a.object, json.dumps(a.fields), a.idempotency_key,
            a.agent, a.record_id, a.contact_ref, a.status, a.note, json_or_none(a.expected), json_or_none(a.before))


def action_seal(key: AuditKey, a: ActionRow) -> str:
    """The MAC of everything an action row carries: its place, content, status, note and values."""
    return key.mac("action", json.dumps(_sealed_values(a), separators=(",", ":")))


def action_values(a: ActionRow, sealer: AuditKey | None) -> tuple[object, ...]:
    """An action's values in ACTION_COLUMNS order, sealed with `sealer` (None: unsealed)."""
    a.mac = action_seal(sealer, a) if sealer is not None else None
    return (*_sealed_values(a), a.mac)


def run_values(info: RunInfo) -> tuple[object, ...]:
    """A run's values in RUN_COLUMNS order."""
    return (info.run_id, info.started_at, info.finished_at, info.status, info.mode, json.dumps(info.sources),
            info.config_dir, info.crm_type, json.dumps(info.summary), info.target)


def audit_values(e: AuditEntry) -> tuple[object, ...]:
    """A sealed audit entry's values in AUDIT_COLUMNS order."""
    return (e.seq, e.at, e.run_id, e.interaction_id, e.actor, e.agent, e.connector, e.operation, e.object,
            e.record_id, json_or_none(e.before), json_or_none(e.after), e.outcome, e.detail, e.prev_hash, e.hash)


def run_info(row: Row) -> RunInfo:
    return RunInfo(row["run_id"], row["started_at"], row["finished_at"], row["status"], row["mode"],
                   json.loads(row["sources"]), row["config_dir"], row["crm_type"], json.loads(row["summary"]),
                   row["target"])


def action_row(row: Row) -> ActionRow:
    return ActionRow(row["run_id"], row["interaction_id"], row["seq"], row["type"], row["object"],
                     json.loads(row["fields"]), row["idempotency_key"], row["agent"], row["record_id"],
                     row["contact_ref"], row["status"], row["note"], loads_or_none(row["expected"]),
                     loads_or_none(row["before"]), row["mac"])


def audit_entry(row: Row) -> AuditEntry:
    return AuditEntry(row["run_id"], row["interaction_id"], row["actor"], row["agent"], row["connector"],
                      row["operation"], row["object"], row["record_id"], loads_or_none(row["before"]),
                      loads_or_none(row["after"]), row["outcome"], row["detail"], row["at"], row["seq"],
                      row["prev_hash"], row["hash"])


def review_item(row: Row) -> ReviewItem:
    return ReviewItem(row["review_id"], row["run_id"], row["interaction_id"], row["status"], row["reason"],
                      row["intent"], row["urgency"], row["created_at"], json.loads(row["context"]),
                      row["decided_at"], row["decided_by"], row["decision_note"], loads_or_none(row["reply"]))

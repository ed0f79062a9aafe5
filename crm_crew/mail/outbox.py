"""The outbox: every reply crm-crew hands to a mail server, keyed by its Message-ID, in the state store.

A row is written `sending` (committed) before the SMTP DATA command or the IMAP APPEND, and `accepted`
once the server answered 250 (or the APPEND succeeded), before the journal records the action applied.
So a process killed in between leaves the truth behind: `accepted` finishes the action on resume without
a second copy; `sending` means nobody knows whether the server took it, and it is never resent by itself.
The rows also count replies per run and per recipient (replies.max_per_run, max_per_recipient).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

SENDING = "sending"
ACCEPTED = "accepted"

SQLITE_TABLE = """
CREATE TABLE IF NOT EXISTS outbox (
  message_id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, run_id TEXT NOT NULL, interaction_id TEXT NOT NULL,
  recipient TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_by_recipient ON outbox(recipient, created_at);
CREATE INDEX IF NOT EXISTS outbox_by_run ON outbox(run_id)
"""
POSTGRES_TABLE = """
CREATE TABLE outbox (
  message_id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL, run_id TEXT NOT NULL, interaction_id TEXT NOT NULL,
  recipient TEXT NOT NULL, mode TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX outbox_by_recipient ON outbox(recipient, created_at);
CREATE INDEX outbox_by_run ON outbox(run_id);
"""
COLUMNS = ("message_id", "idempotency_key", "run_id", "interaction_id", "recipient", "mode", "status",
           "created_at", "updated_at")


@dataclass
class OutboxRow:
    message_id: str
    idempotency_key: str
    run_id: str
    interaction_id: str
    recipient: str          # the normalized address the reply goes to
    mode: str               # send | draft
    status: str             # sending | accepted
    created_at: str = ""
    updated_at: str = ""

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


class OutboxMixin:
    """The outbox methods of both stores (crm_crew/store/base.py documents them); `placeholder` is the driver's."""

    placeholder = "%s"
    _exec: Callable[..., list[Any]]       # the store's own (SQLiteDb, or the PostgreSQL Connection mixin)

    def outbox_row(self, message_id: str) -> OutboxRow | None:
        rows = self._exec(f"SELECT * FROM outbox WHERE message_id={self.placeholder}", (message_id,))
        return OutboxRow(**{c: rows[0][c] for c in COLUMNS}) if rows else None

    def put_outbox(self, row: OutboxRow) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        row.created_at, row.updated_at = row.created_at or now, now
        p = self.placeholder
        self._exec(f"INSERT INTO outbox ({', '.join(COLUMNS)}) VALUES ({', '.join([p] * len(COLUMNS))}) "
                   "ON CONFLICT (message_id) DO UPDATE SET status=excluded.status, updated_at=excluded.updated_at",
                   row.values())

    def drop_outbox(self, message_id: str) -> None:
        self._exec(f"DELETE FROM outbox WHERE message_id={self.placeholder}", (message_id,))

    def outbox_count(self, recipient: str, since: str) -> int:
        p = self.placeholder
        rows = self._exec(f"SELECT COUNT(*) AS n FROM outbox WHERE recipient={p} AND created_at >= {p}",
                          (recipient, since))
        return int(rows[0]["n"])

    def outbox_rows(self, status: str | None = None, run_id: str | None = None, limit: int = 100) -> list[OutboxRow]:
        p, where, args = self.placeholder, [], []
        for column, value in (("status", status), ("run_id", run_id)):
            if value is not None:
                where.append(f"{column}={p}")
                args.append(value)
        sql = f"SELECT * FROM outbox{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY created_at, message_id"
        rows = self._exec(f"{sql} LIMIT {int(limit)}", tuple(args))
        return [OutboxRow(**{c: r[c] for c in COLUMNS}) for r in rows]

    def settle_outbox(self, message_id: str, delivered: bool) -> bool:
        """Settle a row left `sending`: `accepted` when the mail arrived, forgotten when it did not. False when
        the row is not (or no longer) `sending`: two people deciding at once settle it once."""
        p = self.placeholder
        if delivered:
            now = datetime.now(timezone.utc).isoformat(timespec="seconds")
            rows = self._exec(f"UPDATE outbox SET status={p}, updated_at={p} WHERE message_id={p} AND status={p} "
                              "RETURNING message_id", (ACCEPTED, now, message_id, SENDING))
        else:
            rows = self._exec(f"DELETE FROM outbox WHERE message_id={p} AND status={p} RETURNING message_id",
                              (message_id, SENDING))
        return bool(rows)

    def outbox_run_count(self, run_id: str) -> int:
        rows = self._exec(f"SELECT COUNT(*) AS n FROM outbox WHERE run_id={self.placeholder}", (run_id,))
        return int(rows[0]["n"])

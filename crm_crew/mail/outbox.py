"""The outbox: every reply crm-crew hands to a mail server, keyed by its Message-ID, in the state store.

A row is written `sending` (committed) before the SMTP DATA command or the IMAP APPEND, and `accepted`
once the server answered 250 (or the APPEND succeeded), before the journal records the action applied.
So a process killed in between leaves the truth behind: `accepted` finishes the action on resume without
a second copy; `sending` means nobody knows whether the server took it, and it is never resent by itself.
The rows also count replies per run and per recipient (replies.max_per_run, max_per_recipient).
"""

from __future__ import annotations

from dataclasses import dataclass

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


def upsert_sql(p: str) -> str:
    """INSERT or UPDATE of one row (`p`: the driver's placeholder); created_at stays the first one."""
    return (f"INSERT INTO outbox ({', '.join(COLUMNS)}) VALUES ({', '.join([p] * len(COLUMNS))}) "
            "ON CONFLICT (message_id) DO UPDATE SET status=excluded.status, updated_at=excluded.updated_at")


def count_sql(p: str) -> str:
    return f"SELECT COUNT(*) AS n FROM outbox WHERE recipient={p} AND created_at >= {p}"


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

"""The SQLite store's audit trail and the atomic recording of write-path outcomes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from crm_crew.store.audit import AuditEntry, AuditHead, AuditKey
from crm_crew.store.base import Outcome
from crm_crew.store.rows import ACTION_COLUMNS, AUDIT_COLUMNS, action_values, audit_entry, audit_values, now_iso
from crm_crew.store.sqlite_db import SQLiteDb
from crm_crew.store.targets import legacy_target

INSERT_AUDIT = f"INSERT INTO audit ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('?' * len(AUDIT_COLUMNS))})"
UPSERT_ACTION = (f"INSERT OR REPLACE INTO actions ({', '.join(ACTION_COLUMNS)}) "
                 f"VALUES ({', '.join('?' * len(ACTION_COLUMNS))})")


# the record itself, and every record whose entries name it as their contact (created with it, or deleted)
ATTACHED_TO = ("(record_id=? OR record_id IN (SELECT record_id FROM audit WHERE "
               "json_extract(after, '$.contact_id')=? OR json_extract(before, '$.contact_id')=?))")


class AuditMixin(SQLiteDb):
    def record(self, outcomes: list[Outcome], key: AuditKey | None) -> None:
        if any(o.entry is not None for o in outcomes) and key is None:
            raise ValueError("audit entries need the audit key")
        with self._transaction() as db:
            head = self._head(db)
            for outcome in outcomes:
                row = outcome.row
                if row is not None:
                    target = outcome.target
                    db.execute(UPSERT_ACTION, action_values(row, self._sealer))
                    if outcome.mark_applied and row.record_id:
                        db.execute("INSERT OR IGNORE INTO applied_keys VALUES (?,?,?,?,?)",
                                   (target, row.idempotency_key, row.record_id, row.run_id, now_iso()))
                    if outcome.forget_applied:
                        db.execute("DELETE FROM applied_keys WHERE idempotency_key=? AND target IN (?,?)",
                                   (row.idempotency_key, target, legacy_target(target)))
                    if outcome.release_owner:
                        db.execute("DELETE FROM claims WHERE target=? AND idempotency_key=? AND owner=?",
                                   (target, row.idempotency_key, outcome.release_owner))
                if outcome.entry is not None and key is not None:
                    seq, prev = (head.seq, head.hash) if head else (0, "0" * 64)
                    head = key.chain(outcome.entry, seq + 1, prev)
                    db.execute(INSERT_AUDIT, audit_values(outcome.entry))
            if head is not None:
                db.execute("INSERT OR REPLACE INTO audit_head VALUES (1,?,?,?)", (head.seq, head.hash, head.mac))

    @staticmethod
    def _head(db: sqlite3.Connection) -> AuditHead | None:
        row = db.execute("SELECT seq, hash, mac FROM audit_head WHERE id=1").fetchone()
        return AuditHead(row[0], row[1], row[2]) if row else None

    def audit_head(self) -> AuditHead | None:
        with self._lock:
            return self._head(self._db)

    def audit_entry(self, seq: int) -> AuditEntry | None:
        rows = self._exec("SELECT * FROM audit WHERE seq=?", (seq,))
        return audit_entry(rows[0]) if rows else None

    def audit_entries(self, run_id: str | None = None, record_id: str | None = None,
                      attached: bool = False) -> Iterator[AuditEntry]:
        where, params = ["seq>?"], []
        if run_id is not None:
            where.append("run_id=?")
            params.append(run_id)
        if record_id is not None and attached:
            where.append(ATTACHED_TO)
            params.extend([record_id] * 3)
        elif record_id is not None:
            where.append("record_id=?")
            params.append(record_id)
        sql = f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY seq LIMIT 1000"
        last = 0
        while True:   # pages, so a trail of millions of entries streams
            page = self._exec(sql, (last, *params))
            if not page:
                return
            yield from (audit_entry(r) for r in page)
            last = page[-1]["seq"]

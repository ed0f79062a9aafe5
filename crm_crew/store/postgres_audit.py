"""The PostgreSQL store's audit trail and the atomic recording of write-path outcomes.

Workers on many machines append to one chain: the transaction that appends takes an advisory
lock first, so heads are read and written one transaction at a time (no gap, no fork).
"""

from __future__ import annotations

from collections.abc import Iterator

from crm_crew.store.audit import GENESIS, AuditEntry, AuditHead, AuditKey
from crm_crew.store.base import Outcome
from crm_crew.store.postgres_db import Connection, PostgresDb
from crm_crew.store.postgres_schema import AUDIT_LOCK, LOCK_SPACE
from crm_crew.store.rows import ACTION_COLUMNS, AUDIT_COLUMNS, action_values, audit_entry, audit_values, now_iso
from crm_crew.store.targets import legacy_target

UPSERT_ACTION = (f"INSERT INTO actions ({', '.join(ACTION_COLUMNS)}) VALUES ({', '.join(['%s'] * len(ACTION_COLUMNS))}) "
                 "ON CONFLICT (run_id, interaction_id, seq) DO UPDATE SET "
                 + ", ".join(f"{c}=EXCLUDED.{c}" for c in ACTION_COLUMNS[3:]))
INSERT_AUDIT = f"INSERT INTO audit ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join(['%s'] * len(AUDIT_COLUMNS))})"


# the record itself, and every record whose entries name it as their contact (created with it, or deleted)
ATTACHED_TO = ("(record_id=%s OR record_id IN (SELECT record_id FROM audit WHERE "
               "((after)::jsonb ->> 'contact_id')=%s OR ((before)::jsonb ->> 'contact_id')=%s))")


class AuditMixin(PostgresDb):
    def record(self, outcomes: list[Outcome], key: AuditKey | None) -> None:
        audited = any(o.entry is not None for o in outcomes)
        if audited and key is None:
            raise ValueError("audit entries need the audit key")
        with self._transaction() as db:
            head = None
            if audited:
                db.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, AUDIT_LOCK))
                head = self._head(db)
            for outcome in outcomes:
                row = outcome.row
                if row is not None:
                    target = outcome.target
                    db.execute(UPSERT_ACTION, action_values(row, self._sealer))
                    if outcome.mark_applied and row.record_id:
                        db.execute("INSERT INTO applied_keys (target, idempotency_key, record_id, run_id, applied_at) "
                                   "VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                                   (target, row.idempotency_key, row.record_id, row.run_id, now_iso()))
                    if outcome.forget_applied:
                        db.execute("DELETE FROM applied_keys WHERE idempotency_key=%s AND target IN (%s,%s)",
                                   (row.idempotency_key, target, legacy_target(target)))
                    if outcome.release_owner:
                        db.execute("DELETE FROM claims WHERE target=%s AND idempotency_key=%s AND owner=%s",
                                   (target, row.idempotency_key, outcome.release_owner))
                if outcome.entry is not None and key is not None:
                    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
                    head = key.chain(outcome.entry, seq + 1, prev)
                    db.execute(INSERT_AUDIT, audit_values(outcome.entry))
            if head is not None:
                db.execute("INSERT INTO audit_head VALUES (1,%s,%s,%s) ON CONFLICT (id) DO UPDATE "
                           "SET seq=EXCLUDED.seq, hash=EXCLUDED.hash, mac=EXCLUDED.mac", (head.seq, head.hash, head.mac))

    @staticmethod
    def _head(db: Connection) -> AuditHead | None:
        row = db.execute("SELECT seq, hash, mac FROM audit_head WHERE id=1").fetchone()
        return AuditHead(row["seq"], row["hash"], row["mac"]) if row else None

    def audit_head(self) -> AuditHead | None:
        with self._connection() as db:
            return self._head(db)

    def audit_entry(self, seq: int) -> AuditEntry | None:
        rows = self._exec("SELECT * FROM audit WHERE seq=%s", (seq,))
        return audit_entry(rows[0]) if rows else None

    def audit_entries(self, run_id: str | None = None, record_id: str | None = None,
                      attached: bool = False) -> Iterator[AuditEntry]:
        where, params = ["seq>%s"], []
        if run_id is not None:
            where.append("run_id=%s")
            params.append(run_id)
        if record_id is not None and attached:
            where.append(ATTACHED_TO)
            params.extend([record_id] * 3)
        elif record_id is not None:
            where.append("record_id=%s")
            params.append(record_id)
        sql = f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY seq LIMIT 1000"
        last = 0
        while True:   # pages, so a trail of millions of entries streams
            page = self._exec(sql, (last, *params))
            if not page:
                return
            yield from (audit_entry(r) for r in page)
            last = page[-1]["seq"]

"""The shared PostgreSQL store: journal, plans, keys, claims, reviews and audit of every worker.

Same semantics as the embedded SQLite store; what SQLite gets from its single writer, this one
gets from row and advisory locks (claims per key, the audit chain, review decisions per item).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

from psycopg.rows import DictRow

from crm_crew.mail.outbox import OutboxMixin
from crm_crew.store.base import ActionRow, Claim, ReviewItem, RunInfo
from crm_crew.store.owners import owner_alive
from crm_crew.store.postgres_audit import UPSERT_ACTION, AuditMixin
from crm_crew.store.postgres_db import Connection
from crm_crew.store.postgres_reviews import ReviewMixin, insert_review
from crm_crew.store.records import compose_record
from crm_crew.store.review_links import EARLIER_REVIEW_SQL, link_to_earlier
from crm_crew.store.rows import RUN_COLUMNS, action_row, action_values, now_iso, review_item, run_info, run_values
from crm_crew.store.targets import legacy_target

# The server's clock times every lease, so machines with skewed clocks agree on when one expires.
HELD_CLAIM = ("SELECT c.run_id, c.owner, c.claimed_at, clock.now FROM "
              "(SELECT extract(epoch FROM clock_timestamp())::float8 AS now) clock "
              "LEFT JOIN claims c ON c.target=%s AND c.idempotency_key=%s")


def key_lock(idempotency_key: str) -> int:
    """The advisory lock (64-bit key space) that serializes claims of one idempotency key."""
    return int.from_bytes(hashlib.blake2b(idempotency_key.encode(), digest_size=8).digest(), "big", signed=True)


class PostgresStore(AuditMixin, ReviewMixin, OutboxMixin):
    """`url`: a libpq connection URL, e.g. postgresql://crm@db.internal:5432/crm_crew."""

    def create_run(self, info: RunInfo) -> None:
        self._exec(f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join(['%s'] * len(RUN_COLUMNS))})",
                   run_values(info))

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        self._exec("UPDATE runs SET finished_at=%s, status=%s, summary=%s WHERE run_id=%s",
                   (now_iso(), status, json.dumps(summary), run_id))

    def update_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        self._exec("UPDATE runs SET summary=%s WHERE run_id=%s", (json.dumps(summary), run_id))

    def reopen_run(self, run_id: str) -> None:
        self._exec("UPDATE runs SET status='running', finished_at=NULL WHERE run_id=%s", (run_id,))

    def get_run(self, run_id: str) -> RunInfo | None:
        rows = self._exec("SELECT * FROM runs WHERE run_id=%s", (run_id,))
        return run_info(rows[0]) if rows else None

    def add_llm_batch(self, run_id: str, batch_id: str, requests: int) -> None:
        self._exec("INSERT INTO llm_batches (run_id, batch_id, requests, created_at) VALUES (%s, %s, %s, %s) "
                   "ON CONFLICT DO NOTHING", (run_id, batch_id, requests, now_iso()))

    def llm_batches(self, run_id: str) -> list[str]:
        rows = self._exec("SELECT batch_id FROM llm_batches WHERE run_id=%s ORDER BY created_at, batch_id", (run_id,))
        return [r["batch_id"] for r in rows]

    def mail_cursor(self, mailbox: str) -> tuple[int, int] | None:
        rows = self._exec("SELECT uidvalidity, last_uid FROM mail_cursors WHERE mailbox=%s", (mailbox,))
        return (int(rows[0]["uidvalidity"]), int(rows[0]["last_uid"])) if rows else None

    def set_mail_cursor(self, mailbox: str, uidvalidity: int, last_uid: int) -> None:
        self._exec("INSERT INTO mail_cursors (mailbox, uidvalidity, last_uid, updated_at) VALUES (%s, %s, %s, %s) "
                   "ON CONFLICT (mailbox) DO UPDATE SET uidvalidity=excluded.uidvalidity, last_uid=excluded.last_uid, "
                   "updated_at=excluded.updated_at", (mailbox, uidvalidity, last_uid, now_iso()))

    def list_runs(self, limit: int = 50) -> list[RunInfo]:
        rows = self._exec("SELECT * FROM runs ORDER BY started_at DESC, created DESC LIMIT %s", (limit,))
        return [run_info(r) for r in rows]

    def save_result(self, run_id: str, record: dict[str, Any], actions: list[ActionRow],
                    review: dict[str, Any] | None = None) -> None:
        stored = {k: v for k, v in record.items() if k != "actions"}
        with self._transaction() as db:
            db.execute("DELETE FROM results WHERE run_id=%s AND interaction_id=%s AND status='failed'",
                       (run_id, record["interaction_id"]))
            earlier = None
            if review is not None:
                found = db.execute(EARLIER_REVIEW_SQL.format(p="%s"),
                                   (record["interaction_id"], run_id, run_id)).fetchone()
                earlier = review_item(found) if found else None
                if earlier is not None:
                    link_to_earlier(earlier, stored, actions)
            db.execute("INSERT INTO results (run_id, interaction_id, status, record) VALUES (%s,%s,%s,%s)",
                       (run_id, record["interaction_id"], record["status"], json.dumps(stored)))
            if actions:
                db.cursor().executemany(UPSERT_ACTION, [action_values(a, self._sealer) for a in actions])
            if review is not None and earlier is None:
                insert_review(db, ReviewItem(0, run_id, record["interaction_id"], "pending",
                                             (record.get("escalation") or {}).get("reason") or "held for review",
                                             record.get("intent"), record.get("urgency"), now_iso(), review))

    def has_result(self, run_id: str, interaction_id: str) -> bool:
        return bool(list(self._exec("SELECT 1 FROM results WHERE run_id=%s AND interaction_id=%s AND status<>'failed' LIMIT 1",
                                    (run_id, interaction_id))))

    def result_ids(self, run_id: str) -> set[str]:
        return {r["interaction_id"] for r in self._exec("SELECT interaction_id FROM results WHERE run_id=%s AND status<>'failed'", (run_id,))}

    def update_record(self, run_id: str, interaction_id: str, changes: dict[str, Any]) -> None:
        with self._transaction() as db:
            row = db.execute("SELECT seq, record FROM results WHERE run_id=%s AND interaction_id=%s "
                             "ORDER BY seq DESC LIMIT 1 FOR UPDATE", (run_id, interaction_id)).fetchone()
            if row is None:
                return
            record = {**json.loads(row["record"]), **changes}
            db.execute("UPDATE results SET record=%s, status=%s WHERE seq=%s",
                       (json.dumps(record), record["status"], row["seq"]))

    def actions(self, run_id: str, interaction_id: str | None = None) -> list[ActionRow]:
        if interaction_id is None:
            rows = self._exec("SELECT a.* FROM actions a JOIN results r "
                              "ON r.run_id=a.run_id AND r.interaction_id=a.interaction_id "
                              "WHERE a.run_id=%s ORDER BY r.seq, a.seq", (run_id,))
        else:
            rows = self._exec("SELECT * FROM actions WHERE run_id=%s AND interaction_id=%s ORDER BY seq",
                              (run_id, interaction_id))
        return [action_row(r) for r in rows]

    def update_action(self, row: ActionRow) -> None:
        self.update_actions([row])

    def update_actions(self, rows: list[ActionRow]) -> None:
        with self._transaction() as db:
            db.cursor().executemany(UPSERT_ACTION, [action_values(r, self._sealer) for r in rows])

    def action_rows(self) -> Iterator[ActionRow]:
        sql = ("SELECT * FROM actions WHERE (run_id, interaction_id, seq) > (%s,%s,%s) "
               "ORDER BY run_id, interaction_id, seq LIMIT 1000")
        last: tuple[str, str, int] = ("", "", 0)
        while True:
            page = self._exec(sql, last)
            if not page:
                return
            yield from (action_row(r) for r in page)
            last = (page[-1]["run_id"], page[-1]["interaction_id"], page[-1]["seq"])

    def earlier_results(self, interaction_id: str, run_id: str) -> list[tuple[RunInfo, dict[str, Any]]]:
        found = []
        rows = self._exec("SELECT r.run_id, r.record FROM results r JOIN runs u ON u.run_id=r.run_id "
                          "WHERE r.interaction_id=%s AND r.run_id<>%s ORDER BY u.started_at, u.created, r.seq",
                          (interaction_id, run_id))
        for row in rows:
            info = self.get_run(row["run_id"])
            if info is not None:
                found.append((info, compose_record(json.loads(row["record"]), self.actions(info.run_id, interaction_id))))
        return found

    def results(self, run_id: str) -> Iterator[dict[str, Any]]:
        by_interaction: dict[str, list[ActionRow]] = {}
        for action in self.actions(run_id):
            by_interaction.setdefault(action.interaction_id, []).append(action)
        for row in self._exec("SELECT record FROM results WHERE run_id=%s ORDER BY seq", (run_id,)):
            record = json.loads(row["record"])
            yield compose_record(record, by_interaction.get(record["interaction_id"], []))

    def applied_record(self, idempotency_key: str, target: str) -> tuple[str, str] | None:
        with self._connection() as db:
            row = _applied(db, idempotency_key, target)
        return (row["record_id"], row["run_id"]) if row else None

    def claim(self, idempotency_key: str, run_id: str, owner: str, lease_s: float, target: str) -> Claim:
        with self._transaction() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (key_lock(f"{target}|{idempotency_key}"),))
            applied = _applied(db, idempotency_key, target)
            if applied is not None:
                return Claim("applied", applied["record_id"], applied["run_id"])
            held = db.execute(HELD_CLAIM, (target, idempotency_key)).fetchone()
            assert held is not None   # one row: the server's clock, and the claim when there is one
            now = held["now"]
            if held["owner"] is not None and held["owner"] != owner and owner_alive(held["owner"]) \
                    and now - held["claimed_at"] < lease_s:
                return Claim("busy", run_id=held["run_id"], owner=held["owner"])
            db.execute("INSERT INTO claims (target, idempotency_key, run_id, owner, claimed_at) "
                       "VALUES (%s,%s,%s,%s,%s) ON CONFLICT (target, idempotency_key) DO UPDATE "
                       "SET run_id=EXCLUDED.run_id, owner=EXCLUDED.owner, claimed_at=EXCLUDED.claimed_at",
                       (target, idempotency_key, run_id, owner, now))
            return Claim("claimed")

    def release(self, idempotency_key: str, owner: str, target: str) -> None:
        self._exec("DELETE FROM claims WHERE target=%s AND idempotency_key=%s AND owner=%s",
                   (target, idempotency_key, owner))


def _applied(db: Connection, idempotency_key: str, target: str) -> DictRow | None:
    """The key as applied to `target`, else as applied to its type before targets existed."""
    row: DictRow | None = db.execute(
        "SELECT record_id, run_id FROM applied_keys WHERE idempotency_key=%s AND target IN (%s,%s) "
        "ORDER BY target=%s DESC LIMIT 1", (idempotency_key, target, legacy_target(target), target)).fetchone()
    return row

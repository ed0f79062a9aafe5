"""The PostgreSQL store's human review queue.

A decision is one conditional UPDATE: the row lock makes a second reviewer of the same item wait,
then find it no longer pending.
"""

from __future__ import annotations

import json
from typing import Any

from crm_crew.store.base import ReviewItem
from crm_crew.store.postgres_db import Connection, PostgresDb
from crm_crew.store.rows import json_or_none, now_iso, review_item


def insert_review(db: Connection, item: ReviewItem) -> int:
    """Queue `item`; 0 when its interaction is queued already."""
    row = db.execute("INSERT INTO reviews (run_id, interaction_id, status, reason, intent, urgency, created_at, context) "
                     "VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (run_id, interaction_id) DO NOTHING "
                     "RETURNING review_id",
                     (item.run_id, item.interaction_id, item.status, item.reason, item.intent, item.urgency,
                      item.created_at, json.dumps(item.context))).fetchone()
    return int(row["review_id"]) if row else 0


class ReviewMixin(PostgresDb):
    def add_review(self, item: ReviewItem) -> int:
        with self._transaction() as db:
            return insert_review(db, item)

    def list_reviews(self, status: str | None = "pending", reason: str | None = None, intent: str | None = None,
                     run_id: str | None = None) -> list[ReviewItem]:
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("status", status), ("intent", intent), ("run_id", run_id)):
            if value is not None:
                where.append(f"{column}=%s")
                params.append(value)
        if reason is not None:
            where.append("reason ILIKE %s")   # as SQLite LIKE: ASCII case-insensitive
            params.append(f"%{reason}%")
        sql = "SELECT * FROM reviews" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY review_id"
        return [review_item(r) for r in self._exec(sql, tuple(params))]

    def get_review(self, review_id: int) -> ReviewItem | None:
        rows = self._exec("SELECT * FROM reviews WHERE review_id=%s", (review_id,))
        return review_item(rows[0]) if rows else None

    def decide_review(self, review_id: int, status: str, by: str, note: str | None,
                      reply: dict[str, Any] | None) -> bool:
        with self._transaction() as db:
            cursor = db.execute("UPDATE reviews SET status=%s, decided_at=%s, decided_by=%s, decision_note=%s, "
                                "reply=%s WHERE review_id=%s AND status='pending'",
                                (status, now_iso(), by, note, json_or_none(reply), review_id))
            return cursor.rowcount == 1

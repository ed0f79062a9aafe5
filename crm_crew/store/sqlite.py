"""The embedded SQLite store in the state folder."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crm_crew.errors import CrmCrewError
from crm_crew.store.base import ActionRow, RunInfo
from crm_crew.store.records import compose_record

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
  mode TEXT NOT NULL, sources TEXT NOT NULL, config_dir TEXT NOT NULL, crm_type TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS results (
  run_id TEXT NOT NULL REFERENCES runs(run_id), seq INTEGER NOT NULL, interaction_id TEXT NOT NULL,
  status TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS results_by_interaction ON results(run_id, interaction_id);
CREATE TABLE IF NOT EXISTS actions (
  run_id TEXT NOT NULL, interaction_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
  object TEXT NOT NULL, fields TEXT NOT NULL, idempotency_key TEXT NOT NULL, agent TEXT NOT NULL,
  record_id TEXT, contact_ref TEXT, status TEXT NOT NULL, note TEXT, expected TEXT, before TEXT,
  PRIMARY KEY (run_id, interaction_id, seq)
);
CREATE TABLE IF NOT EXISTS applied_keys (
  idempotency_key TEXT PRIMARY KEY, record_id TEXT NOT NULL, run_id TEXT NOT NULL, applied_at TEXT NOT NULL
);
"""


ACTION_COLUMNS: tuple[str, ...] = ("run_id", "interaction_id", "seq", "type", "object", "fields", "idempotency_key",
                                   "agent", "record_id", "contact_ref", "status", "note", "expected", "before")


def _add_missing_columns(db: sqlite3.Connection) -> None:
    """Journals written by crm-crew 0.1.0 lack the expected/before columns of actions."""
    present = {row[1] for row in db.execute("PRAGMA table_info(actions)")}
    for column in ("expected", "before"):
        if column not in present:
            db.execute(f"ALTER TABLE actions ADD COLUMN {column} TEXT")


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SQLiteStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
            _add_missing_columns(self._db)
        except sqlite3.DatabaseError as exc:
            raise CrmCrewError(f"cannot open the run journal {path}: {exc} (move it away or set CRM_CREW_HOME)") from exc
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._seq: dict[str, int] = {}

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def create_run(self, info: RunInfo) -> None:
        self._exec("INSERT INTO runs VALUES (?,?,?,?,?,?,?,?,?)",
                   (info.run_id, info.started_at, info.finished_at, info.status, info.mode,
                    json.dumps(info.sources), info.config_dir, info.crm_type, json.dumps(info.summary)))

    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None:
        self._exec("UPDATE runs SET finished_at=?, status=?, summary=? WHERE run_id=?",
                   (_now(), status, json.dumps(summary), run_id))

    def update_summary(self, run_id: str, summary: dict[str, Any]) -> None:
        self._exec("UPDATE runs SET summary=? WHERE run_id=?", (json.dumps(summary), run_id))

    @staticmethod
    def _run(row: sqlite3.Row) -> RunInfo:
        return RunInfo(row["run_id"], row["started_at"], row["finished_at"], row["status"], row["mode"],
                       json.loads(row["sources"]), row["config_dir"], row["crm_type"], json.loads(row["summary"]))

    def get_run(self, run_id: str) -> RunInfo | None:
        rows = self._exec("SELECT * FROM runs WHERE run_id=?", (run_id,))
        return self._run(rows[0]) if rows else None

    def list_runs(self, limit: int = 50) -> list[RunInfo]:
        rows = self._exec("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,))
        return [self._run(r) for r in rows]

    def save_result(self, run_id: str, record: dict[str, Any], actions: list[ActionRow]) -> None:
        stored = {k: v for k, v in record.items() if k != "actions"}
        with self._lock:
            seq = self._seq.get(run_id)
            if seq is None:
                seq = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM results WHERE run_id=?", (run_id,)).fetchone()[0]
            seq += 1
            self._seq[run_id] = seq
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute("INSERT INTO results VALUES (?,?,?,?,?)",
                                 (run_id, seq, record["interaction_id"], record["status"], json.dumps(stored)))
                self._db.executemany(f"INSERT OR REPLACE INTO actions ({', '.join(ACTION_COLUMNS)}) "
                                     f"VALUES ({', '.join('?' * len(ACTION_COLUMNS))})",
                                     [self._action_values(a) for a in actions])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    @staticmethod
    def _action_values(a: ActionRow) -> tuple[Any, ...]:
        return (a.run_id, a.interaction_id, a.seq, a.type, a.object, json.dumps(a.fields), a.idempotency_key,
                a.agent, a.record_id, a.contact_ref, a.status, a.note, _json_or_none(a.expected),
                _json_or_none(a.before))

    @staticmethod
    def _action(row: sqlite3.Row) -> ActionRow:
        return ActionRow(row["run_id"], row["interaction_id"], row["seq"], row["type"], row["object"],
                         json.loads(row["fields"]), row["idempotency_key"], row["agent"], row["record_id"],
                         row["contact_ref"], row["status"], row["note"],
                         json.loads(row["expected"]) if row["expected"] else None,
                         json.loads(row["before"]) if row["before"] else None)

    def actions(self, run_id: str, interaction_id: str | None = None) -> list[ActionRow]:
        if interaction_id is None:
            rows = self._exec("SELECT a.* FROM actions a JOIN results r ON r.run_id=a.run_id AND r.interaction_id=a.interaction_id "
                              "WHERE a.run_id=? ORDER BY r.seq, a.seq", (run_id,))
        else:
            rows = self._exec("SELECT * FROM actions WHERE run_id=? AND interaction_id=? ORDER BY seq", (run_id, interaction_id))
        return [self._action(r) for r in rows]

    def update_action(self, row: ActionRow) -> None:
        self._exec("UPDATE actions SET record_id=?, status=?, note=?, fields=?, before=? "
                   "WHERE run_id=? AND interaction_id=? AND seq=?",
                   (row.record_id, row.status, row.note, json.dumps(row.fields), _json_or_none(row.before),
                    row.run_id, row.interaction_id, row.seq))

    def results(self, run_id: str) -> Iterator[dict[str, Any]]:
        by_interaction: dict[str, list[ActionRow]] = {}
        for action in self.actions(run_id):
            by_interaction.setdefault(action.interaction_id, []).append(action)
        for row in self._exec("SELECT record FROM results WHERE run_id=? ORDER BY seq", (run_id,)):
            record = json.loads(row["record"])
            yield compose_record(record, by_interaction.get(record["interaction_id"], []))

    def applied_record(self, idempotency_key: str) -> tuple[str, str] | None:
        rows = self._exec("SELECT record_id, run_id FROM applied_keys WHERE idempotency_key=?", (idempotency_key,))
        return (rows[0]["record_id"], rows[0]["run_id"]) if rows else None

    def mark_applied(self, idempotency_key: str, record_id: str, run_id: str) -> None:
        self._exec("INSERT OR IGNORE INTO applied_keys VALUES (?,?,?,?)", (idempotency_key, record_id, run_id, _now()))

    def close(self) -> None:
        with self._lock:
            self._db.close()


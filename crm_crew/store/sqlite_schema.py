"""Tables of the embedded SQLite journal, and the upgrade of journals written by older versions."""

from __future__ import annotations

import sqlite3

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
CREATE TABLE IF NOT EXISTS claims (
  idempotency_key TEXT PRIMARY KEY, run_id TEXT NOT NULL, owner TEXT NOT NULL, claimed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, run_id TEXT, interaction_id TEXT, actor TEXT NOT NULL,
  agent TEXT NOT NULL, connector TEXT NOT NULL, operation TEXT NOT NULL, object TEXT NOT NULL, record_id TEXT,
  before TEXT, after TEXT, outcome TEXT NOT NULL, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_run ON audit(run_id);
CREATE INDEX IF NOT EXISTS audit_by_record ON audit(record_id);
CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
  review_id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, interaction_id TEXT NOT NULL,
  status TEXT NOT NULL, reason TEXT NOT NULL, intent TEXT, urgency TEXT, created_at TEXT NOT NULL,
  context TEXT NOT NULL, decided_at TEXT, decided_by TEXT, decision_note TEXT, reply TEXT,
  UNIQUE (run_id, interaction_id)
);
CREATE INDEX IF NOT EXISTS reviews_by_status ON reviews(status);
"""

def create_schema(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)
    present = {row[1] for row in db.execute("PRAGMA table_info(actions)")}
    for column in ("expected", "before"):   # journals written by crm-crew 0.1.0 lack these
        if column not in present:
            db.execute(f"ALTER TABLE actions ADD COLUMN {column} TEXT")

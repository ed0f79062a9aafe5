"""Tables of the embedded SQLite journal, and the upgrade of journals written by older versions.

A new journal gets SCHEMA and the last version number (`PRAGMA user_version`); an older one
runs the steps after its version, in one transaction each.
"""

from __future__ import annotations

import sqlite3

from crm_crew.mail.outbox import SQLITE_TABLE

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
  mode TEXT NOT NULL, sources TEXT NOT NULL, config_dir TEXT NOT NULL, crm_type TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '{}', target TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS results (
  run_id TEXT NOT NULL REFERENCES runs(run_id), seq INTEGER NOT NULL, interaction_id TEXT NOT NULL,
  status TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (run_id, seq)
);
CREATE INDEX IF NOT EXISTS results_by_interaction ON results(run_id, interaction_id);
CREATE INDEX IF NOT EXISTS results_by_interaction_id ON results(interaction_id);
CREATE TABLE IF NOT EXISTS actions (
  run_id TEXT NOT NULL, interaction_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
  object TEXT NOT NULL, fields TEXT NOT NULL, idempotency_key TEXT NOT NULL, agent TEXT NOT NULL,
  record_id TEXT, contact_ref TEXT, status TEXT NOT NULL, note TEXT, expected TEXT, before TEXT, mac TEXT,
  PRIMARY KEY (run_id, interaction_id, seq)
);
CREATE TABLE IF NOT EXISTS applied_keys (
  target TEXT NOT NULL, idempotency_key TEXT NOT NULL, record_id TEXT NOT NULL, run_id TEXT NOT NULL,
  applied_at TEXT NOT NULL, PRIMARY KEY (target, idempotency_key)
);
CREATE TABLE IF NOT EXISTS claims (
  target TEXT NOT NULL, idempotency_key TEXT NOT NULL, run_id TEXT NOT NULL, owner TEXT NOT NULL,
  claimed_at REAL NOT NULL, PRIMARY KEY (target, idempotency_key)
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
CREATE TABLE IF NOT EXISTS llm_batches (
  run_id TEXT NOT NULL, batch_id TEXT NOT NULL, requests INTEGER NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (run_id, batch_id)
);
CREATE TABLE IF NOT EXISTS mail_cursors (
  mailbox TEXT PRIMARY KEY, uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL, updated_at TEXT NOT NULL
);
""" + SQLITE_TABLE + ";\n"

# Version 1: crm-crew 0.1.0. Version 2: sealed action rows, CRM targets of runs, keys and claims.
# Version 3: the Message Batches a run sent (llm_batches; SCHEMA's CREATE ... IF NOT EXISTS adds it).
# Version 4: how far each IMAP mailbox folder was read (mail_cursors; added the same way).
# Version 5: the replies handed to a mail server (outbox, crm_crew/mail/outbox.py; added the same way).
VERSION = 5

UPGRADE_TO_2 = """
ALTER TABLE actions ADD COLUMN mac TEXT;
ALTER TABLE runs ADD COLUMN target TEXT NOT NULL DEFAULT '';
CREATE TABLE applied_keys_2 (
  target TEXT NOT NULL, idempotency_key TEXT NOT NULL, record_id TEXT NOT NULL, run_id TEXT NOT NULL,
  applied_at TEXT NOT NULL, PRIMARY KEY (target, idempotency_key)
);
INSERT INTO applied_keys_2
  SELECT 'legacy:' || COALESCE((SELECT crm_type FROM runs WHERE runs.run_id = k.run_id), 'local'),
         k.idempotency_key, k.record_id, k.run_id, k.applied_at FROM applied_keys k;
DROP TABLE applied_keys;
ALTER TABLE applied_keys_2 RENAME TO applied_keys;
DROP TABLE claims;
CREATE TABLE claims (
  target TEXT NOT NULL, idempotency_key TEXT NOT NULL, run_id TEXT NOT NULL, owner TEXT NOT NULL,
  claimed_at REAL NOT NULL, PRIMARY KEY (target, idempotency_key)
);
CREATE INDEX IF NOT EXISTS results_by_interaction_id ON results(interaction_id);
"""


def create_schema(db: sqlite3.Connection) -> None:
    """Create the tables of a new journal, or bring an older journal up to VERSION."""
    if db.execute("PRAGMA user_version").fetchone()[0] == VERSION:
        return
    db.execute("BEGIN IMMEDIATE")   # several processes may open one journal at once: one migrates
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        fresh = db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='runs'").fetchone() is None
        if fresh or version < VERSION:
            for statement in _statements(SCHEMA):   # CREATE ... IF NOT EXISTS: what an old journal lacks
                db.execute(statement)
        if not fresh and version < VERSION:
            _upgrade(db, version)
        if fresh or version < VERSION:
            db.execute(f"PRAGMA user_version={VERSION}")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _upgrade(db: sqlite3.Connection, version: int) -> None:
    if version < 2:
        present = {row[1] for row in db.execute("PRAGMA table_info(actions)")}
        for column in ("expected", "before"):   # journals written by the first 0.1.0 lack these
            if column not in present:
                db.execute(f"ALTER TABLE actions ADD COLUMN {column} TEXT")
        for statement in _statements(UPGRADE_TO_2):
            db.execute(statement)


def _statements(script: str) -> list[str]:
    """executescript() would commit the migration's transaction: run the statements one by one."""
    return [s.strip() for s in script.split(";") if s.strip()]

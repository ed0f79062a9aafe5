"""Tables of the shared PostgreSQL store, as numbered migrations recorded in `schema_version`.

Every process that opens the store migrates it; an advisory lock held for the migrating
transaction makes several workers starting at once apply each step exactly once.
"""

from __future__ import annotations

import psycopg
from psycopg.rows import DictRow

from crm_crew.errors import CrmCrewError
from crm_crew.mail.outbox import POSTGRES_TABLE

# The two-key advisory locks of crm-crew: (LOCK_SPACE, one of the ids below).
LOCK_SPACE = 0x63726D   # "crm"
MIGRATION_LOCK = 1
AUDIT_LOCK = 2

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
      run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, status TEXT NOT NULL,
      mode TEXT NOT NULL, sources TEXT NOT NULL, config_dir TEXT NOT NULL, crm_type TEXT NOT NULL,
      summary TEXT NOT NULL DEFAULT '{}', created BIGINT GENERATED ALWAYS AS IDENTITY
    );
    CREATE TABLE results (
      seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL,
      interaction_id TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL
    );
    CREATE INDEX results_by_run ON results(run_id, seq);
    CREATE INDEX results_by_interaction ON results(run_id, interaction_id);
    CREATE TABLE actions (
      run_id TEXT NOT NULL, interaction_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
      object TEXT NOT NULL, fields TEXT NOT NULL, idempotency_key TEXT NOT NULL, agent TEXT NOT NULL,
      record_id TEXT, contact_ref TEXT, status TEXT NOT NULL, note TEXT, expected TEXT, before TEXT,
      PRIMARY KEY (run_id, interaction_id, seq)
    );
    CREATE TABLE applied_keys (
      idempotency_key TEXT PRIMARY KEY, record_id TEXT NOT NULL, run_id TEXT NOT NULL, applied_at TEXT NOT NULL
    );
    CREATE TABLE claims (
      idempotency_key TEXT PRIMARY KEY, run_id TEXT NOT NULL, owner TEXT NOT NULL,
      claimed_at DOUBLE PRECISION NOT NULL
    );
    CREATE TABLE audit (
      seq BIGINT PRIMARY KEY, at TEXT NOT NULL, run_id TEXT, interaction_id TEXT, actor TEXT NOT NULL,
      agent TEXT NOT NULL, connector TEXT NOT NULL, operation TEXT NOT NULL, object TEXT NOT NULL, record_id TEXT,
      before TEXT, after TEXT, outcome TEXT NOT NULL, detail TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
    );
    CREATE INDEX audit_by_run ON audit(run_id);
    CREATE INDEX audit_by_record ON audit(record_id);
    CREATE TABLE audit_head (
      id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL, mac TEXT NOT NULL
    );
    CREATE TABLE reviews (
      review_id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id TEXT NOT NULL,
      interaction_id TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, intent TEXT, urgency TEXT,
      created_at TEXT NOT NULL, context TEXT NOT NULL, decided_at TEXT, decided_by TEXT, decision_note TEXT,
      reply TEXT, UNIQUE (run_id, interaction_id)
    );
    CREATE INDEX reviews_by_status ON reviews(status);
    """,
    # 2: sealed action rows; runs, applied keys and claims belong to a CRM target (store/targets.py)
    """
    ALTER TABLE actions ADD COLUMN mac TEXT;
    ALTER TABLE runs ADD COLUMN target TEXT NOT NULL DEFAULT '';
    ALTER TABLE applied_keys ADD COLUMN target TEXT;
    UPDATE applied_keys k SET target = 'legacy:' || COALESCE((SELECT crm_type FROM runs r WHERE r.run_id = k.run_id),
                                                             'local');
    ALTER TABLE applied_keys ALTER COLUMN target SET NOT NULL;
    ALTER TABLE applied_keys DROP CONSTRAINT applied_keys_pkey;
    ALTER TABLE applied_keys ADD PRIMARY KEY (target, idempotency_key);
    DELETE FROM claims;
    ALTER TABLE claims ADD COLUMN target TEXT NOT NULL;
    ALTER TABLE claims DROP CONSTRAINT claims_pkey;
    ALTER TABLE claims ADD PRIMARY KEY (target, idempotency_key);
    CREATE INDEX results_by_interaction_id ON results(interaction_id);
    """,
    # 3: the Message Batches a run sent, journaled before it polls them
    """
    CREATE TABLE llm_batches (
      run_id TEXT NOT NULL, batch_id TEXT NOT NULL, requests INTEGER NOT NULL, created_at TEXT NOT NULL,
      PRIMARY KEY (run_id, batch_id)
    );
    """,
    # 4: how far each IMAP mailbox folder was read (crm_crew/mail)
    """
    CREATE TABLE mail_cursors (
      mailbox TEXT PRIMARY KEY, uidvalidity BIGINT NOT NULL, last_uid BIGINT NOT NULL, updated_at TEXT NOT NULL
    );
    """,
    # 5: the replies handed to a mail server, before and after it accepted them (crm_crew/mail/outbox.py)
    POSTGRES_TABLE,
)


def migrate(conn: psycopg.Connection[DictRow]) -> int:
    """Bring the schema on `conn`'s search path up to the last migration; return its number."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, MIGRATION_LOCK))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                     "version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        row = conn.execute("SELECT COALESCE(MAX(version), 0) AS version FROM schema_version").fetchone()
        current = int(row["version"]) if row else 0
        if current > len(MIGRATIONS):
            raise CrmCrewError(
                f"the shared store's schema is version {current}, newer than this crm-crew knows ({len(MIGRATIONS)}): "
                "upgrade crm-crew")
        for version in range(current + 1, len(MIGRATIONS) + 1):
            conn.execute(MIGRATIONS[version - 1])
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
    return len(MIGRATIONS)

"""The embedded local CRM: the Connector protocol on a SQLite file (stdlib sqlite3).

Ids are readable and prefixed by object type: "C-" contact, "A-" activity, "K-" case,
"T-" task, followed by 8 lower-case hex digits (e.g. "C-1a2b3c4d").

One connection is shared by every thread and guarded by a lock; writes run in
`BEGIN IMMEDIATE` transactions, so another process using the same file waits its turn.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from crm_crew.connectors.base import (
    CHILD_TYPES,
    EXPORT_KEYS,
    NO_LOSSY_FIELDS,
    OBJECT_TYPES,
    UNIFIED_FIELDS,
    CheckReport,
    ObjectType,
    check_object_type,
    clean_unified,
    create_each,
    related_records_error,
    stale_fields,
)
from crm_crew.connectors.candidates import query_tokens, rank_candidates, search_probes
from crm_crew.connectors.contacts_file import is_valid_email, normalize_email
from crm_crew.connectors.options import ConnectorContext, ConnectorOptions, parse_options
from crm_crew.errors import ConnectorError, CrmUnavailableError, StaleRecordError, UserError
from crm_crew.models import Activity, Contact

SCHEMA_VERSION = 1
DEFAULT_PATH = "{home}/crm.sqlite"

TABLES: dict[str, str] = EXPORT_KEYS
PREFIXES: dict[str, str] = {"contact": "C-", "activity": "A-", "case": "K-", "task": "T-"}
FIELDS: dict[str, tuple[str, ...]] = UNIFIED_FIELDS


class LocalOptions(ConnectorOptions):
    path: str = DEFAULT_PATH          # the SQLite file; {home} is the state folder

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
  id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE,
  first_name TEXT NOT NULL DEFAULT '', last_name TEXT NOT NULL DEFAULT '',
  company TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '', tier TEXT NOT NULL DEFAULT '',
  lead_status TEXT NOT NULL DEFAULT '', opted_out INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),
  idempotency_key TEXT UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS activities (
  id TEXT PRIMARY KEY, contact_id TEXT NOT NULL REFERENCES contacts(id),
  subject TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT '', occurred_at TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '', intent TEXT NOT NULL DEFAULT '', sentiment TEXT NOT NULL DEFAULT '',
  interaction_id TEXT NOT NULL DEFAULT '', idempotency_key TEXT UNIQUE,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS activities_contact ON activities(contact_id, occurred_at);
CREATE TABLE IF NOT EXISTS cases (
  id TEXT PRIMARY KEY, contact_id TEXT NOT NULL REFERENCES contacts(id),
  subject TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '', priority TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '', origin TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cases_contact ON cases(contact_id);
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, contact_id TEXT NOT NULL REFERENCES contacts(id),
  subject TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT '', due_date TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '', description TEXT NOT NULL DEFAULT '',
  idempotency_key TEXT UNIQUE, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tasks_contact ON tasks(contact_id);
"""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def open_local_crm(options: dict[str, Any], ctx: ConnectorContext) -> LocalCRM:
    """Open (creating if needed) the local CRM named by the `crm.options` of the config."""
    raw = parse_options(LocalOptions, options, "local").path
    if not raw.strip():
        raise UserError("crm.options.path: expected a file path such as \"{home}/crm.sqlite\"")
    path = Path(raw.replace("{home}", str(ctx.home))).expanduser()
    crm = LocalCRM(path.absolute())
    try:   # a CRM file inside the state folder travels with it (a copied folder keeps its keys valid)
        crm.target = f"local:{{home}}/{crm.path.resolve().relative_to(ctx.home.resolve()).as_posix()}"
    except ValueError:
        pass
    return crm


class LocalCRM:
    """A small CRM in one SQLite file, implementing the Connector protocol."""

    name = "local"
    lossy_fields = NO_LOSSY_FIELDS

    def __init__(self, path: Path, clock: Callable[[], str] = utc_now) -> None:
        self.path = Path(path)
        self.target = f"local:{self.path.resolve()}"
        self._clock = clock
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise self._unavailable(exc) from exc
        self._db.row_factory = sqlite3.Row
        try:
            self._init_schema()
        except sqlite3.Error as exc:
            self._db.close()
            raise self._unavailable(exc) from exc

    def _unavailable(self, exc: BaseException) -> CrmUnavailableError:
        return CrmUnavailableError(
            f"cannot open the local CRM at {self.path}: {exc}. Set crm.options.path to a writable "
            "SQLite file (it is created if missing), or move the file that is in the way.")

    def _init_schema(self) -> None:
        self._db.execute("PRAGMA foreign_keys = ON")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this crm-crew supports "
                                        f"({SCHEMA_VERSION})")
        self._db.execute("PRAGMA journal_mode = WAL")
        if version < SCHEMA_VERSION:
            self._db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    # -- plumbing ---------------------------------------------------------------------

    def _write(self) -> _Transaction:
        return _Transaction(self._db, self._lock)

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise ConnectorError(f"local CRM at {self.path}: {exc}") from exc

    def _new_id(self, obj: str) -> str:
        table = TABLES[obj]
        while True:
            candidate = PREFIXES[obj] + secrets.token_hex(4)
            if not self._db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (candidate,)).fetchone():
                return candidate

    def _contact_exists(self, contact_id: Any) -> None:
        row = self._db.execute("SELECT 1 FROM contacts WHERE id = ?", (str(contact_id),)).fetchone()
        if row is None:
            raise ConnectorError(f"contact {contact_id} does not exist")

    def _clean(self, obj: str, fields: dict[str, Any]) -> dict[str, Any]:
        """`clean_unified`, then what the columns hold: a valid email, opted_out as 0/1."""
        clean = clean_unified(obj, fields)
        if "email" in clean and not is_valid_email(clean["email"]):
            raise ConnectorError(f"contact email {fields['email']!r} is not a valid email address")
        if "opted_out" in clean:
            clean["opted_out"] = int(clean["opted_out"])
        return clean

    # -- Connector protocol -------------------------------------------------------------

    def find_contact_by_email(self, email: str) -> Contact | None:
        rows = self._query("SELECT * FROM contacts WHERE email = ?", (normalize_email(email),))
        return _contact(rows[0]) if rows else None

    def get_contact(self, contact_id: str) -> Contact | None:
        rows = self._query("SELECT * FROM contacts WHERE id = ?", (contact_id,))
        return _contact(rows[0]) if rows else None

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        """Contacts sharing a name or company token with the query, best overlap first.

        Ranked by `rank_candidates`; scoring the match is the caller's job.
        """
        query = query_tokens(name, company)
        if not query or limit <= 0:
            return []
        probes = search_probes(query)
        like = "LIKE ? ESCAPE '\\'"
        where = " OR ".join(f"(first_name {like} OR last_name {like} OR company {like})" for _ in probes)
        params = [f"%{_escape_like(p)}%" for p in probes for _ in range(3)]
        sql = f"SELECT * FROM contacts WHERE {where}"
        return rank_candidates(query, (_contact(row) for row in self._query(sql, params)), limit)

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        rows = self._query("SELECT * FROM activities WHERE contact_id = ? "
                           "ORDER BY occurred_at DESC, created_at DESC, id DESC LIMIT ?", (contact_id, limit))
        return [Activity(id=r["id"], contact_id=r["contact_id"], subject=r["subject"], kind=r["kind"],
                         occurred_at=r["occurred_at"], description=r["description"], intent=r["intent"],
                         sentiment=r["sentiment"]) for r in rows]

    def create(self, obj: ObjectType, fields: dict[str, Any], idempotency_key: str) -> str:
        """Create a record and return its id; never creates the same thing twice.

        - A record of this type already created with `idempotency_key` -> its id, no write.
        - A contact whose normalized email already exists -> that contact's id, no write
          (the given fields are not applied; use `update` for that).
        - A contact needs a valid `email`; an activity, case or task needs the `contact_id`
          of an existing contact. Unknown types or fields raise `ConnectorError`.
        An empty `idempotency_key` means "no key": every call creates a record.
        """
        clean = self._clean(obj, fields)
        table = TABLES[obj]
        key = idempotency_key or None
        with self._write() as db:
            if key is not None:
                found = db.execute(f"SELECT id FROM {table} WHERE idempotency_key = ?", (key,)).fetchone()
                if found:
                    return str(found["id"])
            if obj == "contact":
                if "email" not in clean:
                    raise ConnectorError("a contact needs an email")
                found = db.execute("SELECT id FROM contacts WHERE email = ?", (clean["email"],)).fetchone()
                if found:
                    return str(found["id"])
            else:
                if not clean.get("contact_id"):
                    raise ConnectorError(f"a {obj} needs the contact_id of an existing contact")
                self._contact_exists(clean["contact_id"])
                if obj == "activity" and not clean.get("occurred_at"):
                    clean["occurred_at"] = self._clock()
            now = self._clock()
            record_id = self._new_id(obj)
            row = {"id": record_id, **clean, "idempotency_key": key, "created_at": now, "updated_at": now}
            columns = ", ".join(row)
            db.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})",
                       tuple(row.values()))
            return record_id

    def create_many(self, obj: ObjectType, items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
        return create_each(self, obj, items)

    def update(self, obj: ObjectType, record_id: str, fields: dict[str, Any],
               expected: dict[str, Any] | None = None) -> dict[str, Any]:
        """Set `fields` on a record and `updated_at`; return the previous values of those fields.

        When a field of `expected` no longer has that value, nothing is written:
        StaleRecordError carries the current values.
        """
        clean = self._clean(obj, fields)
        table = TABLES[obj]
        with self._write() as db:
            before = db.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,)).fetchone()
            if before is None:
                raise ConnectorError(f"{obj} {record_id} does not exist")
            current = _row_dict(before)
            changed = stale_fields(expected, current)
            if changed:
                raise StaleRecordError(f"{obj} {record_id} changed in the CRM since it was read: "
                                       + ", ".join(f"{k} is now {v!r}" for k, v in changed.items()), current)
            if obj != "contact" and "contact_id" in clean:
                self._contact_exists(clean["contact_id"])
            if obj == "contact" and clean.get("email", before["email"]) != before["email"]:
                taken = db.execute("SELECT id FROM contacts WHERE email = ?", (clean["email"],)).fetchone()
                if taken:
                    raise ConnectorError(f"email {clean['email']} already belongs to contact {taken['id']}")
            previous = {k: bool(before[k]) if k == "opted_out" else before[k] for k in clean}
            if clean:
                assignments = ", ".join(f"{k} = ?" for k in clean)
                db.execute(f"UPDATE {table} SET {assignments}, updated_at = ? WHERE id = ?",
                           (*clean.values(), self._clock(), record_id))
            return previous

    def get(self, obj: ObjectType, record_id: str) -> dict[str, Any] | None:
        """The row as export_all() gives it (unified fields, idempotency_key, created_at, updated_at)."""
        check_object_type(obj)
        rows = self._query(f"SELECT * FROM {TABLES[obj]} WHERE id = ?", (record_id,))
        return _row_dict(rows[0]) if rows else None

    def delete(self, obj: ObjectType, record_id: str) -> bool:
        """DELETE the row; False when there is none. A contact that activities, cases or tasks
        still point at is refused (CrmRecordError RELATED_RECORDS) before anything is written."""
        check_object_type(obj)
        table = TABLES[obj]
        with self._write() as db:
            if db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (record_id,)).fetchone() is None:
                return False
            if obj == "contact":
                counts = {child: int(db.execute(f"SELECT COUNT(*) FROM {TABLES[child]} WHERE contact_id = ?",
                                                (record_id,)).fetchone()[0]) for child in CHILD_TYPES}
                if any(counts.values()):
                    raise related_records_error(record_id, counts)
            db.execute(f"DELETE FROM {table} WHERE id = ?", (record_id,))
            return True

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> LocalCRM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self) -> CheckReport:
        counts = self.counts()
        return CheckReport("local", str(self.path), identity="embedded SQLite CRM",
                           permissions={f"{obj}:{op}": True for obj in OBJECT_TYPES for op in ("read", "write")},
                           notes=[", ".join(f"{n} {t}" for t, n in counts.items())])

    def export_all(self) -> dict[str, list[dict[str, Any]]]:
        """Every record of every table, keyed contacts/activities/cases/tasks, oldest first."""
        with self._lock:
            out: dict[str, list[dict[str, Any]]] = {}
            for table in TABLES.values():
                rows = self._db.execute(f"SELECT * FROM {table} ORDER BY created_at, id").fetchall()
                out[table] = [_row_dict(r) for r in rows]
            return out

    def counts(self) -> dict[str, int]:
        """Number of records per table, keyed contacts/activities/cases/tasks."""
        with self._lock:
            return {t: int(self._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES.values()}


class _Transaction:
    """`with` block: take the lock, BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db = db
        self._lock = lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except BaseException as exc:
            self._lock.release()
            if isinstance(exc, sqlite3.Error):
                raise ConnectorError(f"local CRM: cannot start a write: {exc}") from exc
            raise
        return self._db

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        try:
            if exc_type is None:
                self._db.execute("COMMIT")
            else:
                self._db.execute("ROLLBACK")
        except sqlite3.Error as error:
            if exc_type is None:
                raise ConnectorError(f"local CRM: write failed: {error}") from error
        finally:
            self._lock.release()
        if isinstance(exc, sqlite3.Error):
            raise ConnectorError(f"local CRM refused the write: {exc}") from exc


def _contact(row: sqlite3.Row) -> Contact:
    return Contact(id=row["id"], email=row["email"], first_name=row["first_name"], last_name=row["last_name"],
                   company=row["company"], phone=row["phone"], tier=row["tier"], lead_status=row["lead_status"],
                   opted_out=bool(row["opted_out"]), updated_at=row["updated_at"])


def _row_dict(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    if "opted_out" in data:
        data["opted_out"] = bool(data["opted_out"])
    return data


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

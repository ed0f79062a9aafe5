"""The one SQLite connection a store shares between threads, and its transactions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crm_crew.errors import CrmCrewError
from crm_crew.store.audit import AuditKey
from crm_crew.store.sqlite_schema import create_schema
from crm_crew.storage import is_storage_failure, storage_error


class SQLiteDb:
    """Autocommit connection in WAL mode; `transaction()` takes the write lock up front
    (BEGIN IMMEDIATE), so concurrent processes on the same journal queue instead of failing.
    A journal that cannot be written (read-only, disk full) raises StorageError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path.absolute())
        self._sealer: AuditKey | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage_error(exc, path) from exc
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            create_schema(self._db)
        except sqlite3.DatabaseError as exc:
            if is_storage_failure(exc):
                raise storage_error(exc, path) from exc
            raise CrmCrewError(f"cannot open the run journal {path}: {exc} (move it away or set CRM_CREW_HOME)") from exc
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()

    def seal_with(self, key: AuditKey) -> None:
        self._sealer = key

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock, self._storage():
            return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _storage(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            if is_storage_failure(exc):
                raise storage_error(exc, self.path) from exc
            raise

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._storage():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

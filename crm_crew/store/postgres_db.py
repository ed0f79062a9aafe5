"""The few PostgreSQL connections a process's threads share, and their transactions."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow, dict_row

from crm_crew.errors import CrmCrewError, StorageError
from crm_crew.store.audit import AuditKey
from crm_crew.store.postgres_schema import migrate

Connection = psycopg.Connection[DictRow]
POOL_SIZE = 4


def describe_url(url: str) -> str:
    """The server and database of a connection URL, without its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an invalid URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    return f"postgresql://{user}{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


class PostgresDb:
    """Up to POOL_SIZE autocommit connections, opened on demand and handed to one thread at a time;
    `_transaction()` runs a block in one transaction. A connection that broke is dropped and the
    next call opens a new one, so a store outlives a restart of the server."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._where = describe_url(url)
        self.location = self._where
        self._sealer: AuditKey | None = None
        self._idle: list[Connection] = []
        self._opened = 0
        self._free = threading.Condition()
        self._closed = False
        with self._connection() as conn:
            migrate(conn)

    def seal_with(self, key: AuditKey) -> None:
        self._sealer = key

    def _connect(self) -> Connection:
        try:
            return psycopg.connect(self._url, autocommit=True, row_factory=dict_row, connect_timeout=15)
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise CrmCrewError(f"cannot connect to the PostgreSQL store at {self._where}: {reason} "
                               "(start the server or fix DATABASE_URL / store.url)") from exc

    def _take(self) -> Connection:
        with self._free:
            if self._closed:
                raise CrmCrewError("the PostgreSQL store was closed")
            while not self._idle and self._opened >= POOL_SIZE:
                self._free.wait()
            if self._idle:
                return self._idle.pop()
            self._opened += 1
        try:
            return self._connect()
        except BaseException:
            self._give_back(None)
            raise

    def _give_back(self, conn: Connection | None) -> None:
        with self._free:
            if conn is not None and not conn.closed and not conn.broken and not self._closed:
                self._idle.append(conn)
            else:
                self._opened -= 1
                if conn is not None:
                    conn.close()
            self._free.notify()

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        conn = self._take()
        try:
            yield conn
        except (psycopg.errors.DiskFull, psycopg.errors.ReadOnlySqlTransaction) as exc:
            raise StorageError(f"the PostgreSQL store at {self._where} cannot be written: "
                               f"{str(exc).strip() or type(exc).__name__}") from exc
        except psycopg.OperationalError as exc:
            if conn.closed or conn.broken:
                raise CrmCrewError(f"lost the connection to the PostgreSQL store at {self._where}: "
                                   f"{str(exc).strip() or type(exc).__name__}") from exc
            raise
        finally:
            self._give_back(conn)

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> list[DictRow]:
        with self._connection() as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._connection() as conn, conn.transaction():
            yield conn

    def close(self) -> None:
        with self._free:
            self._closed = True
            idle, self._idle = self._idle, []
            self._opened -= len(idle)
        for conn in idle:
            conn.close()

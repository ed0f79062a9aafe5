"""Store registry: the embedded SQLite journal is the default; a postgresql:// URL opens the shared store."""

from __future__ import annotations

from pathlib import Path

from crm_crew.errors import UserError
from crm_crew.store.base import Store
from crm_crew.store.sqlite import SQLiteStore

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(home: Path, url: str | None = None) -> Store:
    """The shared PostgreSQL store at `url`, or the SQLite journal in the state folder `home`."""
    if url:
        if not url.startswith(POSTGRES_SCHEMES):
            raise UserError("the store URL must be a postgresql://USER@HOST:PORT/DB URL; "
                            "leave it unset for the embedded SQLite journal")
        from crm_crew.store.postgres import PostgresStore  # psycopg loads only for the shared store

        return PostgresStore(url)
    return SQLiteStore(home / "journal.sqlite")

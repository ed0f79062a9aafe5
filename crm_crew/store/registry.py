"""Store registry: the embedded SQLite journal is the default."""

from __future__ import annotations

from pathlib import Path

from crm_crew.store.base import Store
from crm_crew.store.sqlite import SQLiteStore


def open_store(home: Path) -> Store:
    return SQLiteStore(home / "journal.sqlite")

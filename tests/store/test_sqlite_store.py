"""The SQLite run journal (crm_crew.store.sqlite.SQLiteStore): the Store contract, and what only a file has."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_crew.errors import CrmCrewError
from crm_crew.store.base import Store
from crm_crew.store.sqlite import SQLiteStore
from tests.store.store_contract import *  # noqa: F403  (the contract's tests and fixtures)
from tests.store.store_contract import Opener


@pytest.fixture
def reopen(tmp_path: Path) -> Opener:
    return lambda: SQLiteStore(tmp_path / "state" / "journal.sqlite")


def test_creates_its_folder(store: Store, tmp_path: Path) -> None:
    assert (tmp_path / "state" / "journal.sqlite").exists()


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "journal.sqlite"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(CrmCrewError, match="cannot open the run journal .*journal.sqlite"):
        SQLiteStore(bad)

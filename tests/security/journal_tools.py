"""What the tamper and integrity tests share: state folders to work on, and hands on the journal."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import Result, cli
from tests.e2e.test_review import build_template

KEY = "test-audit-key-0123456789abcdef"          # tests/conftest.py
OTHER_KEY = "not-the-trail-key-5f3a9c21d8e7b604"


def ok(result: Result) -> Result:
    assert result.code == 0, result.out + result.err
    return result


def applied_template(factory: pytest.TempPathFactory) -> Path:
    """Sample contacts imported, the sample inbox run with --apply as run "apply" (shared, read only)."""
    return build_template(factory, "apply", "--apply")


def shadow_template(factory: pytest.TempPathFactory) -> Path:
    """Sample contacts imported, the sample inbox planned as shadow run "shadow" (shared, read only)."""
    return build_template(factory, "shadow")


def copy_home(template: Path, into: Path) -> Path:
    home = into / "home"
    shutil.copytree(template, home)
    return home


def sql(home: Path, *statements: str) -> list[tuple[Any, ...]]:
    """Statements on the journal behind crm-crew's back, as anyone with the file could; the last one's rows."""
    db = sqlite3.connect(home / "journal.sqlite", isolation_level=None)
    rows: list[tuple[Any, ...]] = []
    try:
        db.execute("BEGIN")
        for statement in statements:
            rows = db.execute(statement).fetchall()
        db.execute("COMMIT")
    finally:
        db.close()
    return rows


def snapshot(home: Path, dest: Path) -> Path:
    """A consistent copy of the journal, as a backup would take it."""
    source, copy = sqlite3.connect(home / "journal.sqlite"), sqlite3.connect(dest)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return dest


def export(home: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    return ok(cli("crm", "export", "--json", home=home, env=env)).json()  # type: ignore[no-any-return]


def verify(home: Path, *args: str) -> Result:
    return cli("audit", "verify", *args, home=home)

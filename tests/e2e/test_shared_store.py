"""The whole CLI on the shared PostgreSQL store (DATABASE_URL): run, apply, review queue, audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.e2e.clihelp import SAMPLES, cli
from tests.servers_fixtures import fresh_database, postgres_url  # noqa: F401  (session fixture)

pytestmark = pytest.mark.slow(seconds=25)


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:  # noqa: F811
    with fresh_database(postgres_url) as url:
        yield url


def test_a_run_journals_reviews_and_audits_in_postgresql(tmp_path: Path, database_url: str) -> None:
    home, env = tmp_path / "home", {"DATABASE_URL": database_url}
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home, env=env).code == 0

    run = cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--run-id", "pg", "--json", home=home, env=env)

    assert run.code == 0, run.err
    summary = run.json()
    assert summary["by_status"] == {"processed": 20, "escalated": 7} and summary["actions"]["applied"] > 20
    assert not (home / "journal.sqlite").exists()          # the journal lives in PostgreSQL
    runs = cli("runs", "--json", home=home, env=env).json()
    assert [r["run_id"] for r in runs] == ["pg"]
    pending = cli("review", "list", "--json", home=home, env=env).json()
    assert len(pending) == 7
    verify = cli("audit", "verify", "--json", home=home, env=env)
    assert verify.code == 0, verify.out + verify.err
    with psycopg.connect(database_url) as db:
        applied = db.execute("SELECT count(*) FROM audit WHERE run_id = 'pg' AND outcome = 'applied'").fetchone()
    assert applied is not None and applied[0] == summary["actions"]["applied"]
    # the same state folder without DATABASE_URL is a different (empty) journal
    assert cli("runs", "--json", home=home).json() == []

"""SIGKILL right after a CRM write, before the journal records it: resumed, the write happens once."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_crew.testing.synthetic import write_inbox
from tests.e2e.backends import Emulators, make_backend
from tests.e2e.killing import applied_audit_entries, clean_state, crm_state, duplicates, finish


@pytest.mark.slow(seconds=90)
@pytest.mark.parametrize("name", ["local", "salesforce"])
def test_killed_right_after_a_crm_write_before_the_journal_the_write_happens_once(
        name: str, emulators: Emulators, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    inbox = write_inbox(tmp_path / "inbox.jsonl", 30, seed=5)

    backend = make_backend(name, emulators, tmp_path / "crashing")
    args = ["run", str(inbox), "--apply", "--run-id", "c"]
    for nth in (3, 9, 17):       # each attempt dies after its nth CRM write, before journaling it
        crashed = finish(backend, *args, extra_env={"CRM_CREW_CRASH_AFTER": f"crm_write:{nth}"})
        assert crashed.returncode == -9, crashed.stderr
        args = ["run", "--resume", "c"]
    assert finish(backend, *args).returncode in (0, 3)
    state = crm_state(backend)
    assert duplicates(state) == {}
    assert state == clean_state(tmp_path_factory, emulators, 30, 5)
    shown = backend.cli("show", "c", "--json").json()
    applied = sum(1 for r in shown["results"] for a in r["actions"] if a["status"] == "applied")
    assert len(applied_audit_entries(backend, "c")) == applied
    assert backend.cli("audit", "verify").code == 0

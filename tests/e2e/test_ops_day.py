"""The README's "A day with a run", end to end through the CLI on every connector."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.backends import Emulators, comparable, make_backend
from tests.e2e.clihelp import SAMPLES


@pytest.mark.parametrize("name", ["local", "salesforce"])
def test_apply_inspect_approve_two_reject_one_roll_back_and_the_audit_still_verifies(
        name: str, emulators: Emulators, tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    before = comparable(backend.export())
    run = backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--run-id", "day", "--json")
    assert run.code == 0, run.err
    writes = backend.cli("audit", "show", "--run", "day", "--json", "--limit", "1000").json()
    assert len(writes) == run.json()["actions"]["applied"]
    assert all(e["connector"] == name and e["outcome"] == "applied" for e in writes)

    pending = backend.cli("review", "list", "--run", "day", "--json").json()
    with_actions = [item for item in pending
                    if backend.cli("review", "show", str(item["review_id"]), "--json").json()["actions"]]
    first, second, third = with_actions[:3]
    for item in (first, second):
        approved = backend.cli("review", "approve", str(item["review_id"]), "--as", "alice")
        assert approved.code == 0, approved.out + approved.err
    rejected = backend.cli("review", "reject", str(third["review_id"]), "--as", "alice", "--reason", "spam in disguise")
    assert rejected.code == 0, rejected.err
    decided = {i["review_id"]: i["status"] for i in backend.cli("review", "list", "--status", "all", "--json").json()}
    assert decided[first["review_id"]] == decided[second["review_id"]] == "approved"
    assert decided[third["review_id"]] == "rejected"
    assert comparable(backend.export()) != before

    undone = backend.cli("rollback", "day", "--as", "alice", "--json")
    assert undone.code == 0, undone.out
    assert comparable(backend.export()) == before            # approved work is undone with the run
    verify = backend.cli("audit", "verify")
    assert verify.code == 0 and "intact" in verify.out

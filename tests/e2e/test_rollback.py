"""`crm-crew rollback RUN_ID` against every connector: undo, conflicts, --force, idempotence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.backends import BACKENDS, Backend, Emulators, comparable, make_backend, open_backend_crm
from tests.e2e.clihelp import SAMPLES

pytestmark = pytest.mark.slow(seconds=200)     # the whole sample inbox, applied on every connector


def _applied(backend: Backend, run_id: str) -> dict[str, dict[str, Any]]:
    shown = backend.cli("show", run_id, "--json")
    assert shown.code == 0, shown.err
    return {r["interaction_id"]: r for r in shown.json()["results"]}


def _action(record: dict[str, Any], action_type: str) -> dict[str, Any]:
    return next(a for a in record["actions"] if a["type"] == action_type)


@pytest.mark.parametrize("name", BACKENDS)
def test_rollback_restores_the_crm_to_before_the_run_and_is_idempotent(name: str, emulators: Emulators,
                                                                        tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    before = comparable(backend.export())
    run = backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--run-id", "r1", "--json")
    assert run.code == 0, run.err
    applied = run.json()["actions"]["applied"]
    assert comparable(backend.export()) != before

    undone = backend.cli("rollback", "r1", "--as", "ops-lead", "--json")
    assert undone.code == 0, undone.out + undone.err
    report = undone.json()
    assert len(report["reverted"]) == applied and report["conflicts"] == [] and report["failed"] == []
    assert comparable(backend.export()) == before          # opt-out re-enabled, lead status restored, records gone
    statuses = {a["status"] for r in _applied(backend, "r1").values() for a in r["actions"]}
    assert "applied" not in statuses and "rolled_back" in statuses

    again = backend.cli("rollback", "r1", "--json")
    assert again.code == 0 and again.json()["reverted"] == []
    audit = backend.cli("audit", "show", "--run", "r1", "--json", "--limit", "100000").json()
    undo_entries = [e for e in audit if e["detail"] and e["detail"].startswith("rollback:")]
    assert len(undo_entries) == applied and all(e["actor"] == "ops-lead" for e in undo_entries)
    assert backend.cli("audit", "verify").code == 0

    if name == "local":
        rerun = backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--run-id", "r2", "--json")
        assert rerun.code == 0 and rerun.json()["actions"]["applied"] == applied   # undone work may be redone


@pytest.mark.parametrize("name", BACKENDS)
def test_records_changed_since_the_run_are_conflicts_until_forced(name: str, emulators: Emulators,
                                                                  tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    run = backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--run-id", "r1")
    assert run.code == 0, run.err
    records = _applied(backend, "r1")
    sam = records["msg-016"]["contact"]["id"]               # the run set Sam's lead status New -> Working
    case = next(a for r in records.values() for a in r["actions"] if a["type"] == "create_case" and a["status"] == "applied")
    with open_backend_crm(backend) as crm:
        crm.update("contact", sam, {"lead_status": "Nurturing"})
        crm.update("case", case["record_id"], {"status": "Closed"})

    undone = backend.cli("rollback", "r1", "--json")
    assert undone.code == 3, undone.err
    report = undone.json()
    conflicts = {(c["type"], c["record_id"]) for c in report["conflicts"]}
    assert conflicts == {("update_lead_status", sam), ("create_case", case["record_id"])}
    assert all("changed in the CRM since the run" in c["reason"] for c in report["conflicts"])
    with open_backend_crm(backend) as crm:
        assert (crm.get_contact(sam) or pytest.fail("contact gone")).lead_status == "Nurturing"
        current_case = crm.get("case", case["record_id"])
        assert current_case is not None and current_case["status"] == "Closed"
    assert len(report["reverted"]) > 20

    forced = backend.cli("rollback", "r1", "--force", "--json")
    assert forced.code == 0, forced.out
    assert len(forced.json()["reverted"]) == 2
    with open_backend_crm(backend) as crm:
        assert (crm.get_contact(sam) or pytest.fail("contact gone")).lead_status == "New"
        assert crm.get("case", case["record_id"]) is None


@pytest.mark.parametrize("name", ["local", "hubspot"])     # a stored creation key; none (fields decide)
def test_a_contact_that_existed_before_the_apply_is_never_deleted(name: str, emulators: Emulators,
                                                                  tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    planned = backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--run-id", "plan")
    assert planned.code == 0, planned.err
    created = next(r for r in _applied(backend, "plan").values()
                   if r["status"] == "processed" and r["contact"]["match"] == "created")
    email = created["contact"]["email"]
    people = tmp_path / "late.csv"
    people.write_text(f"email,first_name,last_name\n{email},Late,Arrival\n", encoding="utf-8")
    assert backend.cli("crm", "import", str(people)).code == 0    # someone adds the person meanwhile
    assert backend.cli("apply", "plan").code == 0

    undone = backend.cli("rollback", "plan", "--force", "--json")
    assert undone.code == 3
    conflict = next(c for c in undone.json()["conflicts"] if c["type"] == "create_contact")
    expected = "was not created by this run" if name == "local" else "--force leaves it"
    assert expected in conflict["reason"]
    emails = {c["email"] for c in backend.export()["contacts"]}
    assert email in emails


def test_a_contact_someone_attached_work_to_is_not_deleted(emulators: Emulators, tmp_path: Path) -> None:
    backend = make_backend("local", emulators, tmp_path)
    assert backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--run-id", "r1").code == 0
    created = next(r for r in _applied(backend, "r1").values()
                   if r["status"] == "processed" and r["contact"]["match"] == "created")
    with open_backend_crm(backend) as crm:
        crm.create("task", {"contact_id": created["contact"]["id"], "subject": "Call back", "kind": "call",
                            "status": "Open"}, "")
    undone = backend.cli("rollback", "r1", "--json")
    assert undone.code == 3
    [conflict] = undone.json()["conflicts"]
    assert conflict["type"] == "create_contact" and "related record" in conflict["reason"]


def test_rollback_of_an_unknown_run_and_without_the_audit_key(emulators: Emulators, tmp_path: Path) -> None:
    backend = make_backend("local", emulators, tmp_path)
    missing = backend.cli("rollback", "nope")
    assert missing.code == 1 and "no run 'nope'" in missing.err
    assert backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--run-id", "r1").code == 0
    keyless = backend.cli("rollback", "r1", env={"CRM_CREW_AUDIT_KEY": ""})
    assert keyless.code == 1 and "CRM_CREW_AUDIT_KEY" in keyless.err and "Traceback" not in keyless.err

"""Remote CRMs misbehave: 429s and 5xx (some after the write), revoked tokens, someone else's edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.backends import REMOTE, Backend, Emulators, comparable, make_backend
from tests.e2e.clihelp import SAMPLES, read_jsonl, write_jsonl

SUBSET = {"msg-001", "msg-003", "msg-004", "msg-005", "msg-011", "msg-013", "msg-014", "msg-015", "msg-016",
          "msg-022", "msg-025", "msg-027"}
TOKEN_ENV = {"salesforce": "SALESFORCE_ACCESS_TOKEN", "hubspot": "HUBSPOT_ACCESS_TOKEN", "rest": "CRM_API_TOKEN"}


def _subset(tmp_path: Path, ids: set[str]) -> Path:
    return write_jsonl(tmp_path / "subset.jsonl", [r for r in read_jsonl(SAMPLES / "inbox.jsonl") if r["id"] in ids])


@pytest.mark.parametrize("name", REMOTE)
def test_a_run_through_twenty_percent_faults_processes_everything_once(name: str, emulators: Emulators,
                                                                       tmp_path: Path) -> None:
    inbox = _subset(tmp_path, SUBSET)
    clean = make_backend(name, emulators, tmp_path / "clean")
    assert clean.cli("run", str(inbox), "--apply", "--json").code == 0
    expected = comparable(clean.export())

    faulty = make_backend(name, emulators, tmp_path / "faulty")          # resets the emulator
    assert faulty.emulator is not None
    faulty.emulator.faults.configure(rate_429=0.1, rate_5xx=0.1, after_ratio=0.5, retry_after_s=0, seed=3)
    result = faulty.cli("run", str(inbox), "--apply", "--json", "--concurrency", "2")
    assert result.code == 0, result.err
    summary = result.json()
    assert summary["by_status"].get("failed", 0) == 0 and summary["actions"]["failed"] == 0
    codes = [r.status for r in faulty.emulator.log]
    assert codes.count(429) >= 3 and sum(c >= 500 for c in codes) >= 3, "the faults were not injected"
    faulty.emulator.faults.reset()
    assert comparable(faulty.export()) == expected


@pytest.mark.parametrize("name", REMOTE)
def test_a_revoked_token_stops_the_run_with_a_clear_message(name: str, emulators: Emulators, tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    assert backend.emulator is not None
    backend.emulator.expire_session()
    result = backend.cli("run", str(_subset(tmp_path, SUBSET)), "--apply", "--run-id", "r401")
    assert result.code == 1
    assert f"credentials rejected by {name}: check {TOKEN_ENV[name]}" in result.err
    assert backend.emulator.token not in result.err + result.out
    runs = backend.cli("runs", "--json").json()
    if name == "hubspot":   # the portal the token belongs to is read first: the run never started
        assert runs == []
    else:
        assert runs[0]["run_id"] == "r401" and runs[0]["status"] == "died"


@pytest.mark.parametrize("name", REMOTE)
def test_a_record_edited_in_the_crm_after_the_plan_is_reread_not_overwritten(name: str, emulators: Emulators,
                                                                            tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    assert backend.emulator is not None
    planned = backend.cli("run", str(_subset(tmp_path, {"msg-016", "msg-005"})), "--run-id", "plan", "--json")
    assert planned.code == 0, planned.err
    shown = {r["interaction_id"]: r for r in backend.cli("show", "plan", "--json").json()["results"]}
    status_action = next(a for a in shown["msg-016"]["actions"] if a["type"] == "update_lead_status")
    contact_id = shown["msg-016"]["contact"]["id"]
    _external_lead_status(backend, contact_id, "Nurturing")

    applied = backend.cli("apply", "plan", "--json")
    assert applied.code == 0, applied.err
    after = {r["interaction_id"]: r for r in backend.cli("show", "plan", "--json").json()["results"]}
    action = next(a for a in after["msg-016"]["actions"] if a["type"] == "update_lead_status")
    assert action["status"] == "skipped"
    assert action["note"].startswith("not overwritten: the record changed in the CRM since the plan")
    assert "Nurturing" in action["note"]
    contacts = {c["id"]: c for c in backend.export()["contacts"]}
    assert contacts[contact_id]["lead_status"] == "Nurturing"
    assert status_action["fields"]["lead_status"] != "Nurturing"
    assert all(a["status"] == "applied" for a in after["msg-005"]["actions"])


def _external_lead_status(backend: Backend, contact_id: str, status: str) -> None:
    """A salesperson changes the lead status in the CRM's own terms."""
    emulator: Any = backend.emulator
    if backend.name == "salesforce":
        obj = "Lead" if contact_id.startswith("00Q") else "Contact"
        emulator.external_edit(obj, contact_id, {"Status" if obj == "Lead" else "Lead_Status__c": status})
    elif backend.name == "hubspot":
        emulator.external_edit("contacts", contact_id, {"hs_lead_status": "OPEN"})   # Nurturing -> OPEN
    else:
        emulator.external_edit("contacts", contact_id, {"leadStatus": status})

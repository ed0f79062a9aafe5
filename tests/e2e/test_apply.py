"""Plan now, apply later, apply twice: the CRM is written exactly once — on every connector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.backends import BACKENDS, Backend, Emulators, make_backend
from tests.e2e.clihelp import SAMPLES, cli, read_jsonl, write_jsonl


def _subset(tmp_path: Path, ids: set[str]) -> Path:
    records = [r for r in read_jsonl(SAMPLES / "inbox.jsonl") if r["id"] in ids]
    return write_jsonl(tmp_path / "subset.jsonl", records)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "state"
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
    return home


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, emulators: Emulators, tmp_path: Path) -> Backend:
    return make_backend(request.param, emulators, tmp_path)


def test_apply_later_writes_the_plan_once_and_never_the_held_actions(backend: Backend, tmp_path: Path) -> None:
    inbox = _subset(tmp_path, {"msg-001", "msg-002", "msg-004", "msg-005", "msg-006", "msg-013", "msg-025"})
    run = backend.cli("run", str(inbox), "--run-id", "r1", "--json")
    assert run.code == 0, run.err
    assert backend.export()["activities"] == []

    applied = backend.cli("apply", "r1", "--json")
    assert applied.code == 0, applied.err
    report = applied.json()
    assert report["failed"] == 0 and report["held"] == 2  # msg-002 (enterprise complaint): activity + case
    crm = backend.export()
    contacts = {c["email"]: c for c in crm["contacts"]}
    assert "daniel.okafor@brightwave-media.com" in contacts
    daniel = contacts["daniel.okafor@brightwave-media.com"]
    assert (daniel["first_name"], daniel["company"], daniel["lead_status"]) == ("Daniel", "Brightwave Media Ltd", "Working")
    assert "winner@lucky-prize-center.biz" not in contacts
    assert contacts["lisa.wong@hooli.com"]["opted_out"] is True
    jane = contacts["jane.doe@acme-corp.com"]
    assert not [a for a in crm["activities"] if a["contact_id"] == jane["id"]], "held actions were applied"
    # one activity per non-spam, non-escalated interaction, each on its contact
    assert len(crm["activities"]) == 5
    assert {t["kind"] for t in crm["tasks"]} == {"quote", "call"}
    assert sorted(c["priority"] for c in crm["cases"]) == ["High", "Medium"]   # msg-001 broken login; msg-025

    again = backend.cli("apply", "r1", "--json")
    assert again.code == 0
    assert again.json()["applied"] == 0
    assert backend.export() == crm

    shown = backend.cli("show", "r1", "--json").json()
    by_id = {r["interaction_id"]: r for r in shown["results"]}
    assert by_id["msg-004"]["contact"]["id"] == daniel["id"]
    assert {a["status"] for a in by_id["msg-001"]["actions"]} == {"applied"}
    assert {a["status"] for a in by_id["msg-002"]["actions"]} == {"held"}


def test_run_apply_twice_over_the_same_inbox_creates_no_duplicates(backend: Backend, tmp_path: Path) -> None:
    inbox = _subset(tmp_path, {"msg-001", "msg-004", "msg-014", "msg-027"})
    first = backend.cli("run", str(inbox), "--apply", "--json", "--concurrency", "4")
    assert first.code == 0, first.err
    assert first.json()["actions"]["applied"] > 0
    crm = backend.export()
    second = backend.cli("run", str(inbox), "--apply", "--json", "--concurrency", "4",
                         "--out", str(tmp_path / "second.jsonl"))
    assert second.code == 0
    summary = second.json()
    # Every message was acted on by the first run against this CRM: the second recognizes them as
    # duplicates and neither works nor journals them again.
    assert first.json()["actions"]["applied"] == 14   # msg-001 (a broken login: high) also opens a case
    assert summary["duplicates"] == 4 and summary["interactions"] == 0
    assert summary["actions"] == {"planned": 0, "applied": 0, "held": 0, "skipped": 0, "failed": 0}
    assert backend.export() == crm
    records = read_jsonl(tmp_path / "second.jsonl")
    assert {r["status"] for r in records} == {"duplicate"}
    assert {r["duplicate_of"]["run_id"] for r in records} == {first.json()["run_id"]}


def test_apply_unknown_run_is_a_clear_error(home: Path) -> None:
    result = cli("apply", "missing-run", home=home)
    assert result.code == 1
    assert "no run 'missing-run'" in result.err


def test_duplicate_run_id_is_refused(home: Path, tmp_path: Path) -> None:
    inbox = _subset(tmp_path, {"msg-011"})
    assert cli("run", str(inbox), "--run-id", "same", home=home).code == 0
    again = cli("run", str(inbox), "--run-id", "same", home=home)
    assert again.code == 1 and "run 'same' already exists" in again.err
    assert json.loads(cli("runs", "--json", home=home).out)[0]["run_id"] == "same"


def test_one_new_sender_writing_twice_in_one_concurrent_run_becomes_one_contact(backend: Backend,
                                                                                tmp_path: Path) -> None:
    sender = "Nora Quinn <nora.quinn@quinn-analytics.com>"
    inbox = write_jsonl(tmp_path / "twice.jsonl", [
        {"id": f"nora-{i}", "from": sender, "subject": f"Pricing question {i}",
         "body": f"Hello, we are interested in pricing for {i + 2} licenses. Could you send a quote?\n\nNora Quinn\nQuinn Analytics"}
        for i in range(4)
    ])
    result = backend.cli("run", str(inbox), "--apply", "--json", "--concurrency", "4")
    assert result.code == 0, result.err
    crm = backend.export()
    noras = [c for c in crm["contacts"] if c["email"] == "nora.quinn@quinn-analytics.com"]
    assert len(noras) == 1
    assert sorted(a["subject"] for a in crm["activities"] if a["contact_id"] == noras[0]["id"]) == [
        f"Pricing question {i}" for i in range(4)]

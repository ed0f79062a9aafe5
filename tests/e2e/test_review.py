"""`crm-crew review`: escalated interactions wait, held, until a person approves or rejects them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.backends import Emulators, make_backend
from tests.e2e.clihelp import SAMPLES, Result, cli, read_jsonl, write_jsonl
from tests.e2e.shared import shared_path

ESCALATED = {"msg-002", "msg-007", "msg-008", "msg-009", "msg-010", "msg-015", "msg-021"}


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


def build_template(tmp_path_factory: pytest.TempPathFactory, name: str, *run_args: str) -> Path:
    """Import the sample contacts and run the sample inbox once per test session, shared by the
    xdist workers (each test then works on a copy of the state folder)."""
    with shared_path(tmp_path_factory, f"review-template-{name}") as home:
        if not (home / "done").exists():
            shutil.rmtree(home, ignore_errors=True)
            _ok(cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home))
            _ok(cli("run", str(SAMPLES / "inbox.jsonl"), "--run-id", name, "--json", *run_args, home=home))
            (home / "done").write_text("ok", encoding="utf-8")
    return home


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample inbox run in shadow mode (run "shadow") and with --apply (run "apply")."""
    return {"shadow": build_template(tmp_path_factory, "shadow"),
            "apply": build_template(tmp_path_factory, "apply", "--apply")}


def _copy(templates: dict[str, Path], mode: str, tmp_path: Path) -> Path:
    home = tmp_path / f"home-{mode}"
    shutil.copytree(templates[mode], home)
    return home


@pytest.fixture
def shadow(templates: dict[str, Path], tmp_path: Path) -> Path:
    return _copy(templates, "shadow", tmp_path)


@pytest.fixture
def applied(templates: dict[str, Path], tmp_path: Path) -> Path:
    return _copy(templates, "apply", tmp_path)


def reviews(home: Path, *args: str) -> list[dict[str, Any]]:
    return _ok(cli("review", "list", "--json", *args, home=home)).json()  # type: ignore[no-any-return]


def review_id(home: Path, interaction_id: str) -> int:
    return next(int(r["review_id"]) for r in reviews(home, "--status", "all") if r["interaction_id"] == interaction_id)


def records(home: Path, run_id: str) -> dict[str, dict[str, Any]]:
    shown = _ok(cli("show", run_id, "--json", home=home)).json()
    return {r["interaction_id"]: r for r in shown["results"]}


def export(home: Path) -> dict[str, Any]:
    return _ok(cli("crm", "export", "--json", home=home)).json()  # type: ignore[no-any-return]


def audit(home: Path, *args: str) -> list[dict[str, Any]]:
    return _ok(cli("audit", "show", "--json", "--limit", "100000", *args, home=home)).json()  # type: ignore[no-any-return]


def contact_id(crm: dict[str, Any], email: str) -> str:
    return str(next(c["id"] for c in crm["contacts"] if c["email"] == email))


# -- the queue ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["shadow", "apply"])
def test_the_queue_holds_exactly_the_escalated_interactions(templates: dict[str, Path], mode: str) -> None:
    home = templates[mode]   # read only
    listed = reviews(home)
    assert {r["interaction_id"] for r in listed} == ESCALATED
    by_record = records(home, mode)
    assert {i for i, r in by_record.items() if r["status"] == "escalated"} == ESCALATED
    for item in listed:
        record = by_record[item["interaction_id"]]
        assert item["status"] == "pending" and item["run_id"] == mode and item["decided_by"] is None
        assert item["reason"] == record["escalation"]["reason"]
        assert item["intent"] == record["intent"] and item["urgency"] == record["urgency"]
        assert record["actions"] and {a["status"] for a in record["actions"]} == {"held"}
    table = _ok(cli("review", "list", home=home)).out
    assert "msg-010" in table and "Urgency is critical." in table and "msg-001" not in table


def test_list_filters(templates: dict[str, Path]) -> None:
    home = templates["shadow"]
    ids = lambda *args: {r["interaction_id"] for r in reviews(home, *args)}  # noqa: E731
    assert ids("--reason", "Enterprise-tier") == {"msg-002", "msg-015"}
    assert ids("--reason", "enterprise-TIER") == {"msg-002", "msg-015"}
    by_intent = {r["interaction_id"]: r["intent"] for r in records(home, "shadow").values()}
    assert ids("--intent", "support") == {i for i in ESCALATED if by_intent[i] == "support"} and "msg-010" in by_intent
    assert ids("--intent", "support", "--reason", "critical") == {"msg-010"}
    assert ids("--run", "shadow") == ESCALATED
    assert ids("--run", "no-such-run") == set()
    assert ids("--status", "approved") == set() and ids("--status", "rejected") == set()
    assert ids("--status", "all") == ESCALATED
    bad = cli("review", "list", "--status", "maybe", home=home)
    assert bad.code == 2 and "maybe" in bad.err


def test_show_gives_the_redacted_interaction_the_reasoning_the_held_actions_and_the_draft(
        templates: dict[str, Path]) -> None:
    home = templates["shadow"]
    item = review_id(home, "msg-010")
    view = _ok(cli("review", "show", str(item), "--json", home=home)).json()
    assert view["review"]["interaction_id"] == "msg-010" and view["review"]["status"] == "pending"
    interaction = view["interaction"]
    assert interaction["sender_email"] == "tom.becker@umbrella.co"
    assert "[PHONE]" in interaction["body"]   # the phone number in the message is redacted
    assert "+1 555" not in interaction["body"]
    reasoning = view["reasoning"]
    assert reasoning["escalation_reason"] == "Urgency is critical."
    assert reasoning["urgency"] == "critical" and reasoning["intent"] == "support"
    assert reasoning["security"]["pii_redacted"] == ["phone"]
    assert reasoning["tools_used"] and 0 <= reasoning["confidence"] <= 1
    assert [(a["type"], a["status"]) for a in view["actions"]] == [
        ("log_activity", "held"), ("create_case", "held"), ("create_task", "held")]
    assert all(a["note"].startswith("held for review") for a in view["actions"])
    assert view["reply_draft"]["body"] and view["decision"] is None

    text = _ok(cli("review", "show", str(item), home=home)).out
    for expected in ("Urgency is critical.", "[PHONE]", "create_case", "held", "reply draft",
                     view["reply_draft"]["subject"], "crm-crew review approve"):
        assert expected in text, expected

    injection = _ok(cli("review", "show", str(review_id(home, "msg-007")), "--json", home=home)).json()
    assert injection["reasoning"]["security"]["injection"] is True


def test_unknown_review_ids_are_clear_errors(templates: dict[str, Path]) -> None:
    home = templates["shadow"]
    for args in (("show", "999"), ("approve", "999"), ("reject", "999", "--reason", "no")):
        result = cli("review", *args, home=home)
        assert result.code == 1, args
        assert "no review item 999" in result.err and "Traceback" not in result.err
    assert cli("review", "show", "abc", home=home).code == 2


# -- held stays held ---------------------------------------------------------------------------


def test_apply_and_run_apply_leave_held_actions_held(shadow: Path, applied: Path) -> None:
    report = _ok(cli("apply", "shadow", "--json", home=shadow)).json()
    assert report["held"] > 0 and report["failed"] == 0
    for home, run_id in ((shadow, "shadow"), (applied, "apply")):
        by_record = records(home, run_id)
        for interaction_id in ESCALATED:
            assert {a["status"] for a in by_record[interaction_id]["actions"]} == {"held"}, interaction_id
        crm = export(home)
        assert not [a for a in crm["activities"] if a.get("interaction_id") in ESCALATED]
        assert "ben.harper@fastmail.com" not in {c["email"] for c in crm["contacts"]}   # msg-021's new contact
        assert {r["interaction_id"] for r in reviews(home)} == ESCALATED
    assert _ok(cli("apply", "shadow", "--json", home=shadow)).json()["applied"] == 0


# -- approve -----------------------------------------------------------------------------------


def test_approve_writes_the_held_actions_as_the_approver(applied: Path) -> None:
    item = review_id(applied, "msg-002")
    before = export(applied)
    result = _ok(cli("review", "approve", str(item), "--as", "alice", "--json", home=applied))
    report = result.json()
    assert report == {**report, "review_id": item, "run_id": "apply", "interaction_id": "msg-002",
                      "applied": 2, "skipped": 0, "failed": 0, "reply_edited": False, "by": "alice"}

    crm = export(applied)
    jane = contact_id(crm, "jane.doe@acme-corp.com")
    assert [a["contact_id"] for a in crm["activities"] if a["interaction_id"] == "msg-002"] == [jane]
    assert len(crm["cases"]) == len(before["cases"]) + 1
    assert len(crm["activities"]) == len(before["activities"]) + 1

    record = records(applied, "apply")["msg-002"]
    assert {a["status"] for a in record["actions"]} == {"applied"}
    assert record["review"]["status"] == "approved" and record["review"]["by"] == "alice"
    assert record["status"] == "escalated"

    trail = audit(applied, "--run", "apply")
    mine = [e for e in trail if e["interaction_id"] == "msg-002"]
    assert [(e["operation"], e["object"], e["actor"], e["outcome"]) for e in mine] == [
        ("review_approve", "interaction", "alice", "approved"),
        ("create", "activity", "alice", "applied"),
        ("create", "case", "alice", "applied")]
    assert mine[0]["record_id"] == "msg-002"
    assert mine[0]["after"] == {"review_id": item, "actions": ["log_activity", "create_case"], "reply_edited": False}
    assert {e["record_id"] for e in mine[1:]} <= {a["id"] for a in crm["activities"] + crm["cases"]}
    assert _ok(cli("audit", "verify", home=applied)).out.startswith("audit trail intact")

    listed = reviews(applied, "--status", "approved")
    assert [(r["interaction_id"], r["decided_by"]) for r in listed] == [("msg-002", "alice")]
    assert "msg-002" not in {r["interaction_id"] for r in reviews(applied)}
    assert "approved" in _ok(cli("review", "approve", str(item), home=applied)).out


def test_approving_a_new_senders_interaction_creates_the_contact_first(shadow: Path) -> None:
    item = review_id(shadow, "msg-021")
    text = _ok(cli("review", "approve", str(item), "--as", "alice", home=shadow)).out
    assert "3 applied" in text     # the contact, the activity and the lead status of a (vague) sales inquiry
    crm = export(shadow)
    ben = contact_id(crm, "ben.harper@fastmail.com")
    assert [a["interaction_id"] for a in crm["activities"]] == ["msg-021"]   # the rest of the shadow run is unapplied
    assert crm["activities"][0]["contact_id"] == ben
    assert records(shadow, "shadow")["msg-021"]["contact"]["id"] == ben
    summary = _ok(cli("show", "shadow", "--json", home=shadow)).json()["run"]["summary"]
    assert summary["actions"]["applied"] == 3


def test_approve_twice_is_harmless(applied: Path) -> None:
    item = review_id(applied, "msg-010")
    first = _ok(cli("review", "approve", str(item), "--as", "alice", "--json", home=applied)).json()
    assert first["applied"] == 3 and first["already_approved"] is False
    crm = export(applied)
    second = _ok(cli("review", "approve", str(item), "--as", "bob", "--json", home=applied)).json()
    assert second["already_approved"] is True and second["by"] == "alice"
    assert (second["applied"], second["skipped"], second["failed"]) == (0, 0, 0)
    assert export(applied) == crm
    approvals = [e for e in audit(applied, "--record", "msg-010") if e["operation"] == "review_approve"]
    assert [e["actor"] for e in approvals] == ["alice"]
    assert _ok(cli("audit", "verify", home=applied)).code == 0


def test_an_interrupted_approval_is_finished_by_approving_again(applied: Path) -> None:
    """The decision is stored first: a crash before the held actions were released is finished by a rerun."""
    from crm_crew.store.sqlite import SQLiteStore

    item = review_id(applied, "msg-015")
    store = SQLiteStore(applied / "journal.sqlite")
    assert store.decide_review(item, "approved", "alice", None, None)   # then the process died
    store.close()
    assert records(applied, "apply")["msg-015"]["actions"][0]["status"] == "held"
    report = _ok(cli("review", "approve", str(item), "--as", "bob", "--json", home=applied)).json()
    assert report["already_approved"] is True and report["applied"] == 2
    assert {a["status"] for a in records(applied, "apply")["msg-015"]["actions"]} == {"applied"}
    approvals = [e for e in audit(applied, "--record", "msg-015") if e["operation"] == "review_approve"]
    assert len(approvals) == 1


def test_approve_with_an_edited_reply_stores_it(applied: Path, tmp_path: Path) -> None:
    item = review_id(applied, "msg-008")
    draft = records(applied, "apply")["msg-008"]["reply"]
    reply = tmp_path / "reply.txt"
    reply.write_text("Subject: Your data request\n\nDear customer,\n\nWe will send your data within 30 days.\n",
                     encoding="utf-8")
    report = _ok(cli("review", "approve", str(item), "--edit-reply", str(reply), "--as", "alice", "--json",
                     home=applied)).json()
    assert report["reply_edited"] is True and report["applied"] == 1
    new = {"subject": "Your data request", "body": "Dear customer,\n\nWe will send your data within 30 days."}
    record = records(applied, "apply")["msg-008"]
    assert record["reply"] == {**draft, **new}
    view = _ok(cli("review", "show", str(item), "--json", home=applied)).json()
    assert view["decision"]["reply"] == record["reply"] and view["reply_draft"] == draft
    assert "Your data request" in _ok(cli("review", "show", str(item), home=applied)).out
    # the same command again is harmless; a different reply after the decision is refused
    assert _ok(cli("review", "approve", str(item), "--edit-reply", str(reply), home=applied)).code == 0
    reply.write_text("Something else\n", encoding="utf-8")
    late = cli("review", "approve", str(item), "--edit-reply", str(reply), home=applied)
    assert late.code == 1 and "already approved" in late.err


def test_an_edited_reply_without_a_subject_keeps_the_drafted_subject(applied: Path, tmp_path: Path) -> None:
    item = review_id(applied, "msg-009")
    draft = records(applied, "apply")["msg-009"]["reply"]
    reply = tmp_path / "reply.txt"
    reply.write_text("We are looking into the uptime report and will call you today.\n", encoding="utf-8")
    _ok(cli("review", "approve", str(item), "--edit-reply", str(reply), home=applied))
    assert records(applied, "apply")["msg-009"]["reply"] == {
        **draft, "body": "We are looking into the uptime report and will call you today."}


def test_bad_reply_files_fail_before_anything_changes(applied: Path, tmp_path: Path) -> None:
    item = review_id(applied, "msg-009")
    missing = cli("review", "approve", str(item), "--edit-reply", str(tmp_path / "nope.txt"), home=applied)
    assert missing.code == 1 and "nope.txt" in missing.err and "does not exist" in missing.err
    empty = tmp_path / "empty.txt"
    empty.write_text("Subject: Hello\n\n   \n", encoding="utf-8")
    result = cli("review", "approve", str(item), "--edit-reply", str(empty), home=applied)
    assert result.code == 1 and "empty.txt" in result.err and "no body" in result.err
    assert {r["interaction_id"] for r in reviews(applied)} == ESCALATED


def test_approve_without_the_audit_key_changes_nothing(applied: Path) -> None:
    item = review_id(applied, "msg-002")
    result = cli("review", "approve", str(item), home=applied, env={"CRM_CREW_AUDIT_KEY": ""})
    assert result.code == 1 and "CRM_CREW_AUDIT_KEY" in result.err and "Traceback" not in result.err
    assert {r["interaction_id"] for r in reviews(applied)} == ESCALATED
    assert {a["status"] for a in records(applied, "apply")["msg-002"]["actions"]} == {"held"}


# -- reject ------------------------------------------------------------------------------------


def test_reject_marks_the_actions_rejected_for_good(applied: Path) -> None:
    item = review_id(applied, "msg-007")
    crm = export(applied)
    no_reason = cli("review", "reject", str(item), home=applied)
    assert no_reason.code == 2 and "--reason" in no_reason.err
    assert cli("review", "reject", str(item), "--reason", "   ", home=applied).code == 2

    report = _ok(cli("review", "reject", str(item), "--reason", "phishing attempt", "--as", "carol", "--json",
                     home=applied)).json()
    assert report["rejected"] == 2 and report["already_rejected"] is False and report["by"] == "carol"
    record = records(applied, "apply")["msg-007"]
    assert {a["status"] for a in record["actions"]} == {"rejected"}
    assert {a["note"] for a in record["actions"]} == {"rejected by carol: phishing attempt"}
    assert record["review"] == {**record["review"], "status": "rejected", "by": "carol", "reason": "phishing attempt"}
    entry = next(e for e in audit(applied, "--record", "msg-007") if e["operation"] == "review_reject")
    assert (entry["actor"], entry["outcome"], entry["detail"]) == ("carol", "rejected", "phishing attempt")

    again = _ok(cli("review", "reject", str(item), "--reason", "still no", home=applied))
    assert "already rejected by carol" in again.out
    late = cli("review", "approve", str(item), "--as", "alice", home=applied)
    assert late.code == 1 and "rejected by carol" in late.err and "phishing attempt" in late.err
    assert cli("apply", "apply", home=applied).code == 0
    assert export(applied) == crm
    assert {a["status"] for a in records(applied, "apply")["msg-007"]["actions"]} == {"rejected"}
    assert [r["interaction_id"] for r in reviews(applied, "--status", "rejected")] == ["msg-007"]
    assert len([e for e in audit(applied) if e["operation"] == "review_reject"]) == 1
    assert _ok(cli("audit", "verify", home=applied)).code == 0


def test_an_approved_item_cannot_be_rejected(applied: Path) -> None:
    item = review_id(applied, "msg-015")
    _ok(cli("review", "approve", str(item), home=applied))
    result = cli("review", "reject", str(item), "--reason", "too late", home=applied)
    assert result.code == 1 and "was approved" in result.err


# -- on a remote CRM ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["local", "hubspot"])
def test_approve_writes_to_the_configured_crm(name: str, emulators: Emulators, tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    ids = {"msg-001", "msg-002", "msg-021"}
    inbox = write_jsonl(tmp_path / "inbox.jsonl", [r for r in read_jsonl(SAMPLES / "inbox.jsonl") if r["id"] in ids])
    _ok(backend.cli("run", str(inbox), "--apply", "--run-id", "r", "--json"))
    before = backend.export()
    assert [a["interaction_id"] for a in before["activities"]] == ["msg-001"]
    items = {r["interaction_id"]: r["review_id"] for r in _ok(backend.cli("review", "list", "--json")).json()}
    assert set(items) == {"msg-002", "msg-021"}

    if backend.emulator is not None:   # the case fails once: exit 3, approving again writes it
        backend.emulator.faults.schedule(400, count=1, method="POST", path="/crm/v3/objects/tickets")
        failed = backend.cli("review", "approve", str(items["msg-002"]), "--as", "alice", "--json")
        assert failed.code == 3, failed.err
        assert (failed.json()["applied"], failed.json()["failed"]) == (1, 1)
    _ok(backend.cli("review", "approve", str(items["msg-002"]), "--as", "alice"))
    _ok(backend.cli("review", "approve", str(items["msg-021"]), "--as", "alice"))

    crm = backend.export()
    assert sorted(a["interaction_id"] for a in crm["activities"]) == ["msg-001", "msg-002", "msg-021"]
    assert len(crm["cases"]) == len(before["cases"]) + 1
    ben = [c for c in crm["contacts"] if c["email"] == "ben.harper@fastmail.com"]
    assert len(ben) == 1
    trail = _ok(backend.cli("audit", "show", "--run", "r", "--json")).json()
    approved = [e for e in trail if e["interaction_id"] in {"msg-002", "msg-021"} and e["outcome"] == "applied"]
    assert len(approved) == 5 and {e["actor"] for e in approved} == {"alice"}   # msg-002: activity, case; msg-021: contact, activity, lead status
    assert {e["connector"] for e in approved} == {name}
    assert [e["interaction_id"] for e in trail if e["operation"] == "review_approve"] == ["msg-002", "msg-021"]
    assert _ok(backend.cli("audit", "verify")).code == 0
    assert _ok(backend.cli("review", "approve", str(items["msg-002"]))).code == 0
    assert backend.export() == crm

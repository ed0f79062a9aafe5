"""`crm-crew audit show|verify|export`: every CRM write is in a tamper-evident trail."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import Result, cli
from tests.e2e.test_review import build_template

KEY = "test-audit-key-0123456789abcdef"   # tests/conftest.py
CARD = ("4111 1111 1111 1111", "4111111111111111", "4111-1111-1111-1111")
NULLABLE = ("run_id", "interaction_id", "record_id", "detail")


def _ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample contacts imported and the sample inbox run with --apply (run "apply"); read only."""
    return build_template(tmp_path_factory, "apply", "--apply")


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(template, copy)
    return copy


def entries(home: Path, *args: str) -> list[dict[str, Any]]:
    return _ok(cli("audit", "show", "--json", "--limit", "100000", *args, home=home)).json()  # type: ignore[no-any-return]


def tamper(home: Path, *statements: str) -> None:
    db = sqlite3.connect(home / "journal.sqlite", isolation_level=None)
    try:
        db.execute("BEGIN")
        for sql in statements:
            db.execute(sql)
        db.execute("COMMIT")
    finally:
        db.close()


def journal_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(home.iterdir()) if p.name.startswith("journal.sqlite"))


# -- show --------------------------------------------------------------------------------------


def test_show_has_one_entry_per_applied_action_with_before_and_after(template: Path) -> None:
    shown = _ok(cli("show", "apply", "--json", home=template)).json()
    actions = [a for r in shown["results"] for a in r["actions"] if a["status"] == "applied"]
    assert len(actions) > 20
    trail = entries(template, "--run", "apply")
    assert len(trail) == len(actions)
    assert {e["outcome"] for e in trail} == {"applied"} and {e["run_id"] for e in trail} == {"apply"}
    by_record = {(e["object"], e["record_id"]): e for e in trail if e["operation"] == "create"}
    updates = [e for e in trail if e["operation"] == "update"]
    for action in actions:
        if action["object"] == "contact" and action["type"] != "create_contact":
            match = [e for e in updates if e["record_id"] == action["record_id"] and e["after"] == action["fields"]]
            assert len(match) >= 1, action
            assert set(action["fields"]) <= set(match[0]["before"]), "an update records the values it replaced"
        else:
            entry = by_record[(action["object"], action["record_id"])]
            assert entry["before"] is None and entry["after"] == action["fields"]
    assert updates, "the sample inbox updates lead statuses and opt-outs"
    assert all(e["actor"] and e["agent"] and e["connector"] == "local" for e in trail)
    assert [e["seq"] for e in trail] == sorted(e["seq"] for e in trail)

    everything = entries(template)
    imports = [e for e in everything if e["run_id"] is None]
    assert len(imports) == 12 and {e["detail"] for e in imports} == {"crm import contacts.csv"}
    assert [e["seq"] for e in everything] == list(range(1, len(everything) + 1))


def test_show_limit_record_filter_and_table(template: Path) -> None:
    everything = entries(template)
    last = entries(template, "--limit", "3")
    assert [e["seq"] for e in last] == [e["seq"] for e in everything[-3:]]
    update = next(e for e in everything if e["operation"] == "update")
    about = entries(template, "--record", update["record_id"])
    mine = [e for e in everything if e["record_id"] == update["record_id"]]
    assert [e for e in about if e["record_id"] == update["record_id"]] == mine and mine   # (a contact: with its records)
    assert entries(template, "--run", "no-such-run") == []

    table = _ok(cli("audit", "show", "--run", "apply", "--limit", "500", home=template)).out
    field, value = next(iter(update["after"].items()))
    assert f"{field}: {update['before'][field]} → {value}" in table
    assert "operation" in table and "create" in table
    assert cli("audit", "show", "--limit", "0", home=template).code == 2


def test_show_names_run_interaction_and_connector_and_a_contact_brings_its_records(template: Path) -> None:
    everything = entries(template)
    created = next(e for e in everything if e["operation"] == "create" and e["object"] == "contact" and e["run_id"])
    contact = created["record_id"]
    attached = {e["record_id"] for e in everything if (e["after"] or {}).get("contact_id") == contact}
    assert {e["object"] for e in everything if e["record_id"] in attached} >= {"activity"}
    about = entries(template, "--record", contact)
    assert {e["record_id"] for e in about} == {contact} | attached
    assert [e["seq"] for e in about] == [e["seq"] for e in everything if e["record_id"] in {contact} | attached]
    activity = next(r for r in attached if r.startswith("A-"))
    assert {e["record_id"] for e in entries(template, "--record", activity)} == {activity}
    assert {e["target"] for e in about} == {"local:{home}/crm.sqlite"}   # the CRM the run wrote to
    assert {e["target"] for e in everything if e["run_id"] is None} == {None}   # imports: no run

    table = _ok(cli("audit", "show", "--record", contact, home=template)).out
    header = next(line for line in table.splitlines() if " seq " in line)
    assert [c for c in ("run", "interaction", "connector") if f" {c} " not in header] == []
    row = next(line for line in table.splitlines() if f" {activity} " in line)
    assert f" {created['run_id']} " in row and f" {created['interaction_id']} " in row and " local " in row


# -- verify ------------------------------------------------------------------------------------


def test_verify_an_intact_trail(template: Path) -> None:
    total = len(entries(template))
    result = _ok(cli("audit", "verify", home=template))
    first, journal, head = result.out.strip().splitlines()
    assert first == f"audit trail intact: {total} entries"
    assert journal.startswith("journal: ") and journal.endswith(" actions, each as crm-crew wrote it")
    assert head.startswith(f"head: entry {total} ") and "--expect-head" in head
    report = _ok(cli("audit", "verify", "--json", home=template)).json()
    assert {k: report[k] for k in ("ok", "entries", "broken_seq", "problem", "problems")} == \
        {"ok": True, "entries": total, "broken_seq": None, "problem": None, "problems": []}
    assert report["head"]["seq"] == total and head.split()[3] == report["head"]["hash"]


@pytest.mark.parametrize("statements, seq, words", [
    (["UPDATE audit SET after='{\"lead_status\": \"Lost\"}' WHERE seq=20"], 20, "altered"),
    (["UPDATE audit SET actor='mallory' WHERE seq=15"], 15, "altered"),
    (["DELETE FROM audit WHERE seq=17"], 17, "missing"),
    (["UPDATE audit SET seq=-1 WHERE seq=14", "UPDATE audit SET seq=14 WHERE seq=15",
      "UPDATE audit SET seq=15 WHERE seq=-1"], 14, "does not follow"),
    (["DELETE FROM audit WHERE seq=(SELECT MAX(seq) FROM audit)"], None, "deleted"),
], ids=["edit-after", "edit-actor", "delete", "swap", "truncate"])
def test_verify_names_the_tampered_entry(home: Path, statements: list[str], seq: int | None, words: str) -> None:
    total = len(entries(home))
    tamper(home, *statements)
    expected = total if seq is None else seq
    result = cli("audit", "verify", home=home)
    assert result.code == 4, result.out + result.err
    assert f"audit trail broken at entry {expected}:" in result.err and words in result.err
    assert "Traceback" not in result.err
    report = cli("audit", "verify", "--json", home=home)
    assert report.code == 4
    data = report.json()
    assert (data["ok"], data["broken_seq"], data["entries"]) == (False, expected, expected - 1)


def test_verify_with_another_key_fails_at_the_first_entry(template: Path) -> None:
    result = cli("audit", "verify", home=template, env={"CRM_CREW_AUDIT_KEY": "another-key-0123456789abcdef"})
    assert result.code == 4 and "broken at entry 1:" in result.err and "key" in result.err


def test_verify_of_an_empty_journal(tmp_path: Path) -> None:
    assert _ok(cli("audit", "verify", home=tmp_path / "empty")).out.splitlines()[0] == "audit trail intact: 0 entries"


# -- export ------------------------------------------------------------------------------------


def _typed_csv(text: str) -> list[dict[str, Any]]:
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        typed: dict[str, Any] = dict(row)
        typed["seq"] = int(row["seq"])
        for column in ("before", "after"):
            typed[column] = json.loads(row[column]) if row[column] else None
        for column in NULLABLE:
            typed[column] = row[column] or None
        rows.append(typed)
    return rows


def test_export_round_trips_every_entry(template: Path, tmp_path: Path) -> None:
    everything = [{k: v for k, v in e.items() if k != "target"} for e in entries(template)]   # show adds the run's CRM
    jsonl = _ok(cli("audit", "export", "--format", "jsonl", home=template)).out
    assert [json.loads(line) for line in jsonl.splitlines()] == everything
    text = _ok(cli("audit", "export", "--format", "csv", home=template)).out
    header = text.splitlines()[0].split(",")
    assert header[0] == "seq" and header[-2:] == ["prev_hash", "hash"] and {"before", "after"} <= set(header)
    assert _typed_csv(text) == everything

    out = tmp_path / "audit.csv"
    to_file = _ok(cli("audit", "export", "--format", "csv", "--out", str(out), home=template))
    assert to_file.out == "" and f"exported {len(everything)} audit entries" in to_file.err
    assert _typed_csv(out.read_text(encoding="utf-8")) == everything
    only_run = _ok(cli("audit", "export", "--run", "apply", home=template)).out
    assert [json.loads(line) for line in only_run.splitlines()] == [e for e in everything if e["run_id"] == "apply"]
    assert cli("audit", "export", "--format", "xml", home=template).code == 2
    bad = cli("audit", "export", "--out", str(tmp_path / "no" / "such" / "dir.csv"), home=template)
    assert bad.code == 1 and "cannot write" in bad.err


def test_an_export_verifies_offline(template: Path) -> None:
    """An exported trail carries everything needed to check it with the key, away from the journal."""
    from crm_crew.store.audit import AuditEntry, AuditKey, verify_chain

    lines = _ok(cli("audit", "export", home=template)).out.splitlines()
    exported = [AuditEntry(**json.loads(line)) for line in lines]
    result = verify_chain(AuditKey(KEY), exported, None)
    assert not result.ok and result.entries == len(exported)   # all entries intact; only the head is not exported


# -- the key and personal data never leak ------------------------------------------------------


def test_a_missing_key_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('{"id": "k1", "from": "a@b.example", "body": "hello"}\n', encoding="utf-8")
    for args in (("audit", "verify"), ("run", str(tmp_path / "x.jsonl"), "--apply")):
        result = cli(*args, home=home, env={"CRM_CREW_AUDIT_KEY": ""})
        assert result.code == 1, args
        assert "CRM_CREW_AUDIT_KEY" in result.err and "Traceback" not in result.err
    short = cli("audit", "verify", home=home, env={"CRM_CREW_AUDIT_KEY": "short"})
    assert short.code == 1 and "too short" in short.err
    # show and export need no key
    assert cli("audit", "show", home=home, env={"CRM_CREW_AUDIT_KEY": ""}).code == 0
    assert cli("audit", "export", home=home, env={"CRM_CREW_AUDIT_KEY": ""}).code == 0


def test_neither_the_key_nor_raw_card_numbers_appear_anywhere(template: Path) -> None:
    outputs = [cli("audit", *args, home=template) for args in (
        ("show",), ("show", "--json", "--limit", "100000"), ("verify",), ("verify", "--json"),
        ("export", "--format", "csv"), ("export", "--format", "jsonl"))]
    outputs.append(cli("audit", "verify", home=template, env={"CRM_CREW_AUDIT_KEY": "wrong-key-0123456789abcdef"}))
    outputs.append(cli("show", "apply", "--json", home=template))
    outputs.append(cli("review", "list", "--json", "--status", "all", home=template))
    text = "".join(r.out + r.err for r in outputs)
    assert "msg-003" in text and "[CARD]" in text   # the card's message is there, redacted
    data = journal_bytes(template)
    for secret in (KEY, *CARD):
        assert secret not in text, secret
        assert secret.encode() not in data, secret
    assert b"wrong-key" not in journal_bytes(template)

"""An ops person working the review queue: urgency and age filters, sorting, deciding a run's items at once."""

from __future__ import annotations

import io
import sqlite3
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import cli, cli_process
from tests.e2e.test_audit import _ok, home, template  # noqa: F401  (fixtures: the sample inbox run with --apply)
from tests.e2e.test_review import ESCALATED, records

# the sample's escalated messages and their urgency (see test_review.py)
URGENCY = {"msg-002": "medium", "msg-007": "medium", "msg-008": "medium", "msg-009": "high", "msg-010": "critical",
           "msg-015": "high", "msg-021": "medium"}
# how long each has waited in the queue, set in the journal (minutes)
WAITED = {"msg-002": 2 * 24 * 60, "msg-007": 5, "msg-008": 150, "msg-009": 30, "msg-010": 180, "msg-015": 600,
          "msg-021": 61}
SUPPORT = {"msg-007", "msg-010", "msg-015"}


def listed(home: Path, *args: str) -> list[dict[str, Any]]:
    return _ok(cli("review", "list", "--json", *args, home=home)).json()  # type: ignore[no-any-return]


def ids(home: Path, *args: str) -> list[str]:
    return [r["interaction_id"] for r in listed(home, *args)]


def set_ages(home: Path, minutes: dict[str, int]) -> None:
    now = datetime.now(timezone.utc)
    db = sqlite3.connect(home / "journal.sqlite")
    with db:
        for interaction, waited in minutes.items():
            at = (now - timedelta(minutes=waited)).isoformat(timespec="seconds")
            db.execute("UPDATE reviews SET created_at=? WHERE interaction_id=?", (at, interaction))
    db.close()


def state(home: Path) -> list[Any]:
    """What a decision changes: the review queue, the actions, the audit trail and the CRM."""
    rows: list[Any] = []
    for path, tables in ((home / "journal.sqlite", ("reviews", "actions", "audit")),
                         (home / "crm.sqlite", ("contacts", "activities", "cases", "tasks"))):
        db = sqlite3.connect(path)
        rows += [db.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables]
        db.close()
    return rows


class Terminal(io.StringIO):
    """Someone at a terminal typing `answer`."""

    def isatty(self) -> bool:
        return True


# -- list: urgency, age, order ------------------------------------------------------------------


def test_list_filters_by_urgency_and_age_and_sorts(home: Path) -> None:
    set_ages(home, WAITED)
    everything = listed(home)
    assert {r["interaction_id"]: r["urgency"] for r in everything} == URGENCY
    ages = {r["interaction_id"]: r["age_seconds"] for r in everything}
    assert all(abs(ages[i] - WAITED[i] * 60) < 120 for i in ESCALATED), ages
    assert set(ids(home, "--urgency", "high")) == {"msg-009", "msg-010", "msg-015"}
    assert ids(home, "--urgency", "critical") == ["msg-010"]
    assert set(ids(home, "--older-than", "2h")) == {"msg-002", "msg-008", "msg-010", "msg-015"}
    assert set(ids(home, "--older-than", "1d", "--urgency", "low")) == {"msg-002"}
    assert set(ids(home, "--older-than", "60m", "--urgency", "high", "--intent", "support")) == {"msg-010", "msg-015"}

    assert ids(home, "--sort", "urgency") == ["msg-010", "msg-015", "msg-009",           # critical, then high
                                              "msg-002", "msg-008", "msg-021", "msg-007"]  # oldest first within
    assert ids(home, "--sort", "age") == sorted(ESCALATED, key=lambda i: -WAITED[i])
    assert ids(home, "--sort", "run") == [r["interaction_id"] for r in everything]   # one run: the queue order

    table = _ok(cli("review", "list", "--sort", "urgency", "--urgency", "high", home=home)).out
    header = next(line for line in table.splitlines() if " id " in line)
    for column in ("sender", "subject", "urgency", "age"):
        assert f" {column} " in header, column
    rows = [line for line in table.splitlines() if "msg-0" in line]
    assert ["msg-010" in rows[0], "msg-015" in rows[1], "msg-009" in rows[2]] == [True] * 3 and len(rows) == 3
    assert "tom.becker@umbrella.co" in rows[0] and "3h 00m" in rows[0] and "10h 00m" in rows[1]


def test_bad_urgency_and_age_values_are_usage_errors(template: Path) -> None:
    for bad in ("2x", "h", "-1h", "1.5h", "2 hours", ""):
        result = cli("review", "list", "--older-than", bad, home=template)
        assert result.code == 2, bad
        assert "is not a duration" in result.err and "30m, 2h, 1d" in result.err, result.err
    result = cli("review", "list", "--urgency", "urgent", home=template)
    assert result.code == 2 and "'urgent' is not an urgency level" in result.err
    assert "low, medium, high, critical" in result.err
    result = cli("review", "list", "--sort", "sender", home=template)
    assert result.code == 2 and "sender" in result.err


# -- deciding a run at once ---------------------------------------------------------------------


def test_approving_a_runs_items_of_one_intent_is_the_single_decision_for_each(home: Path) -> None:
    report = _ok(cli("review", "approve", "--run", "apply", "--intent", "support", "--reason", "known outage",
                     "--yes", "--as", "alice", "--json", home=home)).json()
    assert (report["items"], report["approved"], report["failed"], report["not_attempted"]) == (3, 3, 0, 0)
    assert {r["interaction_id"] for r in report["results"]} == SUPPORT
    by_record = records(home, "apply")
    for interaction in SUPPORT:
        record = by_record[interaction]
        assert {a["status"] for a in record["actions"]} == {"applied"}, interaction
        assert record["review"] == {**record["review"], "status": "approved", "by": "alice", "reason": "known outage"}
    for interaction in ESCALATED - SUPPORT:
        assert {a["status"] for a in by_record[interaction]["actions"]} == {"held"}, interaction
    assert set(ids(home)) == ESCALATED - SUPPORT

    trail = _ok(cli("audit", "show", "--run", "apply", "--json", "--limit", "100000", home=home)).json()
    decisions = [e for e in trail if e["operation"] == "review_approve"]
    assert sorted(e["interaction_id"] for e in decisions) == sorted(SUPPORT)
    assert {(e["actor"], e["detail"], e["outcome"]) for e in decisions} == {("alice", "known outage", "approved")}
    written = [e for e in trail if e["interaction_id"] in SUPPORT and e["operation"] == "create"]
    assert len(written) == sum(r["report"]["applied"] for r in report["results"]) and written
    assert {e["actor"] for e in written} == {"alice"}
    assert _ok(cli("audit", "verify", home=home)).out.startswith("audit trail intact")

    again = _ok(cli("review", "approve", "--run", "apply", "--intent", "support", "--reason", "r", "--yes", home=home))
    assert "no pending review items in run apply, intent support: nothing to approve" in again.out


def test_rejecting_a_run_asks_first_and_a_no_changes_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = state(home)
    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    declined = cli("review", "reject", "--run", "apply", "--reason", "spam wave", home=home)
    assert declined.code == 1 and "nothing was decided" in declined.err
    assert "reject: 7 pending item(s) of run apply" in declined.err
    assert all(i in declined.err for i in ESCALATED) and "reject these 7 item(s)? [y/N]" in declined.err
    assert state(home) == before

    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    done = _ok(cli("review", "reject", "--run", "apply", "--reason", "spam wave", "--as", "carol", home=home))
    assert "run apply: 7 rejected, 0 failed" in done.out
    assert ids(home) == [] and set(ids(home, "--status", "rejected")) == ESCALATED
    assert {a["note"] for r in records(home, "apply").values() if r["interaction_id"] in ESCALATED
            for a in r["actions"]} == {"rejected by carol: spam wave"}


def test_a_run_decision_without_a_terminal_or_yes_is_refused(home: Path) -> None:
    before = state(home)
    result = cli_process("review", "approve", "--run", "apply", "--reason", "all fine", home=home)
    assert result.code == 2, result.err
    assert "no terminal to ask on" in result.err and "--yes" in result.err and "Nothing was decided" in result.err
    assert state(home) == before

    for args in (("approve", "3", "--run", "apply", "--reason", "r", "--yes"),   # an ID and a run
                 ("approve",),                                                   # neither
                 ("reject", "--run", "apply", "--yes"),                          # no reason
                 ("approve", "3", "--yes"), ("approve", "3", "--intent", "support"),
                 ("approve", "--run", "apply", "--reason", "r", "--yes", "--edit-reply", "reply.txt")):
        assert cli("review", *args, home=home).code == 2, args
    unknown = cli("review", "reject", "--run", "no-such-run", "--reason", "r", "--yes", home=home)
    assert unknown.code == 1 and "no run 'no-such-run'" in unknown.err
    assert state(home) == before


def test_a_run_decision_with_failed_writes_exits_3_and_says_what_to_redo(home: Path) -> None:
    crm = sqlite3.connect(home / "crm.sqlite")   # jane's contact, which msg-002's activity and case attach to
    with crm:
        crm.execute("DELETE FROM contacts WHERE email='jane.doe@acme-corp.com'")
    crm.close()
    result = cli("review", "approve", "--run", "apply", "--intent", "complaint", "--reason", "ok", "--yes",
                 home=home)
    assert result.code == 3, result.err
    assert "run apply, intent complaint: 2 approved, 0 failed" in result.out
    item = next(r["review_id"] for r in listed(home, "--status", "all") if r["interaction_id"] == "msg-002")
    assert f"run `crm-crew review approve {item}` again to retry them" in result.out


def test_a_run_decision_refuses_an_edited_action_before_deciding_anything(home: Path) -> None:
    db = sqlite3.connect(home / "journal.sqlite")
    with db:
        db.execute("UPDATE actions SET fields='{\"opted_out\": true}' WHERE interaction_id='msg-015' AND seq=1")
    db.close()
    result = cli("review", "approve", "--run", "apply", "--reason", "ok", "--yes", home=home)
    assert result.code == 4 and "msg-015" in result.err and "Nothing was written" in result.err
    assert set(ids(home)) == ESCALATED


# -- show -----------------------------------------------------------------------------------------


def test_show_names_the_injection_flag_once(template: Path) -> None:
    item = next(r["review_id"] for r in listed(template) if r["interaction_id"] == "msg-007")
    shown = _ok(cli("review", "show", str(item), home=template)).out
    security = [line for line in shown.splitlines() if line.strip().startswith("security")]
    assert len(security) == 1
    assert security[0].count("prompt injection") == 1 and "prompt_injection" not in security[0], security

"""Tampering with the journal, the audit trail or its anchor is caught, named, and never acted on.

Every case starts from a state folder where the sample inbox was run (with --apply, or as a shadow
run), edits it behind crm-crew's back the way someone with the files could, and drives the real CLI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from crm_crew.store.anchor import ANCHOR_FILE
from tests.e2e.clihelp import SAMPLES, cli, write_jsonl
from tests.security.journal_tools import (
    OTHER_KEY,
    applied_template,
    copy_home,
    export,
    ok,
    shadow_template,
    snapshot,
    sql,
    verify,
)

HELD_TO_PLANNED = "UPDATE actions SET status='planned', note=NULL WHERE status='held'"


@pytest.fixture(scope="module")
def applied_tpl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return applied_template(tmp_path_factory)


@pytest.fixture(scope="module")
def shadow_tpl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shadow_template(tmp_path_factory)


@pytest.fixture
def applied(applied_tpl: Path, tmp_path: Path) -> Path:
    return copy_home(applied_tpl, tmp_path)


@pytest.fixture
def shadow(shadow_tpl: Path, tmp_path: Path) -> Path:
    return copy_home(shadow_tpl, tmp_path)


def follow_up_inbox(folder: Path) -> Path:
    """Two new messages from known customers: a later run writes activities for them."""
    return write_jsonl(folder / "follow-up.jsonl", [
        {"id": "fu-101", "from": "Mark Chen <mark.chen@globex.io>", "subject": "Login works again",
         "body": "Hi,\n\nthe password reset went through and I can log in again. Thanks for the quick help!\n\nMark",
         "received_at": "2026-11-23T08:05:00Z"},
        {"id": "fu-102", "from": "Priya Patel <priya.patel@initech.com>", "subject": "Refund received",
         "body": "Hello,\n\nwe can see the refund for the double charge on our statement now. All good.\n\nPriya",
         "received_at": "2026-11-23T09:40:00Z"},
    ])


def head(home: Path) -> tuple[int, str]:
    [(seq, hash_)] = sql(home, "SELECT seq, hash FROM audit_head")
    return int(seq), str(hash_)


# -- the trail emptied, cut or swapped for an older copy ------------------------------------------


def test_an_emptied_trail_is_not_intact_and_nothing_writes_onto_it(applied: Path, tmp_path: Path) -> None:
    entries, _ = head(applied)
    crm = export(applied)
    sql(applied, "DELETE FROM audit", "DELETE FROM audit_head")
    result = verify(applied)
    assert result.code == 4
    assert f"ends at entry 0 but had reached entry {entries}" in result.err
    assert "applied actions have no entry in the audit trail" in result.err
    data = verify(applied, "--json").json()
    assert data["ok"] is False and len(data["problems"]) == 2
    again = cli("run", str(follow_up_inbox(tmp_path)), "--apply", home=applied)
    assert again.code == 4 and "Nothing was written" in again.err
    assert export(applied) == crm


def test_an_emptied_trail_with_its_anchor_gone_too_is_caught_by_the_journal(applied: Path) -> None:
    sql(applied, "DELETE FROM audit", "DELETE FROM audit_head")
    (applied / ANCHOR_FILE).unlink()
    result = verify(applied)
    assert result.code == 4
    assert "applied actions have no entry in the audit trail" in result.err and "log_activity" in result.err


def test_a_journal_replaced_by_an_empty_one_is_refused(applied: Path, tmp_path: Path) -> None:
    for part in applied.glob("journal.sqlite*"):
        part.unlink()
    result = cli("run", str(follow_up_inbox(tmp_path)), "--apply", home=applied)
    assert result.code == 4
    assert "ends at entry 0" in result.err and ANCHOR_FILE in result.err   # says what to move away, if on purpose
    assert verify(applied).code == 4


def test_a_missing_head_stops_writers_before_they_fork_the_chain(applied: Path, tmp_path: Path) -> None:
    sql(applied, "DELETE FROM audit_head")
    result = cli("run", str(follow_up_inbox(tmp_path)), "--apply", home=applied)
    assert result.code == 4 and "head record of the audit trail is missing" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


def test_an_older_copy_of_the_trail_restored_after_a_later_run_is_caught(applied: Path, tmp_path: Path) -> None:
    before = snapshot(applied, tmp_path / "before.sqlite")
    later = ok(cli("run", str(follow_up_inbox(tmp_path)), "--apply", "--run-id", "later", "--json", home=applied))
    assert later.json()["actions"]["applied"] >= 2
    crm = export(applied)
    sql(applied, f"ATTACH '{before}' AS old", "DELETE FROM audit", "DELETE FROM audit_head",
        "INSERT INTO audit SELECT * FROM old.audit", "INSERT INTO audit_head SELECT * FROM old.audit_head")
    result = verify(applied)
    assert result.code == 4
    assert "an older copy of the journal was restored" in result.err
    assert "of interaction fu-10" in result.err               # the later run's writes lost their entries
    assert export(applied) == crm                              # ... while the CRM keeps them


def test_a_whole_state_folder_restored_from_a_backup_is_caught_by_a_recorded_head(applied_tpl: Path,
                                                                                  tmp_path: Path) -> None:
    home = copy_home(applied_tpl, tmp_path)
    backup = tmp_path / "backup"
    shutil.copytree(home, backup)
    later = ok(cli("run", str(follow_up_inbox(tmp_path)), "--apply", "--json", home=home)).json()
    recorded = later["audit_head"]["hash"]
    assert f"--expect-head {recorded}" in ok(verify(home)).out
    for name in ("journal.sqlite", "journal.sqlite-wal", "journal.sqlite-shm", ANCHOR_FILE):
        (home / name).unlink(missing_ok=True)
        if (backup / name).exists():
            shutil.copy2(backup / name, home / name)
    assert verify(home).code == 0     # an older journal and its own anchor agree with each other...
    result = verify(home, "--expect-head", recorded)
    assert result.code == 4 and "does not contain the head you recorded" in result.err   # ... not with the record


def test_the_recorded_head_passes_while_the_trail_only_grows(applied: Path, tmp_path: Path) -> None:
    _, recorded = head(applied)
    ok(cli("run", str(follow_up_inbox(tmp_path)), "--apply", home=applied))
    assert ok(verify(applied, "--expect-head", recorded)).out.startswith("audit trail intact")
    assert verify(applied, "--expect-head", "0" * 64).code == 4


# -- actions edited in the journal -----------------------------------------------------------------


def test_held_actions_turned_planned_are_never_applied(applied: Path) -> None:
    crm = export(applied)
    held = sql(applied, "SELECT count(*) FROM actions WHERE status='held'")[0][0]
    assert held >= 7
    sql(applied, HELD_TO_PLANNED)
    result = cli("apply", "apply", home=applied)
    assert result.code == 4
    assert "refusing to apply run apply: action" in result.err and "does not match its seal" in result.err
    assert "Nothing was written" in result.err
    assert export(applied) == crm
    assert sql(applied, "SELECT count(*) FROM actions WHERE status IN ('applied', 'applying') "
                        "AND interaction_id IN ('msg-002','msg-007','msg-008','msg-009','msg-010')")[0][0] == 0
    assert cli("run", "--resume", "apply", home=applied).code == 1      # a finished run has nothing to resume...
    sql(applied, "UPDATE runs SET status='died' WHERE run_id='apply'")   # ... unless its status is edited too
    resumed = cli("run", "--resume", "apply", home=applied)
    assert resumed.code == 4 and "refusing to finish run apply" in resumed.err
    assert export(applied) == crm
    report = verify(applied)
    assert report.code == 4 and "does not match its seal" in report.err


def test_a_seal_copied_from_another_action_does_not_fit(applied: Path) -> None:
    crm = export(applied)
    sql(applied, HELD_TO_PLANNED,
        "UPDATE actions SET mac=(SELECT mac FROM actions WHERE status='applied' LIMIT 1) WHERE status='planned'")
    result = cli("apply", "apply", home=applied)
    assert result.code == 4 and "does not match its seal" in result.err
    assert export(applied) == crm


def test_a_seal_removed_leaves_an_action_that_is_not_applied(applied: Path) -> None:
    crm = export(applied)
    sql(applied, HELD_TO_PLANNED, "UPDATE actions SET mac=NULL WHERE status='planned'")
    result = cli("apply", "apply", home=applied)
    assert result.code == 4 and "carries no seal" in result.err
    assert export(applied) == crm


def test_an_opt_out_slipped_into_a_shadow_plan_is_refused_by_name(shadow: Path) -> None:
    crm = export(shadow)
    [(interaction, seq)] = sql(shadow, "SELECT interaction_id, seq FROM actions WHERE type='update_lead_status' "
                                       "AND status='planned' ORDER BY interaction_id LIMIT 1")
    sql(shadow, "UPDATE actions SET type='opt_out', fields='{\"opted_out\": true}' "
                f"WHERE interaction_id='{interaction}' AND seq={seq}")
    result = cli("apply", "shadow", home=shadow)
    assert result.code == 4
    assert f"action {seq} (opt_out) of interaction {interaction} in run shadow" in result.err
    assert export(shadow) == crm


def test_an_applied_action_pointed_at_another_record_is_not_rolled_back(applied: Path) -> None:
    crm = export(applied)
    other = next(c["id"] for c in crm["contacts"] if c["email"] == "tom.becker@umbrella.co")
    [(interaction, seq)] = sql(applied, "SELECT interaction_id, seq FROM actions WHERE type='create_contact' "
                                        "AND status='applied' LIMIT 1")
    sql(applied, f"UPDATE actions SET record_id='{other}' WHERE interaction_id='{interaction}' AND seq={seq}")
    result = cli("rollback", "apply", home=applied)
    assert result.code == 4
    assert f"refusing to roll back run apply: action {seq} (create_contact) of interaction {interaction}" in result.err
    assert export(applied) == crm


# -- another key ----------------------------------------------------------------------------------


def _commands(tmp_path: Path, home: Path) -> dict[str, tuple[str, ...]]:
    inbox = str(follow_up_inbox(tmp_path))
    pending = ok(cli("review", "list", "--json", home=home)).json()
    return {
        "run --apply": ("run", inbox, "--apply"),
        "shadow run": ("run", inbox),
        "apply": ("apply", "apply"),
        "review approve": ("review", "approve", str(pending[0]["review_id"])),
        "review reject": ("review", "reject", str(pending[1]["review_id"]), "--reason", "not ours to decide"),
        "rollback": ("rollback", "apply"),
        "crm import": ("crm", "import", str(SAMPLES / "contacts.csv")),
    }


def test_writing_commands_refuse_a_key_that_does_not_verify_the_trail(applied: Path, tmp_path: Path) -> None:
    crm = export(applied)
    before = head(applied), sql(applied, "SELECT count(*) FROM runs, actions")
    anchor = (applied / ANCHOR_FILE).read_bytes()
    for name, args in _commands(tmp_path, applied).items():
        result = cli(*args, home=applied, env={"CRM_CREW_AUDIT_KEY": OTHER_KEY})
        assert result.code == 1, name
        assert "the audit key in CRM_CREW_AUDIT_KEY does not verify" in result.err, name
        assert "Set CRM_CREW_AUDIT_KEY to the key the trail was written with" in result.err, name
        assert OTHER_KEY not in result.out + result.err, name
    assert (head(applied), sql(applied, "SELECT count(*) FROM runs, actions")) == before
    assert (applied / ANCHOR_FILE).read_bytes() == anchor
    assert export(applied) == crm
    assert ok(verify(applied)).out.startswith("audit trail intact")   # the trail is as good as before


def test_another_key_is_refused_by_the_anchor_even_before_the_first_entry(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    inbox = str(follow_up_inbox(tmp_path))
    ok(cli("run", inbox, home=home))                                 # a shadow run: the anchor keeps the key's mark
    result = cli("run", inbox, home=home, env={"CRM_CREW_AUDIT_KEY": OTHER_KEY})
    assert result.code == 1 and "does not verify the audit anchor" in result.err


def test_an_edited_anchor_is_not_trusted(applied: Path, tmp_path: Path) -> None:
    path = applied / ANCHOR_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    [entry] = data["stores"].values()
    entry["seq"] = 1                      # pretend the trail was shorter when last seen
    path.write_text(json.dumps(data), encoding="utf-8")
    result = cli("run", str(follow_up_inbox(tmp_path)), "--apply", home=applied)
    assert result.code == 1 and "does not verify the audit anchor" in result.err
    path.write_text("{ not json", encoding="utf-8")
    assert cli("run", str(follow_up_inbox(tmp_path)), "--apply", home=applied).code == 4
    assert verify(applied).code == 4


def test_an_edited_journal_cannot_make_a_new_message_look_handled(applied: Path, tmp_path: Path) -> None:
    inbox = follow_up_inbox(tmp_path)
    ok(cli("run", str(inbox), "--run-id", "plan", home=applied))          # a shadow plan of the two messages
    sql(applied, "UPDATE runs SET mode='apply' WHERE run_id='plan'",        # ... dressed up as an applied run
        "UPDATE actions SET status='applied', record_id='A-forged' WHERE run_id='plan'")
    run = ok(cli("run", str(inbox), "--apply", "--json", home=applied)).json()
    assert run["duplicates"] == 0 and run["actions"]["applied"] >= 2

"""Data integrity: duplicates journaled once, writes that go to the CRM configured, storage failures that
stop a run cleanly and resumably, and input size limits held before anything is read whole."""

from __future__ import annotations

import mailbox
import os
import resource
import signal
import subprocess
import sys
import tracemalloc
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from crm_crew.pipeline.counting import estimate_records
from crm_crew.pipeline.readers import read_interactions
from crm_crew.testing.configs import write_config
from crm_crew.testing.hubspot.emulator import HubSpotEmulator
from tests.e2e.backends import FAST_RETRY, Emulators, emulators, make_backend  # noqa: F401  (fixture)
from tests.e2e.clihelp import SAMPLES, Result, cli, read_jsonl, write_jsonl
from tests.security.journal_tools import KEY, export, ok, sql

MB = 1024 * 1024


def _mail(message_id: str, sender: str, subject: str, body: str, date: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "support@example.com", subject
    msg["Message-ID"], msg["Date"] = message_id, date
    msg.set_content(body)
    return msg


def _mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(str(path))
    for msg in messages:
        box.add(msg)
    box.flush()
    box.close()
    return path


TICKET = _mail("<7c1e@globex.io>", "Mark Chen <mark.chen@globex.io>", "Reports page shows an error since this morning",
               "Hi team,\n\nsince this morning the reports page in the dashboard shows an error and does not load. "
               "We need the weekly numbers for a meeting, can you help us fix it?\n\nThanks,\nMark",
               "Mon, 23 Nov 2026 10:15:00 +0000")
THANKS = _mail("<aa90@initech.com>", "Priya Patel <priya.patel@initech.com>", "Refund arrived",
               "Hello,\n\nthe refund for the double charge has arrived. Thank you for sorting it out so quickly."
               "\n\nPriya", "Mon, 23 Nov 2026 11:02:00 +0000")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "state"
    ok(cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home))
    return home


def records_of(home: Path, run_id: str) -> list[dict[str, Any]]:
    return ok(cli("show", run_id, "--json", home=home)).json()["results"]  # type: ignore[no-any-return]


# -- duplicates ------------------------------------------------------------------------------------


def test_a_message_delivered_twice_in_one_run_is_journaled_once_and_rolled_back_whole(home: Path,
                                                                                       tmp_path: Path) -> None:
    crm = export(home)
    inbox = _mbox(tmp_path / "inbox.mbox", [TICKET, THANKS, TICKET])
    run = ok(cli("run", str(inbox), "--apply", "--run-id", "twice", "--json", "--out", str(tmp_path / "out.jsonl"),
                 home=home)).json()
    assert (run["interactions"], run["duplicates"]) == (2, 1)
    assert run["duplicate_records"] == [{"interaction_id": "7c1e@globex.io", "status": "duplicate",
                                         "source": str(inbox), "position": "message 3",
                                         "duplicate_of": {"position": f"{inbox} message 1"}}]
    assert [r["status"] for r in read_jsonl(tmp_path / "out.jsonl")].count("duplicate") == 1
    assert [r["interaction_id"] for r in records_of(home, "twice")] == ["7c1e@globex.io", "aa90@initech.com"]
    logged = [a for a in export(home)["activities"] if a["interaction_id"] == "7c1e@globex.io"]
    assert len(logged) == 1
    ok(cli("rollback", "twice", home=home))
    assert export(home)["activities"] == crm["activities"]      # nothing of the run is left behind


def test_a_message_an_earlier_run_acted_on_is_a_duplicate_until_that_run_is_undone(home: Path,
                                                                                    tmp_path: Path) -> None:
    inbox = _mbox(tmp_path / "inbox.mbox", [TICKET])
    ok(cli("run", str(inbox), "--run-id", "plan-only", home=home))           # a shadow plan is no reason to skip
    first = ok(cli("run", str(inbox), "--apply", "--run-id", "first", "--json", home=home)).json()
    assert first["duplicates"] == 0 and first["actions"]["applied"] >= 1
    again = ok(cli("run", str(inbox), "--apply", "--run-id", "again", "--json", home=home)).json()
    assert (again["interactions"], again["duplicates"]) == (0, 1)
    assert again["duplicate_records"][0]["duplicate_of"] == {"run_id": "first"}
    ok(cli("rollback", "first", home=home))
    redo = ok(cli("run", str(inbox), "--apply", "--run-id", "redo", "--json", home=home)).json()
    assert redo["duplicates"] == 0 and redo["actions"]["applied"] == first["actions"]["applied"]


def test_a_reused_message_id_with_other_content_is_another_message(home: Path, tmp_path: Path) -> None:
    impostor = _mail("<7c1e@globex.io>", "Mark Chen <mark.chen@globex.io>", "Also: invoice address",
                     "Hi,\n\nplease change our invoice address to Parkstraat 12, Utrecht.\n\nMark",
                     "Mon, 23 Nov 2026 12:40:00 +0000")
    inbox = _mbox(tmp_path / "inbox.mbox", [TICKET, impostor])
    run = ok(cli("run", str(inbox), "--run-id", "reused", "--json", home=home)).json()
    assert (run["interactions"], run["duplicates"]) == (2, 0)
    ids = [r["interaction_id"] for r in records_of(home, "reused")]
    assert ids[0] == "7c1e@globex.io" and ids[1].startswith("7c1e@globex.io~") and len(set(ids)) == 2


# -- the CRM a write goes to -----------------------------------------------------------------------


def test_a_state_folder_pointed_at_another_crm_writes_there(home: Path, tmp_path: Path,
                                                             emulators: Emulators) -> None:  # noqa: F811
    inbox = _mbox(tmp_path / "inbox.mbox", [TICKET, THANKS])
    local = ok(cli("run", str(inbox), "--apply", "--run-id", "on-local", "--json", home=home)).json()
    assert local["actions"]["applied"] >= 2
    hub = emulators.get("hubspot")
    connection = hub.connection()
    env = {**connection["env"], "CRM_CREW_CONFIG": str(write_config(tmp_path / "hubspot", {**connection["crm"],
                                                                                         **FAST_RETRY}))}
    ok(cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home, env=env))
    moved = ok(cli("run", str(inbox), "--apply", "--run-id", "on-hubspot", "--json", home=home, env=env)).json()
    assert moved["duplicates"] == 0 and moved["actions"]["applied"] == local["actions"]["applied"]
    assert moved["actions"]["skipped"] == 0
    notes = {r["interaction_id"] for r in export(home, env)["activities"]}
    assert notes == {"7c1e@globex.io", "aa90@initech.com"}
    refused = cli("apply", "on-local", home=home, env=env)
    assert refused.code == 1 and "it was planned against local:{home}/crm.sqlite" in refused.err
    assert cli("rollback", "on-local", home=home, env=env).code == 1
    assert "#portal=40000001" in sql(home, "SELECT target FROM runs WHERE run_id='on-hubspot'")[0][0]


def test_two_hubspot_portals_behind_one_url_are_two_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_crew.config.loader import load_config
    from crm_crew.connectors.registry import open_crm

    targets = []
    for portal in (40_000_001, 40_000_002):
        with HubSpotEmulator(portal_id=portal) as hub:
            connection = hub.connection()
            config = load_config(write_config(tmp_path / str(portal), connection["crm"]))
            for name, value in connection["env"].items():
                monkeypatch.setenv(name, value)
            crm = open_crm(config.settings.crm, tmp_path)
            targets.append(crm.target)
            crm.close()
    assert targets[0] != targets[1] and all(t.startswith("hubspot:http://127.0.0.1:") for t in targets)


# -- storage that fails mid-run ---------------------------------------------------------------------


def _inbox_with_a_bad_record(folder: Path) -> Path:
    lines = [
        {"id": "w-1", "from": "Mark Chen <mark.chen@globex.io>", "subject": "Thanks for the call",
         "body": "Thanks for the call today, the workaround helps.", "received_at": "2026-11-24T08:00:00Z"},
        {"id": "w-2", "subject": "no sender at all", "body": "This record has no sender."},
        {"id": "w-3", "from": "Priya Patel <priya.patel@initech.com>", "subject": "Contract renewal",
         "body": "Could you send the renewal offer for next year?", "received_at": "2026-11-24T09:00:00Z"},
    ]
    return write_jsonl(folder / "inbox.jsonl", lines)


@pytest.mark.parametrize("sink, cause", [("/dev/full", "the disk is full"),
                                         ("/proc/sys/kernel/osrelease", "it is read-only (permission denied)")],
                         ids=["disk-full", "read-only"])
def test_a_state_folder_that_cannot_be_written_stops_the_run_resumably(home: Path, tmp_path: Path, sink: str,
                                                                       cause: str) -> None:
    rejects = home / "runs" / "r" / "rejects.jsonl"
    rejects.parent.mkdir(parents=True)
    rejects.symlink_to(sink)
    inbox = _inbox_with_a_bad_record(tmp_path)
    stopped = cli("run", str(inbox), "--apply", "--run-id", "r", "--concurrency", "1", home=home)
    assert stopped.code == 1
    assert f"cannot write {rejects}: {cause}" in stopped.err and "crm-crew run --resume r" in stopped.err
    assert "internal error" not in stopped.err and not list(home.glob("crash-*.log"))
    assert [r["interaction_id"] for r in records_of(home, "r")] == ["w-1"]
    rejects.unlink()
    resumed = cli("run", "--resume", "r", "--json", home=home)
    assert resumed.code == 3 and resumed.json()["interactions"] == 3 and resumed.json()["rejected"] == 1
    assert sorted(r["interaction_id"] for r in records_of(home, "r")) == ["w-1", "w-2", "w-3"]
    assert [r["position"] for r in read_jsonl(rejects)] == ["line 2"]


def _limited_run(home: Path, *args: str, max_file_bytes: int) -> Result:
    """The CLI in a process whose files may not grow past `max_file_bytes`: a disk that fills up mid-run."""
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))

    env = {**os.environ, "CRM_CREW_HOME": str(home), "CRM_CREW_AUDIT_KEY": KEY}
    env.pop("CRM_CREW_CONFIG", None)
    proc = subprocess.run([str(Path(sys.executable).with_name("crm-crew")), *args], capture_output=True, text=True,
                          env=env, timeout=600, stdin=subprocess.DEVNULL, preexec_fn=limit)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_a_journal_that_fills_the_disk_stops_the_run_and_resume_finishes_it(home: Path, tmp_path: Path) -> None:
    journal = home / "journal.sqlite"
    size = max(p.stat().st_size for p in home.glob("journal.sqlite*"))
    stopped = _limited_run(home, "run", str(SAMPLES / "inbox.jsonl"), "--run-id", "full", max_file_bytes=size + 48_000)
    assert stopped.code == 1, stopped.err
    # Whichever state file reaches the limit first (the journal, or crewai's own store during a full-route
    # crew) stops the run the same way; SQLite calls a file at its size limit an I/O error.
    assert f"cannot write {journal}: " in stopped.err or "cannot write the state folder: " in stopped.err
    assert "Run full stopped" in stopped.err and "internal error" not in stopped.err
    journaled = len(records_of(home, "full"))
    assert 0 < journaled < 27
    resumed = ok(cli("run", "--resume", "full", "--json", home=home)).json()
    assert resumed["interactions"] == 27
    ids = [r["interaction_id"] for r in records_of(home, "full")]
    assert len(ids) == len(set(ids)) == 27


def test_resume_works_again_an_interaction_that_failed_through_no_fault_of_its_own(
        tmp_path: Path, emulators: Emulators) -> None:  # noqa: F811
    backend = make_backend("rest", emulators, tmp_path)
    assert backend.emulator is not None
    backend.emulator.faults.schedule(400, count=1, method="GET", path="/contacts")
    inbox = write_jsonl(tmp_path / "inbox.jsonl", [
        {"id": "f-1", "from": "Tom Becker <tom.becker@umbrella.co>", "subject": "Seats",
         "body": "Please add three more seats to our plan.", "received_at": "2026-11-25T08:00:00Z"},
        {"id": "f-2", "from": "Mark Chen <mark.chen@globex.io>", "subject": "Invoice copy",
         "body": "Could you send a copy of last month's invoice?", "received_at": "2026-11-25T08:30:00Z"},
    ])
    first = backend.cli("run", str(inbox), "--apply", "--run-id", "flaky", "--concurrency", "1", "--json")
    assert first.code == 3 and first.json()["by_status"] == {"failed": 1, "processed": 1}
    resumed = backend.cli("run", "--resume", "flaky", "--json")
    assert resumed.code == 0 and resumed.json()["interactions"] == 2 and "failed" not in resumed.json()["by_status"]
    shown = backend.cli("show", "flaky", "--json").json()["results"]
    assert sorted(r["interaction_id"] for r in shown) == ["f-1", "f-2"]


def test_an_out_file_on_a_full_disk_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    inbox = _inbox_with_a_bad_record(tmp_path)
    result = cli("run", str(inbox), "--out", "/dev/full", "--run-id", "o", home=home)
    assert result.code == 1 and "cannot write /dev/full: the disk is full" in result.err
    assert "internal error" not in result.err


# -- input size ------------------------------------------------------------------------------------


def _scan_mail(message_id: str, attachment_mb: int) -> EmailMessage:
    msg = _mail(message_id, "Greta Lindqvist <greta.lindqvist@nordhavn-logistics.se>",
                "Signed contract and delivery notes",
                "Hello,\n\nplease find the signed contract and the scanned delivery notes attached. Could you "
                "confirm receipt?\n\nBest regards\nGreta Lindqvist", "Tue, 24 Nov 2026 09:12:00 +0100")
    msg.add_attachment(os.urandom(attachment_mb * MB), maintype="application", subtype="pdf",
                       filename="delivery-notes-scan.pdf")
    return msg


def test_a_big_email_is_read_without_holding_its_attachment(tmp_path: Path) -> None:
    path = tmp_path / "scan.eml"
    path.write_bytes(bytes(_scan_mail("<scan-1@nordhavn-logistics.se>", 12)))
    tracemalloc.start()
    try:
        [item] = list(read_interactions(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MB, f"peaked at {peak / MB:.1f} MB for a {path.stat().st_size / MB:.0f} MB file"
    assert item.body.startswith("Hello,") and item.metadata["attachments"] == [
        {"name": "delivery-notes-scan.pdf", "type": "application/pdf", "size": 12 * MB}]


def test_messages_around_a_big_one_in_an_mbox_are_read_whole(tmp_path: Path) -> None:
    path = _mbox(tmp_path / "box.mbox", [TICKET, _scan_mail("<scan-2@nordhavn-logistics.se>", 6), THANKS])
    items = list(read_interactions(path))
    assert [i.id for i in items] == ["7c1e@globex.io", "scan-2@nordhavn-logistics.se", "aa90@initech.com"]
    assert items[0].body.startswith("Hi team,") and items[2].subject == "Refund arrived"


def test_files_over_the_limit_are_rejected_and_not_counted_by_reading(tmp_path: Path) -> None:
    big = write_jsonl(tmp_path / "big.jsonl", [{"id": f"n-{n}", "from": "a@example.com", "body": "hello " * 50}
                                               for n in range(40)])
    limit = big.stat().st_size - 1
    assert estimate_records([big], limit) == 1               # one reject, whatever the file holds
    assert estimate_records([big], limit + 1) == 40
    [reject] = list(read_interactions(big, max_file_bytes=limit))
    assert reject.reason == f"file too large: {limit + 1} bytes (limit {limit})"


def test_a_text_body_far_beyond_the_limit_is_rejected_unread(tmp_path: Path) -> None:
    path = tmp_path / "wall.eml"
    path.write_bytes(bytes(_mail("<wall@example.com>", "Pat Doe <pat@example.com>", "Log dump",
                                 "x" * (3 * MB), "Tue, 24 Nov 2026 10:00:00 +0000")))
    [reject] = list(read_interactions(path))
    assert reject.reason.startswith("message text larger than ") and "(the body limit is 100000" in reject.reason

"""Replies out through the real CLI, against the tests' own SMTP server (aiosmtpd, TLS) and Dovecot:
what is sent and with which headers, what is never answered, holds, limits, crashes and resume, rollback."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import imapclient
import pytest
import redis
import yaml

from crm_crew.mail.outbox import SENDING, OutboxRow
from crm_crew.store.sqlite import SQLiteStore
from crm_crew.testing.configs import write_config
from crm_crew.testing.mail_servers import DovecotServer
from crm_crew.testing.smtp_server import SmtpServer
from tests.e2e.clihelp import cli, cli_process
from tests.servers_fixtures import redis_url  # noqa: F401  (session fixture)

pytestmark = pytest.mark.slow(seconds=40)

SMTP_ENV = "CRM_CREW_TEST_SMTP_PASSWORD"
IMAP_ENV = "CRM_CREW_TEST_IMAP_PASSWORD"
FROM = "help@lighthouse-tools.test"
CONTACTS = ("email,first_name,last_name,company,phone,tier,lead_status\n"
            "oskar.lind@fjord-bakery.test,Oskar,Lind,Fjord Bakery,,standard,Customer\n"
            "mira.solberg@fjord-bakery.test,Mira,Solberg,Fjord Bakery,,standard,Customer\n"
            "tomas.berg@fjord-bakery.test,Tomas,Berg,Fjord Bakery,,standard,Customer\n")


def _eml(folder: Path, name: str, sender: str, subject: str, body: str, **headers: str) -> None:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = FROM
    msg["Subject"] = subject
    msg["Date"] = "Tue, 02 Jun 2026 09:15:00 +0000"
    msg["Message-ID"] = f"<{name}@fjord-bakery.test>"
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.eml").write_bytes(msg.as_bytes())


def _config(folder: Path, smtp: SmtpServer, starttls: bool = False, **replies: Any) -> Path:
    write_config(folder, {})
    path = folder / "crm-crew.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["replies"].update({"mode": "send", "from_address": FROM, "from_name": "Lighthouse Support", **replies})
    settings["replies"]["smtp"].update({"host": "127.0.0.1", "port": smtp.starttls_port if starttls else smtp.port,
                                        "security": "starttls" if starttls else "tls", "user": smtp.user,
                                        "password_env": SMTP_ENV, "tls_ca_file": str(smtp.ca_file), "timeout_s": 5})
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return folder


def _start(tmp_path: Path, smtp: SmtpServer, starttls: bool = False,
           **replies: Any) -> tuple[Path, Path, dict[str, str]]:
    home, conf = tmp_path / "state", _config(tmp_path / "conf", smtp, starttls, **replies)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CONTACTS, encoding="utf-8")
    assert cli("crm", "import", str(contacts), "--config", str(conf), home=home).code == 0
    return home, conf, {SMTP_ENV: smtp.password}


def _to(smtp: SmtpServer, address: str) -> list[EmailMessage]:
    return [r.message for r in smtp.messages if address in r.rcpt_tos]


def _records(home: Path, run_id: str) -> dict[str, dict[str, Any]]:
    return {r["interaction_id"].split("@")[0]: r for r in cli("show", run_id, "--json", home=home).json()["results"]}


def _shadow_run(inbox: Path, conf: Path, home: Path, env: dict[str, str]) -> tuple[str, dict[str, dict[str, Any]]]:
    """A shadow run over the folder: its id and records (by message name)."""
    shadow = cli("run", str(inbox), "--config", str(conf), "--json", home=home, env=env)
    assert shadow.code == 0, shadow.err
    run_id = str(shadow.json()["run_id"])
    return run_id, _records(home, run_id)


def test_replies_are_sent_once_threaded_and_never_to_machines_or_opted_out(smtp: SmtpServer, tmp_path: Path) -> None:
    smtp.clear()
    home, conf, env = _start(tmp_path, smtp)
    inbox = tmp_path / "inbox"
    _eml(inbox, "a-question", "Oskar Lind <oskar.lind@fjord-bakery.test>", "Oven timer manual",
         "Hello, could you tell me where to find the manual for the oven timer? Thanks, Oskar",
         References="<older-thread@fjord-bakery.test>")
    _eml(inbox, "b-away", "Mira Solberg <mira.solberg@fjord-bakery.test>", "Automatic reply: Oven timer",
         "I am away until Monday and will read mail then.", Auto_Submitted="auto-replied")
    _eml(inbox, "c-bounce", "Mail Delivery System <MAILER-DAEMON@fjord-bakery.test>", "Undelivered Mail Returned",
         "Your message to someone@nowhere.test could not be delivered.")
    _eml(inbox, "d-noreply", "Bakery Bot <noreply@fjord-bakery.test>", "Your weekly bread order",
         "This mailbox is not monitored. Your weekly order was placed.")
    _eml(inbox, "e-unsubscribe", "Tomas Berg <tomas.berg@fjord-bakery.test>", "Unsubscribe",
         "Please unsubscribe me from all your mailings and remove me from the list.")
    _eml(inbox, "f-list", "Mira Solberg <mira.solberg@fjord-bakery.test>", "Digest: the bakers forum",
         "Three new threads in the bakers forum this week.", List_Id="<bakers.forum.test>")
    _eml(inbox, "g-outage", "Mira Solberg <mira.solberg@fjord-bakery.test>", "URGENT: every oven is down",
         "Production is down: all our ovens stopped at 6 am and the bakery cannot open. This is critical!")

    shadow = cli("run", str(inbox), "--config", str(conf), "--json", home=home, env=env)
    assert shadow.code == 0, shadow.err
    assert smtp.messages == []                                   # a shadow run sends nothing
    records = _records(home, shadow.json()["run_id"])
    assert records["a-question"]["reply_out"]["status"] == "planned"
    reasons = {name: records[name]["reply_out"]["reason"] for name in ("b-away", "c-bounce", "d-noreply", "f-list")}
    assert "automatic reply" in reasons["b-away"] and "bounce" in reasons["c-bounce"]
    assert "no-reply" in reasons["d-noreply"] and "mailing list" in reasons["f-list"]
    assert records["g-outage"]["reply_out"]["status"] == "held"
    # a list digest that never asks to leave: triage may call it "unsubscribe", its opt-out waits for a person
    assert [(a["type"], a["status"]) for a in records["f-list"]["actions"] if a["type"] == "opt_out"] == \
        [("opt_out", "held")]

    applied = cli("apply", shadow.json()["run_id"], "--config", str(conf), "--json", home=home, env=env)
    assert applied.code == 0, applied.err + applied.out
    sent = _to(smtp, "oskar.lind@fjord-bakery.test")
    assert len(sent) == 1
    reply = sent[0]
    assert reply["In-Reply-To"] == "<a-question@fjord-bakery.test>"
    assert reply["References"] == "<older-thread@fjord-bakery.test> <a-question@fjord-bakery.test>"
    assert reply["From"].addresses[0].addr_spec == FROM and reply["Auto-Submitted"] == "auto-replied"
    records = _records(home, shadow.json()["run_id"])
    assert records["a-question"]["reply_out"] == {"mode": "send", "status": "sent", "reason": "sent",
                                                  "message_id": reply["Message-ID"]}
    assert len(_to(smtp, "tomas.berg@fjord-bakery.test")) == 1  # the unsubscribe confirmation, the one exception
    assert not _to(smtp, "mira.solberg@fjord-bakery.test") and not _to(smtp, "noreply@fjord-bakery.test")
    assert not any("mailer-daemon" in r.rcpt_tos[0].lower() for r in smtp.messages)
    export = cli("crm", "export", "--json", "--config", str(conf), home=home).json()
    logged = [a for a in export["activities"] if a["subject"].startswith("Reply sent:")]
    assert len(logged) == 2                                      # each reply is an email activity on its contact

    again = cli("apply", shadow.json()["run_id"], "--config", str(conf), home=home, env=env)
    assert again.code == 0 and len(smtp.messages) == 2           # applying again sends nothing twice

    later = tmp_path / "later"
    _eml(later, "h-again", "Tomas Berg <tomas.berg@fjord-bakery.test>", "One more question",
         "Is the bakery shop open on Sunday?")
    _eml(later, "i-unsub-again", "Tomas Berg <tomas.berg@fjord-bakery.test>", "Unsubscribe",
         "Unsubscribe me please, I still get your mailings.")
    second = cli("run", str(later), "--apply", "--config", str(conf), "--json", home=home, env=env)
    assert second.code == 0, second.err
    records = _records(home, second.json()["run_id"])
    assert "opted out" in records["h-again"]["reply_out"]["reason"]
    assert records["i-unsub-again"]["reply_out"]["status"] == "skipped"     # one confirmation per address
    assert len(_to(smtp, "tomas.berg@fjord-bakery.test")) == 1

    item = next(i for i in cli("review", "list", "--json", home=home).json() if "g-outage" in i["interaction_id"])
    shown = cli("review", "show", str(item["review_id"]), home=home)
    assert shown.code == 0 and "send_reply" in shown.out and "mira.solberg@fjord-bakery.test" in shown.out
    edited = tmp_path / "reply.txt"
    edited.write_text("Subject: Your ovens\n\nWe are sending a technician this morning. Sorry for the trouble.\n",
                      encoding="utf-8")
    approved = cli("review", "approve", str(item["review_id"]), "--edit-reply", str(edited), "--config", str(conf),
                   home=home, env=env)
    assert approved.code == 0, approved.err + approved.out
    held = _to(smtp, "mira.solberg@fjord-bakery.test")
    assert len(held) == 1 and held[0]["Subject"] == "Your ovens"
    assert held[0].get_content().strip() == "We are sending a technician this morning. Sorry for the trouble."

    rolled = cli("rollback", shadow.json()["run_id"], "--config", str(conf), home=home, env=env)
    assert rolled.code == 0, rolled.out
    assert "not undone" in rolled.out and "a sent mail cannot be unsent" in rolled.out
    export = cli("crm", "export", "--json", "--config", str(conf), home=home).json()
    assert not [a for a in export["activities"] if a["subject"].startswith("Reply sent: Re: Oven timer")]


def test_per_recipient_limit_and_a_wrong_password_over_starttls(smtp: SmtpServer, tmp_path: Path) -> None:
    smtp.clear()
    home, conf, env = _start(tmp_path, smtp, starttls=True, max_per_recipient=1)
    inbox = tmp_path / "inbox"
    for n in (1, 2):
        _eml(inbox, f"ask-{n}", "Oskar Lind <oskar.lind@fjord-bakery.test>", f"Question {n} about flour",
             f"Hello, question number {n}: which flour do you recommend for rye bread?")
    wrong = cli("run", str(inbox), "--apply", "--config", str(conf), home=home, env={SMTP_ENV: "not-the-password"})
    assert wrong.code == 1 and SMTP_ENV in wrong.err
    assert "not-the-password" not in wrong.err + wrong.out and smtp.messages == []
    assert cli("runs", "--json", home=home).json() == []         # stopped before any run existed

    run = cli("run", str(inbox), "--apply", "--config", str(conf), "--json", home=home, env=env)
    assert run.code == 0, run.err
    assert len(_to(smtp, "oskar.lind@fjord-bakery.test")) == 1
    statuses = sorted((r["reply_out"]["status"], r["reply_out"]["reason"] or "")
                      for r in _records(home, run.json()["run_id"]).values())
    assert statuses[1][0] == "skipped" and "max_per_recipient" in statuses[1][1]


def test_a_crash_right_after_the_server_accepted_is_resumed_without_a_second_copy(smtp: SmtpServer,
                                                                                   tmp_path: Path) -> None:
    smtp.clear()
    home, conf, env = _start(tmp_path, smtp)
    inbox = tmp_path / "inbox"
    _eml(inbox, "crash-1", "Oskar Lind <oskar.lind@fjord-bakery.test>", "Delivery on Thursday",
         "Can you deliver the new mixer on Thursday morning instead of Wednesday?")
    killed = cli_process("run", str(inbox), "--apply", "--run-id", "crashy", "--config", str(conf), home=home,
                         env={**env, "CRM_CREW_CRASH_AFTER": "reply_accepted:1"})
    assert killed.code == -9, killed.err
    assert len(smtp.messages) == 1
    resumed = cli("run", "--resume", "crashy", "--config", str(conf), "--json", home=home, env=env)
    assert resumed.code == 0, resumed.err
    assert len(smtp.messages) == 1                               # exactly one copy delivered
    record = _records(home, "crashy")["crash-1"]
    assert record["reply_out"]["status"] == "sent" and "not again" in record["reply_out"]["reason"]
    assert record["reply_out"]["message_id"] == smtp.messages[0].message["Message-ID"]


def test_a_reply_left_sending_is_never_sent_again_by_itself_until_a_person_resolves_it(smtp: SmtpServer,
                                                                                        tmp_path: Path) -> None:
    smtp.clear()
    home, conf, env = _start(tmp_path, smtp)
    inbox = tmp_path / "inbox"
    _eml(inbox, "unsure-1", "Oskar Lind <oskar.lind@fjord-bakery.test>", "Order 8120 is late",
         "Order 8120 was due on Friday and has not arrived. Where is my order?")
    _eml(inbox, "unsure-2", "Tomas Berg <tomas.berg@fjord-bakery.test>", "Invoice copy",
         "Could you send me a copy of last month's invoice for our records?")
    run_id, records = _shadow_run(inbox, conf, home, env)
    ids = {name: records[name]["reply_out"]["message_id"] for name in ("unsure-1", "unsure-2")}
    journal = SQLiteStore(home / "journal.sqlite")      # a process died during DATA: the server may have them
    try:
        for row in (r for r in journal.actions(run_id) if r.type == "send_reply"):
            journal.put_outbox(OutboxRow(row.fields["message_id"], row.idempotency_key, run_id, row.interaction_id,
                                         row.fields["to"], "send", SENDING))
    finally:
        journal.close()
    applied = cli("apply", run_id, "--config", str(conf), home=home, env=env)
    assert applied.code == 3 and smtp.messages == []
    reply_out = _records(home, run_id)["unsure-1"]["reply_out"]
    assert reply_out["status"] == "failed" and ids["unsure-1"] in reply_out["reason"]
    assert "not sent again automatically" in reply_out["reason"] and "crm-crew outbox resolve" in reply_out["reason"]

    doubt = cli("outbox", "list", "--config", str(conf), "--json", home=home).json()
    assert sorted(r["message_id"] for r in doubt) == sorted(ids.values())
    assert {r["recipient"] for r in doubt} == {"o…@fjord-bakery.test", "t…@fjord-bakery.test"}
    assert "oskar.lind" not in cli("outbox", "list", "--config", str(conf), home=home).out
    refused = cli("outbox", "resolve", ids["unsure-1"], "--delivered", "--config", str(conf), home=home)
    assert refused.code == 2 and "--reason" in refused.err
    assert cli("outbox", "resolve", "<nobody@nowhere.test>", "--delivered", "--reason", "x", "--config", str(conf),
               home=home).code == 1
    # the first reply is in the server's log; the second never left
    for name, verdict in (("unsure-1", "--delivered"), ("unsure-2", "--not-delivered")):
        done = cli("outbox", "resolve", ids[name], verdict, "--reason", "checked the relay log", "--as", "ops-kim",
                   "--config", str(conf), home=home)
        assert done.code == 0 and f"crm-crew apply {run_id}" in done.out, done.err
    again = cli("outbox", "resolve", ids["unsure-1"], "--not-delivered", "--reason", "oops", "--config", str(conf),
                home=home)
    assert again.code == 1 and "not in doubt" in again.err
    assert cli("apply", run_id, "--config", str(conf), home=home, env=env).code == 0
    assert [m.message["Message-ID"] for m in smtp.messages] == [ids["unsure-2"]]   # one copy, only of the second
    after = _records(home, run_id)
    assert after["unsure-1"]["reply_out"]["status"] == "sent" and after["unsure-2"]["reply_out"]["status"] == "sent"
    assert cli("outbox", "list", "--config", str(conf), "--json", home=home).json() == []
    entries = [e for e in cli("audit", "show", "--run", run_id, "--json", "--config", str(conf), home=home).json()
               if e["operation"] == "outbox_resolve"]
    assert sorted(e["outcome"] for e in entries) == ["delivered", "not_delivered"]
    assert {e["actor"] for e in entries} == {"ops-kim"}


def test_a_plan_applied_later_sends_nothing_to_a_contact_who_opted_out_in_between(smtp: SmtpServer,
                                                                                    tmp_path: Path) -> None:
    smtp.clear()
    home, conf, env = _start(tmp_path, smtp)
    inbox = tmp_path / "inbox"
    _eml(inbox, "a-leave", "Tomas Berg <tomas.berg@fjord-bakery.test>", "No more newsletters",
         "Please unsubscribe me from your mailing list, I do not want any more emails.")
    _eml(inbox, "b-question", "Tomas Berg <tomas.berg@fjord-bakery.test>", "Flour delivery",
         "Will the rye flour come on Monday as planned?")
    run_id, planned = _shadow_run(inbox, conf, home, env)
    assert planned["b-question"]["reply_out"]["status"] == "planned"     # not opted out when it was planned
    assert cli("apply", run_id, "--config", str(conf), home=home, env=env).code == 0
    sent = _to(smtp, "tomas.berg@fjord-bakery.test")
    assert [m["In-Reply-To"] for m in sent] == ["<a-leave@fjord-bakery.test>"]   # the confirmation only
    question = _records(home, run_id)["b-question"]["reply_out"]
    assert question["status"] == "skipped" and "opted out of mail after the reply was planned" in question["reason"]


def test_an_rq_worker_sends_a_queued_runs_reply_once(smtp: SmtpServer, tmp_path: Path,
                                                     redis_url: str) -> None:  # noqa: F811
    smtp.clear()
    home, conf, env = _start(tmp_path, smtp)
    inbox = tmp_path / "inbox"
    _eml(inbox, "queued-1", "Oskar Lind <oskar.lind@fjord-bakery.test>", "Order 9031 missing",
         "Order 9031 was due on Friday and has not arrived. Where is my order?")
    queue = f"{redis_url.rsplit('/', 1)[0]}/14"
    redis.Redis.from_url(queue).flushdb()
    full_env = {**os.environ, "CRM_CREW_HOME": str(home), **env}
    full_env.pop("CRM_CREW_CONFIG", None)
    exe = str(Path(sys.executable).with_name("crm-crew"))
    run = subprocess.Popen([exe, "run", str(inbox), "--apply", "--queue", queue, "--run-id", "queued", "--config",
                            str(conf)], env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        worker = subprocess.run([exe, "worker", "--queue", queue, "--burst", "--config", str(conf)], env=full_env,
                                stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
        assert worker.returncode == 0, worker.stderr
        _, err = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, err
    sent = _to(smtp, "oskar.lind@fjord-bakery.test")
    assert len(sent) == 1 and sent[0]["In-Reply-To"] == "<queued-1@fjord-bakery.test>"
    assert _records(home, "queued")["queued-1"]["reply_out"]["status"] == "sent"


def _imap(server: DovecotServer) -> imapclient.IMAPClient:
    client = imapclient.IMAPClient("127.0.0.1", port=server.imaps_port, ssl=True, timeout=10,
                                   ssl_context=ssl.create_default_context(cafile=str(server.ca_file)))
    client.login(server.user, server.password)
    return client


def test_draft_mode_writes_one_threaded_draft_to_the_mailboxs_drafts(dovecot: DovecotServer, smtp: SmtpServer,
                                                                      tmp_path: Path) -> None:
    home, conf, _ = _start(tmp_path, smtp, mode="draft", from_address=None)
    settings_path = conf / "crm-crew.yaml"
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    settings["mail"]["imap"].update({"password_env": IMAP_ENV, "tls_ca_file": str(dovecot.ca_file), "timeout_s": 5})
    settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    question = EmailMessage()
    question["From"] = "Oskar Lind <oskar.lind@fjord-bakery.test>"
    question["To"] = f"{dovecot.user}@lighthouse-tools.test"
    question["Subject"] = "Order 7713 for the slicer blade"
    question["Message-ID"] = "<slicer-blade@fjord-bakery.test>"
    question.set_content("Order 7713 (a spare blade for our bread slicer) was due on Friday and has not arrived. "
                         "Where is my order?")
    client = _imap(dovecot)
    try:
        client.create_folder("Orders")
        client.append("Orders", question.as_bytes())
    finally:
        client.logout()
    env = {IMAP_ENV: dovecot.password}
    run = cli("run", dovecot.url("Orders"), "--apply", "--config", str(conf), "--json", home=home, env=env)
    assert run.code == 0, run.err
    again = cli("apply", run.json()["run_id"], "--config", str(conf), home=home, env=env)
    assert again.code == 0, again.err
    client = _imap(dovecot)
    try:
        client.select_folder("Drafts", readonly=True)
        uids = client.search(["HEADER", "In-Reply-To", "slicer-blade@fjord-bakery.test"])
        assert len(uids) == 1                                    # one draft, however often it is applied
        fetched = client.fetch(uids, ["FLAGS", "BODY.PEEK[]"])[uids[0]]
    finally:
        client.logout()
    assert imapclient.DRAFT in fetched[b"FLAGS"]
    draft = BytesParser(policy=policy.default).parsebytes(fetched[b"BODY[]"])
    assert draft["To"].addresses[0].addr_spec == "oskar.lind@fjord-bakery.test"
    assert draft["References"] == "<slicer-blade@fjord-bakery.test>" and draft["Auto-Submitted"] is None
    assert smtp.messages == [] or all("slicer" not in json.dumps(m.rcpt_tos) for m in smtp.messages)
    record = _records(home, run.json()["run_id"])["slicer-blade"]
    assert record["reply_out"]["status"] == "drafted" and record["reply_out"]["message_id"] == draft["Message-ID"]

"""`crm-crew run imaps://...` against a real Dovecot started by the tests: what is read once, what is
flagged after it is journaled, and how a wrong password or an unreachable server end the run."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import imapclient
import pytest
import yaml

from crm_crew.store.sqlite import SQLiteStore
from crm_crew.testing.configs import write_config
from crm_crew.testing.mail_servers import DovecotServer
from crm_crew.testing.servers import _free_port
from tests.e2e.clihelp import cli

pytestmark = pytest.mark.slow(seconds=25)

PASSWORD_ENV = "CRM_CREW_TEST_IMAP_PASSWORD"


def _client(server: DovecotServer) -> imapclient.IMAPClient:
    client = imapclient.IMAPClient("127.0.0.1", port=server.imaps_port, ssl=True, timeout=10,
                                   ssl_context=ssl.create_default_context(cafile=str(server.ca_file)))
    client.login(server.user, server.password)
    return client


def _mail(n: int, body: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {n} <customer{n}@globex.io>"
    msg["To"] = "support@shop.example"
    msg["Subject"] = f"Order {4470 + n}"
    msg["Date"] = "Mon, 01 Jun 2026 10:00:00 +0200"
    msg["Message-ID"] = f"<order-{n}@globex.io>"
    msg.set_content(body)
    return msg.as_bytes()


def _config(folder: Path, server: DovecotServer, **imap: Any) -> Path:
    write_config(folder, {})
    path = folder / "crm-crew.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["mail"]["imap"].update({"password_env": PASSWORD_ENV, "tls_ca_file": str(server.ca_file), "timeout_s": 5,
                                     **imap})
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return folder


def _fresh_folder(server: DovecotServer, name: str, count: int) -> None:
    client = _client(server)
    try:
        client.create_folder(name)
        for n in range(1, count + 1):
            client.append(name, _mail(n, f"Where is order {4470 + n}? It was due on Friday."))
    finally:
        client.logout()


def _seen(server: DovecotServer, folder: str) -> list[int]:
    client = _client(server)
    try:
        client.select_folder(folder, readonly=True)
        return sorted(client.search(["SEEN"]))
    finally:
        client.logout()


def test_mail_is_read_once_and_flagged_seen_after_it_is_journaled(dovecot: DovecotServer, tmp_path: Path) -> None:
    _fresh_folder(dovecot, "Support", 3)
    home, conf = tmp_path / "state", _config(tmp_path / "conf", dovecot, after="seen")
    env = {PASSWORD_ENV: dovecot.password}
    url = dovecot.url("Support")
    first = cli("run", url, "--config", str(conf), "--json", home=home, env=env)
    assert first.code == 0, first.err
    summary = first.json()
    assert summary["interactions"] == 3
    assert summary["mailboxes"] == [{"source": url, "new": 3, "known_by_message_id": 0, "after": "seen",
                                     "acted_on": 3}]
    records = cli("show", summary["run_id"], "--json", home=home).json()["results"]
    assert sorted(r["interaction_id"] for r in records) == [f"order-{n}@globex.io" for n in (1, 2, 3)]
    assert _seen(dovecot, "Support") == [1, 2, 3]

    again = cli("run", url, "--config", str(conf), "--json", home=home, env=env)
    assert again.code == 0, again.err
    assert again.json()["interactions"] == 0 and again.json()["mailboxes"][0]["new"] == 0

    client = _client(dovecot)
    try:
        client.append("Support", _mail(4, "And order 4474 is missing too."))
    finally:
        client.logout()
    starttls = cli("run", dovecot.url("Support", starttls=True), "--config", str(conf), "--json", home=home, env=env)
    assert starttls.code == 0, starttls.err
    assert starttls.json()["interactions"] == 1         # the same folder's cursor, whichever way in


def test_after_none_reads_without_marking_and_move_moves(dovecot: DovecotServer, tmp_path: Path) -> None:
    _fresh_folder(dovecot, "Quiet", 2)
    env = {PASSWORD_ENV: dovecot.password}
    quiet = cli("run", dovecot.url("Quiet"), "--config", str(_config(tmp_path / "c1", dovecot)), "--json",
                home=tmp_path / "s1", env=env)
    assert quiet.code == 0, quiet.err
    assert quiet.json()["interactions"] == 2 and _seen(dovecot, "Quiet") == []
    journal = SQLiteStore(tmp_path / "s1" / "journal.sqlite")   # the folder is rebuilt: a new UIDVALIDITY
    try:
        key = f"{dovecot.user}@127.0.0.1/Quiet"
        uidvalidity, last = journal.mail_cursor(key) or (0, 0)
        assert last == 2
        journal.set_mail_cursor(key, uidvalidity + 1, last)
    finally:
        journal.close()
    reread = cli("run", dovecot.url("Quiet"), "--config", str(tmp_path / "c1"), "--json", home=tmp_path / "s1", env=env)
    assert reread.code == 0, reread.err
    assert reread.json()["interactions"] == 0          # re-read by Message-ID: nothing worked twice
    assert reread.json()["mailboxes"][0]["known_by_message_id"] == 2
    _fresh_folder(dovecot, "Moving", 2)
    moved = cli("run", dovecot.url("Moving"), "--config", str(_config(tmp_path / "c2", dovecot, after="move:Processed")),
                "--json", home=tmp_path / "s2", env=env)
    assert moved.code == 0, moved.err
    client = _client(dovecot)
    try:
        assert client.select_folder("Moving")[b"EXISTS"] == 0
        assert client.select_folder("Processed")[b"EXISTS"] >= 2
    finally:
        client.logout()


def test_a_wrong_password_exits_1_naming_the_variable_never_the_secret(dovecot: DovecotServer, tmp_path: Path) -> None:
    conf = _config(tmp_path / "conf", dovecot)
    wrong = "not-the-password-" + "7" * 8
    result = cli("run", dovecot.url(), "--config", str(conf), home=tmp_path / "state", env={PASSWORD_ENV: wrong})
    assert result.code == 1
    assert PASSWORD_ENV in result.err and "refused the login" in result.err
    assert wrong not in result.out + result.err and dovecot.password not in result.out + result.err
    missing = cli("run", dovecot.url(), "--config", str(conf), home=tmp_path / "state")
    assert missing.code == 1 and f"${PASSWORD_ENV}" in missing.err
    in_url = cli("run", f"imaps://{dovecot.user}:{wrong}@127.0.0.1:{dovecot.imaps_port}/INBOX", "--config", str(conf),
                 home=tmp_path / "state", env={PASSWORD_ENV: wrong})
    assert in_url.code == 2 and "must not carry a password" in in_url.err and wrong not in in_url.err


def test_a_server_that_cannot_be_reached_or_trusted_exits_1(dovecot: DovecotServer, tmp_path: Path) -> None:
    env = {PASSWORD_ENV: dovecot.password}
    conf = _config(tmp_path / "conf", dovecot)
    closed = cli("run", f"imaps://{dovecot.user}@127.0.0.1:{_free_port()}/INBOX", "--config", str(conf),
                 home=tmp_path / "state", env=env)
    assert closed.code == 1 and "cannot reach the IMAP server" in closed.err and "connection refused" in closed.err
    untrusted = cli("run", dovecot.url(), "--config", str(_config(tmp_path / "c2", dovecot, tls_ca_file=None)),
                    home=tmp_path / "state", env=env)
    assert untrusted.code == 1 and "not trusted" in untrusted.err and "tls_ca_file" in untrusted.err

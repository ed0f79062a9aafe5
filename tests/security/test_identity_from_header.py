"""Strict sender parsing (crm_crew.pipeline.readers.addresses): one unambiguous address, or a reject
with a specific reason that never repeats the value, for JSON Lines, CSV, .eml, mbox and Maildir."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path
from typing import Any

import pytest

from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers import read_interactions
from crm_crew.pipeline.readers.addresses import parse_from
from crm_crew.pipeline.readers.common import RecordError

AMBIGUOUS = "is ambiguous"
SEVERAL = "holds several addresses"
NO_ADDRESS = "has no address"
MALFORMED = "is malformed"
NAME_HOLDS = "the display name holds an email address other than the sender's"


@pytest.mark.parametrize(("value", "address", "name"), [
    ("Hugo Lefèvre <hugo.lefevre@vireo-labs.fr>", "hugo.lefevre@vireo-labs.fr", "Hugo Lefèvre"),
    ("hugo.lefevre@vireo-labs.fr", "hugo.lefevre@vireo-labs.fr", ""),
    ("<hugo.lefevre@vireo-labs.fr>", "hugo.lefevre@vireo-labs.fr", ""),
    ('"Lefèvre, Hugo" <hugo.lefevre@vireo-labs.fr>', "hugo.lefevre@vireo-labs.fr", "Lefèvre, Hugo"),
    ("Hugo R. Lefèvre <hugo.lefevre@vireo-labs.fr> (Vireo)", "hugo.lefevre@vireo-labs.fr", "Hugo R. Lefèvre"),
    ("=?utf-8?q?Hugo_Lef=C3=A8vre?= <hugo.lefevre@vireo-labs.fr>", "hugo.lefevre@vireo-labs.fr", "Hugo Lefèvre"),
    ('"hugo.lefevre@vireo-labs.fr" <Hugo.Lefevre@vireo-labs.fr>', "Hugo.Lefevre@vireo-labs.fr", ""),
    ("Jörg Maier <jörg@bäckerei-maier.de>", "jörg@bäckerei-maier.de", "Jörg Maier"),
])
def test_one_clear_address_is_read(value: str, address: str, name: str) -> None:
    assert parse_from(value, "`from`") == (address, name)


@pytest.mark.parametrize(("value", "reason"), [
    ("hugo.lefevre@vireo-labs.fr <h.lefevre@mailbox.example>", AMBIGUOUS),
    ("<hugo.lefevre@vireo-labs.fr>h.lefevre@mailbox.example", AMBIGUOUS),
    ("Hugo <hugo.lefevre@vireo-labs.fr> <h.lefevre@mailbox.example>", AMBIGUOUS),
    ("hugo.lefevre@vireo-labs.fr, h.lefevre@mailbox.example", SEVERAL),
    ("Lefèvre, Hugo <hugo.lefevre@vireo-labs.fr>", SEVERAL),
    ('"hugo.lefevre@vireo-labs.fr" <h.lefevre@mailbox.example>', NAME_HOLDS),
    ("=?utf-8?q?hugo.lefevre=40vireo-labs.fr?= <h.lefevre@mailbox.example>", NAME_HOLDS),
    ('"Hugo <hugo.lefevre@vireo-labs.fr>" <h.lefevre@mailbox.example>', NAME_HOLDS),
    ("Hugo Lefèvre", NO_ADDRESS),
    ("<>", NO_ADDRESS),
    ("Hugo Lefèvre <hugo.lefevre@vireo-labs.fr", MALFORMED),
    ("Vireo team: hugo.lefevre@vireo-labs.fr;", "is a group"),
    ("hugo.lefevre@vireo-labs.fr\u200b", "invisible, control or space"),
    ("Hugo <hugo.lefevre@vireo-labs.fr>\nBcc: x@y.example", "line break"),
    ("Hugo <hugo@[192.0.2.7]>", "not a valid email address"),
    ("   ", "is empty"),
])
def test_ambiguous_or_broken_senders_are_refused_without_echoing_them(value: str, reason: str) -> None:
    with pytest.raises(RecordError) as refused:
        parse_from(value, "`from`")
    assert refused.value.reason.startswith("`from`") and reason in refused.value.reason
    for part in ("vireo-labs", "mailbox.example", "Hugo", "192.0.2"):
        assert part not in refused.value.reason


# -- the readers ------------------------------------------------------------------------------------


def _read(path: Path) -> tuple[list[Interaction], list[Reject]]:
    results = list(read_interactions(path))
    return ([r for r in results if isinstance(r, Interaction)], [r for r in results if isinstance(r, Reject)])


def _record(n: int, **sender: Any) -> dict[str, Any]:
    return {"id": f"s{n}", "subject": "Newsletter", "body": "Please stop the newsletter for me.", **sender}


def test_jsonl_senders_are_parsed_strictly_and_rejected_with_a_reason(tmp_path: Path) -> None:
    records = [
        _record(1, **{"from": "Teresa Gomes <teresa.gomes@pinhal.pt>"}),
        _record(2, **{"from": "teresa.gomes@pinhal.pt <t.gomes@correio.example>"}),
        _record(3, sender_email="Teresa Gomes <teresa.gomes@pinhal.pt> <t.gomes@correio.example>"),
        _record(4, **{"from": "teresa.gomes@pinhal.pt", "sender_email": "t.gomes@correio.example"}),
        _record(5, **{"from": "Teresa.Gomes@Pinhal.pt", "sender_email": "teresa.gomes@pinhal.pt"}),
        _record(6, sender_email="t.gomes@correio.example", sender_name="teresa.gomes@pinhal.pt"),
        _record(7, sender_email="t.gomes@correio.example", sender_name="Teresa Gomes"),
        _record(8, **{"from": ["teresa.gomes@pinhal.pt"]}),
        _record(9, sender_email="Teresa Gomes <teresa.gomes@pinhal.pt>"),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    good, bad = _read(path)
    assert [(i.id, i.sender_email, i.sender_name) for i in good] == [
        ("s1", "teresa.gomes@pinhal.pt", "Teresa Gomes"), ("s5", "Teresa.Gomes@Pinhal.pt", ""),
        ("s7", "t.gomes@correio.example", "Teresa Gomes"), ("s9", "teresa.gomes@pinhal.pt", "Teresa Gomes")]
    reasons = {r.interaction_id: r.reason for r in bad}
    assert AMBIGUOUS in reasons["s2"]
    assert reasons["s3"].startswith("`sender_email` is ambiguous")
    assert reasons["s4"] == "`from` and `sender_email` name different addresses: give one sender"
    assert reasons["s6"] == "`sender_name` holds an email address other than the sender's"
    assert reasons["s8"] == "field `from` must be a string, got list"
    assert not any("pinhal" in r or "correio" in r for r in reasons.values())


def _eml(from_lines: list[str], message_id: str) -> bytes:
    headers = "".join(f"From: {line}\r\n" for line in from_lines)
    return (f"{headers}To: support@vendor.example\r\nSubject: Account\r\nMessage-ID: <{message_id}>\r\n"
            "Date: Tue, 03 Nov 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "MIME-Version: 1.0\r\n\r\nPlease mark me as no longer interested.\r\n").encode("utf-8")


def test_eml_reads_the_raw_from_header_not_its_rendered_form(tmp_path: Path) -> None:
    cases = {
        "plain.eml": (["Daniel Weiss <daniel.weiss@kranich-ag.de>"], None),
        "ambiguous.eml": (["daniel.weiss@kranich-ag.de <d.weiss@postfach.example>"], AMBIGUOUS),
        "prefix.eml": (["<daniel.weiss@kranich-ag.de>d.weiss@postfach.example"], AMBIGUOUS),
        "encoded-name.eml": (["=?utf-8?b?ZGFuaWVsLndlaXNzQGtyYW5pY2gtYWcuZGU=?= <d.weiss@postfach.example>"],
                             NAME_HOLDS),
        "two.eml": (["Daniel Weiss <daniel.weiss@kranich-ag.de>", "Mallory <d.weiss@postfach.example>"],
                    "message has 2 From headers"),
        "utf8.eml": (["Daniel Weiß <daniel@weiß-bau.de>"], None),
    }
    for name, (lines, _) in cases.items():
        (tmp_path / name).write_bytes(_eml(lines, name.replace(".eml", "@mail.example")))
    for name, (_, reason) in cases.items():
        good, bad = _read(tmp_path / name)
        if reason is None:
            assert len(good) == 1 and not bad, name
        else:
            assert not good and len(bad) == 1 and reason in bad[0].reason, (name, bad)
            assert bad[0].reason.startswith(("the From header", "message has")), bad[0].reason
            assert "postfach" not in bad[0].reason and "kranich" not in bad[0].reason
    assert _read(tmp_path / "utf8.eml")[0][0].sender_email == "daniel@weiß-bau.de"


def test_mbox_and_maildir_use_the_same_strict_parser(tmp_path: Path) -> None:
    box = mailbox.mbox(str(tmp_path / "in.mbox"))
    maildir = mailbox.Maildir(str(tmp_path / "md"))
    for n, line in enumerate(("Owen Hale <owen.hale@brightmoor.co.uk>",
                              "owen.hale@brightmoor.co.uk <o.hale@webpost.example>")):
        raw = _eml([line], f"m{n}@mail.example")
        box.add(raw)
        maildir.add(raw)
    box.close()
    for path in (tmp_path / "in.mbox", tmp_path / "md"):
        good, bad = _read(path)
        assert [i.sender_email for i in good] == ["owen.hale@brightmoor.co.uk"]
        assert len(bad) == 1 and AMBIGUOUS in bad[0].reason and "webpost" not in bad[0].reason

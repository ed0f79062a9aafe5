"""The rules a reply out obeys before any server is involved: whom it never answers, and that its text
cannot become a header."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from crm_crew.config.models import Settings
from crm_crew.mail.replies_out import build_message, one_line
from crm_crew.mail.reply_policy import never_reply_reason, reply_message_id
from crm_crew.models import Interaction

NON_HUMAN = Settings().matching.non_human_senders


def _mail(sender: str = "ines@harbour-cafe.test", subject: str = "Table booking", **headers: str) -> Interaction:
    return Interaction("m-1", "email", sender, "Ines", subject, "Can I book a table for six?", "",
                       metadata={"headers": headers} if headers else {})


@pytest.mark.parametrize(("interaction", "expected"), [
    (_mail("MAILER-DAEMON@harbour-cafe.test"), "bounce"),
    (_mail("postmaster@harbour-cafe.test"), "bounce"),
    (_mail(**{"Return-Path": "<>"}), "bounce"),
    (_mail(**{"Content-Type": "multipart/report; report-type=delivery-status"}), "bounce"),
    (_mail(**{"Auto-Submitted": "auto-generated"}), "automatic reply"),
    (_mail(**{"X-Autoreply": "yes"}), "automatic reply"),
    (_mail(subject="Out of office: back on the 3rd"), "automatic reply"),
    (_mail(**{"Precedence": "bulk"}), "bulk"),
    (_mail(**{"Precedence": "junk"}), "bulk"),
    (_mail(**{"List-Id": "<cafe-owners.lists.test>"}), "mailing list"),
    (_mail(**{"List-Unsubscribe": "<mailto:leave@lists.test>"}), "mailing list"),
    (_mail("no-reply@harbour-cafe.test"), "no-reply"),
    (_mail("noreply+orders@harbour-cafe.test"), "no-reply"),
    (_mail("do_not_reply@harbour-cafe.test"), "no-reply"),
])
def test_machines_lists_and_bounces_get_no_reply(interaction: Interaction, expected: str) -> None:
    reason = never_reply_reason(interaction, NON_HUMAN)
    assert reason is not None and expected in reason


def test_a_person_may_be_answered() -> None:
    assert never_reply_reason(_mail(**{"Auto-Submitted": "no", "Return-Path": "<ines@harbour-cafe.test>"}),
                              NON_HUMAN) is None


def test_the_reply_text_is_data_never_headers() -> None:
    replies = SimpleNamespace(from_address="help@lighthouse-tools.test", from_name="Help\r\nBcc: x@evil.test",
                              reply_to=None)
    fields = {"to": "ines@harbour-cafe.test", "to_name": "Ines\nBcc: y@evil.test",
              "subject": "Re: booking\r\nBcc: z@evil.test", "body": "Line one\r\nBcc: body@evil.test\n",
              "message_id": reply_message_id("ik_00ff", "help@lighthouse-tools.test"),
              "in_reply_to": "<a@b.test>\r\nBcc: w@evil.test", "references": "junk <r@b.test> <a@b.test>",
              "mailbox": "", "mode": "send"}
    message = build_message(fields, replies)
    raw = message.as_bytes()
    head = raw.split(b"\n\n", 1)[0]
    assert not [line for line in head.split(b"\n") if line.lower().startswith(b"bcc")] and message["Bcc"] is None
    assert message["Subject"] == "Re: booking Bcc: z@evil.test"
    assert message["In-Reply-To"] == "<a@b.test>" and message["References"] == "<r@b.test> <a@b.test>"
    assert message["Message-ID"] == "<crm-crew.00ff@lighthouse-tools.test>"
    assert message["Auto-Submitted"] == "auto-replied"
    assert one_line("a\r\nb\tc\x00d") == "a b c d"
    assert build_message({**fields, "mode": "draft"}, replies)["Auto-Submitted"] is None   # a person sends a draft


def test_mail_through_your_own_group_inbox_is_a_customer_writing() -> None:
    group = {"List-Id": "Support desk <support.harbour-cafe.test>", "Precedence": "list",
             "List-Unsubscribe": "<mailto:support+unsubscribe@harbour-cafe.test>"}
    assert "list" in str(never_reply_reason(_mail(**group), NON_HUMAN))
    assert never_reply_reason(_mail(**group), NON_HUMAN, ["support.harbour-cafe.test"]) is None
    assert "list" in str(never_reply_reason(_mail(**group), NON_HUMAN, ["other.harbour-cafe.test"]))
    away = {**group, "Auto-Submitted": "auto-replied"}          # still never to a machine
    assert "automatic reply" in str(never_reply_reason(_mail(**away), NON_HUMAN, ["support.harbour-cafe.test"]))

"""Streaming an email past its attachments (crm_crew.pipeline.readers.mime_stream) reads it as parsing it whole would."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from email.message import EmailMessage

import pytest

from crm_crew.pipeline.readers.common import Limits, RecordError
from crm_crew.pipeline.readers.email_reader import _convert
from crm_crew.pipeline.readers.mime_stream import KEPT_OTHER_BYTES, slim_message, slim_message_parts

LIMITS = Limits()


def _base(subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Ines Duarte <ines.duarte@tejo-vinhos.pt>"
    msg["To"] = "support@example.com"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{abs(hash(subject))}@tejo-vinhos.pt>"
    msg["Date"] = "Wed, 25 Nov 2026 14:30:00 +0000"
    return msg


def plain_with_attachments() -> EmailMessage:
    msg = _base("Pallet damaged on arrival")
    msg.set_content("Olá,\n\nthe pallet arrived with two broken cases. Photos attached.\n\nInês")
    msg.add_attachment(os.urandom(300_000), maintype="image", subtype="jpeg", filename="pallet-1.jpg")
    msg.add_attachment("order;qty\n4471;12\n" * 20_000, subtype="csv", filename="order.csv")
    return msg


def alternative_inside_mixed() -> EmailMessage:
    msg = _base("Invoice 2026-118 – question about VAT")
    msg.set_content("Hello,\n\nwhy is VAT charged twice on invoice 2026-118?\n\nInês")
    msg.add_alternative("<p>Hello,</p><p>why is <b>VAT</b> charged twice on invoice 2026-118?</p><p>Inês</p>",
                        subtype="html")
    msg.add_attachment(os.urandom(120_000), maintype="application", subtype="pdf", filename="invoice-2026-118.pdf")
    return msg


def html_only() -> EmailMessage:
    msg = _base("Newsletter sign-up")
    msg.set_content("<html><body><p>Please add <i>our buyer</i> to your newsletter.</p></body></html>",
                    subtype="html")
    return msg


def forwarded() -> EmailMessage:
    inner = _base("Original complaint")
    inner.set_content("The labels were printed in the wrong language.")
    msg = _base("Fwd: Original complaint")
    msg.set_content("Forwarding the customer's message below, please handle.\n\nInês")
    msg.add_attachment(inner)
    return msg


@pytest.mark.parametrize("make", [plain_with_attachments, alternative_inside_mixed, html_only, forwarded])
def test_the_slim_message_reads_like_the_whole_one(make: Callable[[], EmailMessage]) -> None:
    raw = bytes(make())
    whole = _convert(raw, LIMITS, source="x.eml", position="file")
    slim_bytes, sizes = slim_message_parts(io.BytesIO(raw), LIMITS)
    slim = _convert(slim_bytes, LIMITS, source="x.eml", position="file", sizes=sizes)
    assert slim == whole          # attachments' sizes too: measured in the stream, as decoded whole
    assert len(slim_bytes) <= len(raw)


def test_attachments_keep_only_their_first_bytes() -> None:
    raw = bytes(plain_with_attachments())
    assert len(slim_message(io.BytesIO(raw), LIMITS)) < 2 * KEPT_OTHER_BYTES + 4096 < len(raw) // 10


def test_an_enormous_header_block_is_refused() -> None:
    raw = b"From: a@example.com\r\nX-Filler: " + b"y" * (2 * 1024 * 1024) + b"\r\n\r\nbody\r\n"
    with pytest.raises(RecordError, match="message headers larger than"):
        slim_message(io.BytesIO(raw), LIMITS)

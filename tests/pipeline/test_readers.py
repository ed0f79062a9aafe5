"""Bad-input suite for the interaction readers.

Every bad-record case checks the exact reject reason and that the good records around
it still come through. Large and binary inputs are generated in tmp_path.
"""

from __future__ import annotations

import json
import mailbox
import os
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers import SUPPORTED_FORMATS, read_interactions
from crm_crew.pipeline.readers.text import html_to_text, split_reply

CHANNELS = "email, web_form, chat, call, ticket, other"


# --- helpers ------------------------------------------------------------------------


def read(path: Path, **kwargs: Any) -> list[Interaction | Reject]:
    return list(read_interactions(path, **kwargs))


def good(n: int, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"r{n}",
        "from": f"user{n}@example.com",
        "subject": f"Question {n}",
        "body": f"Hello, this is message number {n}.",
        "received_at": "2024-03-01T09:30:00Z",
    }
    record.update(extra)
    return record


def write_jsonl(path: Path, lines: list[dict[str, Any] | str | bytes]) -> Path:
    chunks: list[bytes] = []
    for line in lines:
        if isinstance(line, dict):
            line = json.dumps(line)
        chunks.append(line if isinstance(line, bytes) else line.encode("utf-8"))
    path.write_bytes(b"\n".join(chunks) + b"\n")
    return path


def interactions(results: list[Interaction | Reject]) -> list[Interaction]:
    return [r for r in results if isinstance(r, Interaction)]


def rejects(results: list[Interaction | Reject]) -> list[Reject]:
    return [r for r in results if isinstance(r, Reject)]


def make_mail(
    *,
    sender: str | None = "Jane Doe <jane@example.com>",
    subject: str = "Order question",
    body: str = "Where is my order?",
    message_id: str | None = None,
    date: str | None = "Mon, 01 Jan 2024 10:00:00 +0100",
    html: str | None = None,
    **headers: str,
) -> EmailMessage:
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"] = "support@shop.example"
    msg["Subject"] = subject
    if date is not None:
        msg["Date"] = date
    if message_id is not None:
        msg["Message-ID"] = message_id
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    if html is not None and not body:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    return msg


def write_eml(path: Path, msg: EmailMessage) -> Path:
    path.write_bytes(msg.as_bytes())
    return path


# --- JSON Lines ---------------------------------------------------------------------


def test_jsonl_good_records_parse_all_fields(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "in.jsonl",
        [
            good(1, **{"from": "Jane Doe <jane@x.com>"}, metadata={"crm": "sf"}),
            "",
            "   ",
            {"sender_email": " bob@example.org ", "sender_name": "Bob", "body": "Hi", "channel": "web_form"},
        ],
    )
    first, second = read(path)
    assert isinstance(first, Interaction) and isinstance(second, Interaction)
    assert (first.id, first.sender_email, first.sender_name) == ("r1", "jane@x.com", "Jane Doe")
    assert first.received_at == "2024-03-01T09:30:00+00:00"
    assert first.position == "line 1" and first.source == str(path)
    assert first.metadata["crm"] == "sf" and first.metadata["quoted_chars"] == 0
    assert (second.position, second.channel, second.sender_email) == ("line 4", "web_form", "bob@example.org")
    assert second.sender_name == "Bob" and second.received_at == ""


def test_unknown_columns_are_bounded_data_that_never_replace_a_field(tmp_path: Path) -> None:
    names = ["customer_text", "headers", "x" * 65] + [f"col{n}" for n in range(40)]
    path = tmp_path / "in.csv"
    path.write_text("from,body," + ",".join(names) + "\n"
                    + "a@example.com,My router is broken.," + ",".join(["v" * 1200, "h", "long"] + ["c"] * 40) + "\n",
                    encoding="utf-8")
    [item] = read(path)
    assert isinstance(item, Interaction)
    assert "customer_text" not in item.metadata and "headers" not in item.metadata     # no pipeline field set
    extra = item.metadata["extra_fields"]
    assert len(extra) == 30 and len(extra["customer_text"]) == 1000 and extra["customer_text"].endswith("…")
    assert "x" * 65 not in extra and item.metadata["extra_fields_dropped"] == 1 + 40 - 28
    assert item.body == "My router is broken."


def test_truncated_json_line(tmp_path: Path) -> None:
    truncated = '{"id": "r2", "from": "a@example.com", "body": "cut off he'
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), truncated, good(3)])
    try:
        json.loads(truncated)
    except json.JSONDecodeError as error:
        expected = f"invalid JSON: {error}"
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r3"]
    assert rejects(results) == [Reject(str(path), "line 2", expected)]
    assert expected.startswith("invalid JSON: Unterminated string")


def test_record_that_is_not_an_object(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), "[1, 2, 3]", good(3)])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r3"]
    assert rejects(results) == [Reject(str(path), "line 2", "record is not a JSON object")]


def test_latin1_line_in_utf8_file_is_repaired(tmp_path: Path) -> None:
    latin1 = '{"id": "r2", "from": "a@example.com", "body": "Café crème brûlée, très bien"}'.encode("latin-1")
    path = write_jsonl(tmp_path / "in.jsonl", [good(1, body="Grüße, naïve façade"), latin1, good(3)])
    results = read(path)
    assert [type(r) for r in results] == [Interaction] * 3
    first, repaired, third = results
    assert first.body == "Grüße, naïve façade" and "encoding_repaired" not in first.metadata
    assert repaired.body == "Café crème brûlée, très bien"
    assert repaired.metadata["encoding_repaired"] is True
    assert "encoding_repaired" not in third.metadata


@pytest.mark.parametrize(
    "junk",
    [
        bytes(range(256)).replace(b"\n", b""),                      # NUL and everything else
        b"\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11 abc \x1b\x1c\x1d\x1e\x1f\x7f",
        b"\xff\xfe\x00\x00PK\x03\x04\x14\x00\x06\x00",            # a zip header
    ],
)
def test_binary_junk_line(tmp_path: Path, junk: bytes) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), junk, good(3)])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r3"]
    assert rejects(results) == [Reject(str(path), "line 2", "line is not text (binary data)")]


@pytest.mark.parametrize("name", ["in.jsonl", "in.csv", "in.eml", "in.mbox"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert read(path) == [Reject(str(path), "file", "file is empty")]


def test_ten_megabyte_body_is_rejected_neighbours_fine(tmp_path: Path) -> None:
    big = good(2, body="x" * (10 * 1024 * 1024))
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), big, good(3)])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r3"]
    size = len(path.read_bytes().splitlines(keepends=True)[1])
    assert rejects(results) == [  # not read whole: longer than any record within the body limit can be
        Reject(str(path), "line 2", f"record too large: {size} bytes on one line (limit 2272576, from the body "
                                    "limit of 100000 characters)")
    ]


def test_a_body_just_over_the_limit_is_rejected_with_its_id(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1, body="y" * 100_001)])
    assert rejects(read(path)) == [
        Reject(str(path), "line 1", "body too large: 100001 characters (limit 100000)", "r1")
    ]


def test_subject_too_large(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), good(2, subject="s" * 2001), good(3)])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r3"]
    assert rejects(results) == [
        Reject(str(path), "line 2", "subject too large: 2001 characters (limit 2000)", "r2")
    ]


def test_limits_are_configurable(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1, body="short"), good(2, body="a bit longer body")])
    results = read(path, max_body_chars=10)
    assert [r.id for r in interactions(results)] == ["r1"]
    assert rejects(results)[0].reason == "body too large: 17 characters (limit 10)"


def test_file_too_large(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), good(2)])
    size = path.stat().st_size
    assert read(path, max_file_bytes=100) == [
        Reject(str(path), "file", f"file too large: {size} bytes (limit 100)")
    ]


def test_jsonl_html_body_is_converted(tmp_path: Path) -> None:
    html = (
        "<html><head><style>p {color: red}</style><script>track()</script></head>"
        "<body><p>Hello <b>support</b>,</p><p>My <a href='#'>order</a> is late.</p>"
        "<div><br></div><div><br></div><p>Jane</p></body></html>"
    )
    record = {"id": "h1", "from": "jane@example.com", "html": html}
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), record, good(3)])
    results = read(path)
    assert [type(r) for r in results] == [Interaction] * 3
    converted = results[1]
    assert converted.body == "Hello support,\nMy order is late.\n\nJane"
    assert converted.metadata["html_converted"] is True


def test_missing_sender(tmp_path: Path) -> None:
    record = {"id": "r2", "from_name": "Anon", "body": "Who am I?"}
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), record, good(3), {"from": "", "body": "x"}])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r3"]
    assert rejects(results) == [
        Reject(str(path), "line 2", "missing sender: set `from` or `sender_email`", "r2"),
        Reject(str(path), "line 4", "missing sender: set `from` or `sender_email`"),
    ]


def test_invalid_sender_email(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), good(2, **{"from": "xyz"}), good(3)])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r3"]
    assert rejects(results) == [Reject(str(path), "line 2", "`from` has no address (no name@domain): write it as "
                                                            '"Name <address>" or a bare address', "r2")]


def test_unknown_channel(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), good(2, channel="fax"), good(3, channel="chat")])
    results = read(path)
    assert [(r.id, r.channel) for r in interactions(results)] == [("r1", "email"), ("r3", "chat")]
    assert rejects(results) == [
        Reject(str(path), "line 2", f"field `channel`: unknown channel (expected one of: {CHANNELS})", "r2")
    ]


def test_no_text_at_all_is_rejected_but_a_subject_alone_is_a_message(tmp_path: Path) -> None:
    only_quote = good(2, body="> just a quote\n> of an older mail\n", subject="")
    subject_only = good(4, body="", subject="Please resend last month's bill")
    path = write_jsonl(tmp_path / "in.jsonl", [good(1), only_quote, good(3, body="   ", subject=" "), subject_only])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["r1", "r4"]
    assert interactions(results)[1].subject == "Please resend last month's bill"
    no_text = "no text: the subject and the body are both empty"
    assert rejects(results) == [Reject(str(path), "line 2", no_text, "r2"), Reject(str(path), "line 3", no_text, "r3")]


def test_transcript_becomes_body(tmp_path: Path) -> None:
    chat = {
        "id": "c1",
        "channel": "chat",
        "from": "jane@example.com",
        "transcript": [
            {"speaker": "customer", "text": "My router is broken."},
            {"speaker": "agent", "text": "Have you tried turning it off?"},
            {"speaker": "customer", "text": "Yes, twice."},
        ],
    }
    bad = {"id": "c2", "channel": "call", "from": "jane@example.com", "transcript": "nope"}
    path = write_jsonl(tmp_path / "in.jsonl", [chat, bad, good(3)])
    results = read(path)
    assert [r.id for r in interactions(results)] == ["c1", "r3"]
    assert results[0].body == (
        "customer: My router is broken.\nagent: Have you tried turning it off?\ncustomer: Yes, twice."
    )
    assert results[0].metadata["customer_text"] == "My router is broken.\nYes, twice."
    assert rejects(results) == [
        Reject(
            str(path), "line 2",
            "field `transcript` must be a list of {speaker, text} objects, got str", "c2",
        )
    ]


def test_content_hash_is_stable_across_reads(tmp_path: Path) -> None:
    records = [{"from": "a@example.com", "subject": "Hi", "body": "Same text"},
               {"from": "a@example.com", "subject": "Hi", "body": "Other text"}]
    path = write_jsonl(tmp_path / "in.jsonl", records)
    first = [r.id for r in read(path)]
    second = [r.id for r in read(path)]
    assert first == second
    assert first[0] != first[1]
    assert all(i.startswith("sha256:") and len(i) == len("sha256:") + 24 for i in first)
    # Same content in another file gets the same id.
    other = write_jsonl(tmp_path / "copy.jsonl", [records[0]])
    assert [r.id for r in read(other)] == first[:1]


# --- CSV ----------------------------------------------------------------------------


def test_csv_extra_columns_and_missing_sender_row(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "id,from,subject,body,channel,received_at,account_tier,region\n"
        'c1,Jane <jane@example.com>,Refund,"I want a refund,\nplease.",email,2024-01-02T03:04:05+02:00,gold,EU\n'
        "c2,,No sender,Hello,web_form,,silver,US\n"
        "c3,bob@example.com,Hi,Thanks for the help,chat,,,\n",
        encoding="utf-8",
    )
    results = read(path)
    assert [r.id for r in interactions(results)] == ["c1", "c3"]
    first, third = interactions(results)
    assert first.position == "line 2" and third.position == "line 5"
    assert first.body == "I want a refund,\nplease."
    assert first.received_at == "2024-01-02T01:04:05+00:00"
    assert first.metadata["extra_fields"] == {"account_tier": "gold", "region": "EU"}
    assert "extra_fields" not in third.metadata
    assert rejects(results) == [
        Reject(str(path), "line 4", "missing sender: set `from` or `sender_email`", "c2")
    ]


def test_csv_bad_rows_do_not_stop_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(
        b"id,sender_email,body\n"
        b"1,a@example.com,first\n"
        b"2,b@example.com,too,many\n"
        b"\x00\x01\x02\x03binary\x00\n"
        b"4,c@example.com,caf\xe9 cr\xe8me br\xfbl\xe9e tr\xe8s bien\n"
        b"5,d@example.com,last,\n"
    )
    results = read(path)
    assert [r.body for r in interactions(results)] == ["first", "café crème brûlée très bien", "last"]
    assert interactions(results)[1].metadata["encoding_repaired"] is True
    assert rejects(results) == [
        Reject(str(path), "line 3", "row has 4 fields but the header has 3", "2"),
        Reject(str(path), "line 4", "line is not text (binary data)"),
    ]


def test_csv_semicolons_and_old_mac_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"from;subject;body\ra@example.com;Hi;one\r;;\rb@example.com;Yo;two\r")
    results = read(path)
    assert [(r.position, r.body) for r in interactions(results)] == [("line 2", "one"), ("line 4", "two")]
    assert rejects(results) == []


def test_csv_stray_carriage_return(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(b"from,body\r\na@example.com,one\r\nb@example.com,t\rwo\r\nc@example.com,three\r\n")
    results = read(path)
    assert [r.body for r in interactions(results)] == ["one", "three"]
    assert rejects(results) == [
        Reject(
            str(path), "line 3",
            "cannot parse CSV row: a carriage return (\\r) inside an unquoted field; quote the field or remove it",
        )
    ]


def test_csv_header_without_sender_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("name,body\nJane,hello\n", encoding="utf-8")
    assert read(path) == [
        Reject(str(path), "line 1", "CSV header has no sender column: add a `from` or `sender_email` column")
    ]


# --- email: .eml ----------------------------------------------------------------------


def test_message_id_is_used_as_id(tmp_path: Path) -> None:
    msg = make_mail(message_id="<abc-123@mail.example.com>", List_Unsubscribe="<mailto:u@x.com>")
    path = write_eml(tmp_path / "one.eml", msg)
    [result] = read(path)
    assert isinstance(result, Interaction)
    assert result.id == "abc-123@mail.example.com"
    assert (result.sender_email, result.sender_name) == ("jane@example.com", "Jane Doe")
    assert result.subject == "Order question" and result.body == "Where is my order?"
    assert result.received_at == "2024-01-01T09:00:00+00:00"
    assert result.position == "file" and result.channel == "email"
    assert result.metadata["to"] == "support@shop.example"
    assert result.metadata["has_attachments"] is False
    assert result.metadata["headers"] == {"List-Unsubscribe": "<mailto:u@x.com>"}


def test_eml_without_message_id_gets_stable_hash(tmp_path: Path) -> None:
    path = write_eml(tmp_path / "one.eml", make_mail())
    [first] = read(path)
    [second] = read(path)
    assert first.id == second.id and first.id.startswith("sha256:")


def test_html_only_eml(tmp_path: Path) -> None:
    html = (
        "<html><head><style>.x{}</style></head><body><script>evil()</script>"
        "<p>Hi there,</p><p>The <b>blue</b> shirt is too small.</p>"
        "<blockquote>On Monday you wrote: hello</blockquote></body></html>"
    )
    path = write_eml(tmp_path / "html.eml", make_mail(body="", html=html, message_id="<h@x>"))
    [result] = read(path)
    assert isinstance(result, Interaction)
    assert result.body == "Hi there,\nThe blue shirt is too small."
    assert result.metadata["html_converted"] is True
    assert result.metadata["quoted_chars"] > 0


def test_eml_prefers_text_plain_and_flags_attachments(tmp_path: Path) -> None:
    msg = make_mail(body="Plain version", html="<p>HTML version</p>")
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="invoice.pdf")
    [result] = read(write_eml(tmp_path / "alt.eml", msg))
    assert result.body == "Plain version"
    assert result.metadata["has_attachments"] is True
    assert result.metadata["attachments"] == [{"name": "invoice.pdf", "type": "application/pdf", "size": 8}]


def test_attachments_names_types_and_sizes_though_their_bulk_is_skipped(tmp_path: Path) -> None:
    msg = make_mail(body="See the files.", message_id="<att@x>")
    msg.add_attachment(os.urandom(300_001), maintype="image", subtype="jpeg", filename="pallet 1.jpg")
    msg.add_attachment("qty;sku\n" * 5_000, subtype="csv", filename="order.csv")
    msg.add_attachment(b"\x00" * 10, maintype="application", subtype="octet-stream")
    [result] = read(write_eml(tmp_path / "att.eml", msg))
    assert isinstance(result, Interaction)
    assert result.metadata["attachments"] == [
        {"name": "pallet 1.jpg", "type": "image/jpeg", "size": 300_001},
        {"name": "order.csv", "type": "text/csv", "size": len("qty;sku\n" * 5_000)},
        {"name": "(unnamed)", "type": "application/octet-stream", "size": 10},
    ]


def test_a_folder_of_eml_files_is_read_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "exported"
    folder.mkdir()
    write_eml(folder / "b.eml", make_mail(body="Second", message_id="<b@x>"))
    write_eml(folder / "a.EML", make_mail(body="First", message_id="<a@x>"))
    (folder / "notes.txt").write_text("not mail", encoding="utf-8")
    (folder / "empty.eml").write_bytes(b"")
    first, second, empty = read(folder)
    assert isinstance(first, Interaction) and (first.id, first.body, first.position) == ("a@x", "First", "a.EML")
    assert first.source == str(folder)
    assert empty == Reject(str(folder), "empty.eml", "file is empty")
    assert isinstance(second, Interaction) and second.id == "b@x"


def test_iso_8859_1_eml_decodes(tmp_path: Path) -> None:
    raw = (
        b"From: =?iso-8859-1?q?J=F6rg_M=FCller?= <joerg@example.de>\r\n"
        b"Subject: =?iso-8859-1?q?Gr=FC=DFe?=\r\n"
        b"Date: Tue, 02 Jan 2024 08:00:00 +0000\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b"Sch\xf6ne Gr\xfc\xdfe, die Rechnung ist falsch.\r\n"
    )
    path = tmp_path / "latin.eml"
    path.write_bytes(raw)
    [result] = read(path)
    assert isinstance(result, Interaction)
    assert result.body == "Schöne Grüße, die Rechnung ist falsch."
    assert (result.sender_name, result.subject) == ("Jörg Müller", "Grüße")
    assert "encoding_repaired" not in result.metadata


def test_eml_with_wrong_charset_is_repaired(tmp_path: Path) -> None:
    raw = (
        b"From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"Caf\xe9 cr\xe8me br\xfbl\xe9e, tr\xe8s bien\r\n"
    )
    path = tmp_path / "wrong.eml"
    path.write_bytes(raw)
    [result] = read(path)
    assert result.body == "Café crème brûlée, très bien"
    assert result.metadata["encoding_repaired"] is True


def test_eml_unparsable_date(tmp_path: Path) -> None:
    # EmailMessage refuses to write a bad Date, so write the header by hand.
    path = tmp_path / "d.eml"
    path.write_bytes(b"Date: sometime last week\r\n" + make_mail(date=None).as_bytes())
    [result] = read(path)
    assert result.received_at == ""
    assert result.metadata["date_unparsed"] == "sometime last week"


def test_eml_without_from(tmp_path: Path) -> None:
    path = write_eml(tmp_path / "nofrom.eml", make_mail(sender=None, message_id="<nf@x>"))
    assert read(path) == [Reject(str(path), "file", "message has no From header", "nf@x")]


# --- email: mbox and Maildir -----------------------------------------------------------


def write_mbox(path: Path, messages: list[EmailMessage]) -> Path:
    box = mailbox.mbox(str(path))
    for msg in messages:
        box.add(msg)
    box.flush()
    box.close()
    return path


def test_mbox_with_message_missing_from(tmp_path: Path) -> None:
    path = write_mbox(
        tmp_path / "box.mbox",
        [
            make_mail(message_id="<m1@x>", body="First"),
            make_mail(sender=None, message_id="<m2@x>", body="Second"),
            make_mail(sender="carl@example.com", message_id="<m3@x>", body="Third"),
        ],
    )
    results = read(path)
    assert [(r.id, r.position, r.body) for r in interactions(results)] == [
        ("m1@x", "message 1", "First"),
        ("m3@x", "message 3", "Third"),
    ]
    assert rejects(results) == [Reject(str(path), "message 2", "message has no From header", "m2@x")]


def test_mbox_streams_one_message_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_mbox(tmp_path / "box.mbox", [make_mail(body=f"Body {n}") for n in range(5)])
    fetched: list[str] = []
    original = mailbox.mbox.get_file

    def spy(self: mailbox.mbox, key: str, *args: Any) -> Any:
        fetched.append(key)
        return original(self, key, *args)

    monkeypatch.setattr(mailbox.mbox, "get_file", spy)
    monkeypatch.setattr(mailbox.mbox, "get_bytes", lambda *a: pytest.fail("reads whole messages"))
    monkeypatch.setattr(mailbox.mbox, "get_message", lambda *a: pytest.fail("loads whole messages"))
    stream = read_interactions(path)
    assert next(stream).body == "Body 0"
    assert len(fetched) == 1
    assert [r.body for r in stream] == [f"Body {n}" for n in range(1, 5)]


def test_file_starting_with_from_line_is_mbox(tmp_path: Path) -> None:
    path = write_mbox(tmp_path / "archive", [make_mail(message_id="<a@x>")])
    [result] = read(path)
    assert isinstance(result, Interaction) and result.id == "a@x"


def test_maildir_with_two_messages(tmp_path: Path) -> None:
    box = mailbox.Maildir(str(tmp_path / "Mail"), create=True)
    key_one = box.add(make_mail(message_id="<d1@x>", body="One"))
    key_two = box.add(make_mail(sender="Bob <bob@example.com>", message_id="<d2@x>", body="Two"))
    results = read(tmp_path / "Mail")
    assert sorted((r.id, r.position, r.body) for r in results) == sorted(
        [("d1@x", key_one, "One"), ("d2@x", key_two, "Two")]
    )
    assert all(isinstance(r, Interaction) for r in results)


# --- body clean-up ---------------------------------------------------------------------


def test_split_reply_on_wrote_style() -> None:
    text = (
        "Hi,\r\n\r\nThe parcel never arrived.   \r\n\r\n"
        "On Mon, Jan 1, 2024 at 10:00 AM Bob <b@x.com> wrote:\r\n"
        "> Your parcel is on its way.\r\n> Bob\r\n"
    )
    new, quoted, signature = split_reply(text)
    assert new == "Hi,\n\nThe parcel never arrived."
    assert quoted == (
        "On Mon, Jan 1, 2024 at 10:00 AM Bob <b@x.com> wrote:\n> Your parcel is on its way.\n> Bob"
    )
    assert signature == ""


def test_split_reply_wrapped_wrote_line_and_outlook_block() -> None:
    wrapped = "Yes please.\n\nOn Mon, Jan 1, 2024 at 10:00 AM Bob Builder <\nbob@x.com> wrote:\n> ok?"
    assert split_reply(wrapped)[0] == "Yes please."
    outlook = "Fine.\n\n-----Original Message-----\nFrom: Bob\nSent: Monday\nSubject: x\n\nold text"
    assert split_reply(outlook) == ("Fine.", "-----Original Message-----\nFrom: Bob\nSent: Monday\nSubject: x\n\nold text", "")
    block = "Fine.\n\nFrom: Bob <b@x.com>\nSent: Monday, January 1, 2024 10:00\nTo: me\n\nold"
    assert split_reply(block)[0] == "Fine."
    # Prose that merely starts with "On" and ends with "wrote:" is not a reply header.
    prose = "On second thought, here is what my colleague wrote:\nPlease cancel."
    assert split_reply(prose) == (prose, "", "")


def test_split_reply_dash_dash_signature() -> None:
    new, quoted, signature = split_reply("Please call me back.\n\n-- \nJane Doe\nACME Corp\n+1 555 0100\n")
    assert (new, quoted, signature) == ("Please call me back.", "", "Jane Doe\nACME Corp\n+1 555 0100")
    assert split_reply("Text\n--\nSig")[2] == "Sig"


def test_split_reply_sign_off_signature() -> None:
    new, _, signature = split_reply("Thanks, the fix works.\n\nBest regards,\nJane Doe\nACME Corp\n")
    assert new == "Thanks, the fix works."
    assert signature == "Best regards,\nJane Doe\nACME Corp"
    # A sign-off followed by a long text is not a signature.
    long_tail = "Intro\nRegards,\n" + "\n".join(f"line {n}" for n in range(8))
    assert split_reply(long_tail) == (long_tail, "", "")
    # A message that is only a sign-off keeps its text.
    assert split_reply("Thanks,\nJane") == ("Thanks,\nJane", "", "")


def test_reader_applies_clean_up(tmp_path: Path) -> None:
    body = (
        "I still have no refund.\n\nKind regards,\nJane\n\n"
        "On Mon, Jan 1, 2024 at 10:00 AM Bob <b@x.com> wrote:\n> We sent it.\n"
    )
    path = write_eml(tmp_path / "reply.eml", make_mail(body=body, In_Reply_To="<orig@x>"))
    [result] = read(path)
    assert result.body == "I still have no refund."
    assert result.signature == "Kind regards,\nJane"
    assert result.metadata["quoted_chars"] == len(
        "On Mon, Jan 1, 2024 at 10:00 AM Bob <b@x.com> wrote:\n> We sent it."
    )
    assert result.metadata["in_reply_to"] == "orig@x"


def test_html_to_text_drops_scripts_and_collapses_blank_lines() -> None:
    html = "<div>A</div><script>x()</script><div><br></div><div><br></div><div>B&nbsp;C</div>"
    assert html_to_text(html) == "A\n\nB C"


# --- file-level problems ---------------------------------------------------------------


def test_unknown_file_extension(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello\n", encoding="utf-8")
    assert read(path) == [
        Reject(str(path), "file", f"unsupported file type (extension '.txt'); supported: {SUPPORTED_FORMATS}")
    ]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"
    assert read(path) == [Reject(str(path), "file", "file not found")]


@pytest.mark.parametrize("name", ["in.jsonl", "in.csv"])
def test_utf16_text_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes("from,body\na@example.com,hi\n".encode("utf-16"))
    assert read(path) == [Reject(str(path), "file", "file is UTF-16 encoded: save it as UTF-8")]


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jsonl(tmp_path / "locked.jsonl", [good(1)])
    real_open = Path.open

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    assert read(path) == [Reject(str(path), "file", "cannot read file: Permission denied")]


def test_directory_that_is_not_a_maildir(tmp_path: Path) -> None:
    (tmp_path / "stuff").mkdir()
    (tmp_path / "stuff" / "a.jsonl").write_text(json.dumps(good(1)) + "\n", encoding="utf-8")
    assert read(tmp_path / "stuff") == [
        Reject(
            str(tmp_path / "stuff"),
            "file",
            f"is a directory with no .eml files, not a Maildir (no cur/ and new/ subfolders); "
            f"supported: {SUPPORTED_FORMATS}",
        )
    ]


def test_incomplete_maildir(tmp_path: Path) -> None:
    (tmp_path / "md" / "new").mkdir(parents=True)
    assert read(tmp_path / "md") == [
        Reject(
            str(tmp_path / "md"),
            "file",
            "incomplete Maildir: cur/ subfolder is missing (a Maildir needs cur/ and new/)",
        )
    ]

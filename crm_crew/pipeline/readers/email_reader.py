"""Email readers: a single .eml file, an mbox file and a Maildir directory."""

from __future__ import annotations

import mailbox
from datetime import timezone
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterator, cast

from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers.addresses import parse_from
from crm_crew.pipeline.readers.common import (
    Draft,
    Limits,
    RecordError,
    check_body_size,
    finish,
    guess_decode,
    to_reject,
)
from crm_crew.pipeline.readers.mime_stream import slim_message
from crm_crew.pipeline.readers.text import html_to_text

# Headers worth keeping for triage (auto-replies, newsletters, mailing lists).
HEADERS_OF_INTEREST: tuple[str, ...] = (
    "List-Unsubscribe",
    "List-Id",
    "Auto-Submitted",
    "Precedence",
    "X-Auto-Response-Suppress",
    "X-Autoreply",
    "X-Autorespond",
    "Return-Path",
    "Content-Type",
    "X-Failed-Recipients",
)

_PARSER = BytesParser(policy=policy.default)


def _repair_surrogates(text: str) -> str:
    """Raw 8-bit bytes in headers arrive as surrogate escapes; decode them properly."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("utf-8", errors="surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        guessed = guess_decode(raw)
        return guessed[0] if guessed else raw.decode("utf-8", errors="replace")


def _raw_header(msg: Message, name: str) -> str | None:
    """The header's value as it appears in the message (unfolded), before parsing."""
    for raw_name, raw_value in msg.raw_items():
        if raw_name.lower() == name.lower():
            return " ".join(str(raw_value).split())
    return None


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    text = str(value)
    if "\ufffd" in text:
        # Undeclared 8-bit bytes: the parsed value lost them, the raw value still has them.
        raw = _raw_header(msg, name)
        if raw is not None and any("\udc80" <= ch <= "\udcff" for ch in raw):
            text = raw
    return _repair_surrogates(text).strip()


def decode_part(part: Message) -> tuple[str, dict[str, Any]]:
    """Text of a leaf part in its declared charset, else a guess; notes for metadata."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset()
    notes: dict[str, Any] = {}
    if charset:
        try:
            return data.decode(charset), notes
        except LookupError:
            notes["declared_charset_unknown"] = charset
        except UnicodeDecodeError:
            notes["declared_charset_mismatch"] = charset
    else:
        try:
            return data.decode("utf-8"), notes
        except UnicodeDecodeError:
            pass
    notes["encoding_repaired"] = True
    guessed = guess_decode(data)
    if guessed is not None:
        notes["encoding"] = guessed[1]
        return guessed[0], notes
    notes["encoding"] = "utf-8 (replaced)"
    return data.decode("utf-8", errors="replace"), notes


def _body(msg: EmailMessage) -> tuple[str, dict[str, Any]]:
    """The message text: the text/plain part, else the text/html part converted."""
    plain = msg.get_body(preferencelist=("plain",))
    if plain is not None:
        text, notes = decode_part(plain)
        if text.strip():
            return text, notes
    html_part = msg.get_body(preferencelist=("html",))
    if html_part is not None:
        html, notes = decode_part(html_part)
        return html, {**notes, "html": True}
    return "", {}


def _attachments(msg: Message) -> list[str]:
    names: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        if part.get_content_disposition() == "attachment" or filename:
            names.append(_repair_surrogates(filename or "(unnamed)"))
    return names


def _received_at(msg: Message, meta: dict[str, Any]) -> str:
    # The parsed Date header is empty when unparsable: read the raw value.
    raw = _repair_surrogates(_raw_header(msg, "Date") or "").strip()
    if not raw:
        return ""
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        meta["date_unparsed"] = raw
        return ""
    if parsed.tzinfo is None:  # "-0000": UTC by RFC 5322
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


def _sender(msg: Message) -> tuple[str, str]:
    """(address, display name) of the one From header, parsed strictly from its raw value (the parsed
    header object renders `victim@x <attacker@evil>` as the victim's address)."""
    raw = [_repair_surrogates(" ".join(str(v).split())) for k, v in msg.raw_items() if k.lower() == "from"]
    if not raw or not raw[0].strip():
        raise RecordError("message has no From header")
    if len(raw) > 1:
        raise RecordError(f"message has {len(raw)} From headers: a message has one sender")
    return parse_from(raw[0], "the From header")


def message_id(msg: Message) -> str:
    return _header(msg, "Message-ID").strip().strip("<>").strip()


def message_to_interaction(
    msg: EmailMessage, limits: Limits, *, source: str, position: str
) -> Interaction:
    """Build the Interaction of one parsed message; raises RecordError with the reason."""
    mid = message_id(msg)
    try:
        sender_email, sender_name = _sender(msg)
        meta: dict[str, Any] = {
            "to": _header(msg, "To"),
            "cc": _header(msg, "Cc"),
            "in_reply_to": _header(msg, "In-Reply-To").strip("<>"),
        }
        reply_to = _header(msg, "Reply-To")
        if reply_to:
            meta["reply_to"] = reply_to
        attachments = _attachments(msg)
        meta["has_attachments"] = bool(attachments)
        if attachments:
            meta["attachments"] = attachments
        headers = {name: _header(msg, name) for name in HEADERS_OF_INTEREST if msg.get(name) is not None}
        if not headers.get("Content-Type", "").lower().startswith("multipart/report"):
            headers.pop("Content-Type", None)       # only a delivery report's type says something
        if headers:
            meta["headers"] = headers
        received_at = _received_at(msg, meta)
        text, notes = _body(msg)
        check_body_size(text, limits)
        if notes.pop("html", False):
            text = html_to_text(text)
            meta["html_converted"] = True
        meta.update(notes)
        draft = Draft(
            sender_email=sender_email,
            sender_name=sender_name,
            subject=_header(msg, "Subject"),
            body=text,
            channel="email",
            received_at=received_at,
            id=mid,
            metadata=meta,
        )
        return finish(draft, limits, source=source, position=position)
    except RecordError as error:
        error.interaction_id = error.interaction_id or mid or None
        raise


def _convert(data: bytes, limits: Limits, *, source: str, position: str) -> Interaction | Reject:
    """Parse raw message bytes and convert them; every failure becomes a Reject."""
    try:
        msg = _PARSER.parsebytes(data)
    except Exception as error:  # noqa: BLE001 - the parser may raise on pathological input
        return Reject(source, position, f"cannot parse message ({type(error).__name__})")
    try:
        return message_to_interaction(cast(EmailMessage, msg), limits, source=source, position=position)
    except RecordError as error:
        return to_reject(error, source=source, position=position)
    except Exception as error:  # noqa: BLE001 - malformed headers can raise deep in email
        mid = None
        try:
            mid = message_id(msg) or None
        except Exception:  # noqa: BLE001
            pass
        return Reject(source, position, f"cannot parse message: malformed headers ({type(error).__name__})", mid)


def _slim(handle: BinaryIO, limits: Limits, *, source: str, position: str) -> Interaction | Reject:
    """Stream one message past its attachments' bulk (see mime_stream), then convert it."""
    try:
        data = slim_message(handle, limits)
    except RecordError as error:
        return to_reject(error, source=source, position=position)
    return _convert(data, limits, source=source, position=position)


def read_eml(path: Path, limits: Limits) -> Iterator[Interaction | Reject]:
    with path.open("rb") as handle:
        yield _slim(handle, limits, source=str(path), position="file")


def read_mbox(path: Path, limits: Limits) -> Iterator[Interaction | Reject]:
    """Messages of an mbox file, fetched one at a time (only their offsets are indexed)."""
    source = str(path)
    with path.open("rb") as handle:
        if handle.read(5) != b"From ":
            yield Reject(source, "file", "not an mbox file: it must start with a 'From ' line")
            return
    box = mailbox.mbox(str(path), create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            position = f"message {number}"
            try:
                with box.get_file(key) as handle:
                    converted = _slim(handle, limits, source=source, position=position)
            except Exception as error:  # noqa: BLE001
                yield Reject(source, position, f"cannot parse message: {error}")
                continue
            yield converted
    finally:
        box.close()


def read_maildir(path: Path, limits: Limits) -> Iterator[Interaction | Reject]:
    """Messages of a Maildir (new/ and cur/), in key order, one file at a time."""
    source = str(path)
    box = mailbox.Maildir(str(path), factory=None, create=False)
    try:
        keys = sorted(box.iterkeys())
    except OSError as error:
        yield Reject(source, "file", f"cannot read Maildir: {error}")
        return
    for key in keys:
        try:
            with box.get_file(key) as handle:
                handle.seek(0, 2)
                size = handle.tell()
                if size > limits.max_file_bytes:
                    yield Reject(
                        source, key, f"message too large: {size} bytes (limit {limits.max_file_bytes})"
                    )
                    continue
                handle.seek(0)
                converted = _slim(handle, limits, source=source, position=key)
        except (OSError, KeyError) as error:
            yield Reject(source, key, f"cannot read message: {error}")
            continue
        yield converted

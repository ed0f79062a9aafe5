"""Email readers: a single .eml file, an mbox file and a Maildir directory."""

from __future__ import annotations

import io
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
from crm_crew.pipeline.readers.mime_stream import PartSize, slim_message_parts
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


MAX_THREAD_HEADER = 2000      # characters of Message-ID / References kept for threading a reply
MAX_ATTACHMENT_NAME = 200      # characters of an attachment's name kept in the metadata
MAX_ATTACHMENTS = 100          # attachments listed (all are counted)


def _document_order(part: Message) -> Iterator[Message]:
    """The message and its parts in the order they stand in it, as mime_stream counts them: a forwarded
    message (message/*) is one part, not opened."""
    yield part
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        for sub in part.get_payload():
            if isinstance(sub, Message):
                yield from _document_order(sub)


def _attachment_name(part: Message) -> str:
    try:
        filename = part.get_filename()
    except Exception:  # noqa: BLE001 - a malformed RFC 2231 name
        filename = None
    if not filename:
        return "(forwarded message)" if part.get_content_maintype() == "message" else "(unnamed)"
    name = " ".join(_repair_surrogates(filename).split())
    return "".join(ch for ch in name if ch.isprintable())[:MAX_ATTACHMENT_NAME] or "(unnamed)"


def _part_size(part: Message, measured: PartSize | None) -> int:
    if measured is not None:
        return measured.size
    inner = part.get_payload(0) if part.get_content_maintype() == "message" and part.is_multipart() else None
    if isinstance(inner, Message):
        return len(inner.as_bytes())
    payload = part.get_payload(decode=True)
    return len(payload) if isinstance(payload, bytes) else len(str(part.get_payload()))


def _attachments(msg: Message, sizes: list[PartSize] | None) -> tuple[int, list[dict[str, Any]]]:
    """(how many, the first MAX_ATTACHMENTS as {name, type, size}): parts with a file name or marked as
    attachments, and forwarded messages. `sizes` (from mime_stream, in document order) holds the sizes of
    parts whose bulk was not kept; without it a part is measured as parsed."""
    found: list[dict[str, Any]] = []
    count = 0
    for index, part in enumerate(_document_order(msg)):
        if part is msg or part.get_content_maintype() == "multipart":
            continue
        named = part.get_content_disposition() == "attachment" or part.get_param("filename", header="content-disposition")
        if not (named or part.get_param("name") or part.get_content_maintype() == "message"):
            continue
        count += 1
        if len(found) < MAX_ATTACHMENTS:
            measured = sizes[index] if sizes is not None and index < len(sizes) else None
            if measured is not None and measured.content_type != part.get_content_type():
                measured = None       # the stream and the parser disagree on the MIME tree: trust neither size
            found.append({"name": _attachment_name(part), "type": part.get_content_type(),
                          "size": _part_size(part, measured) if measured is not None or sizes is None else None})
    return count, found


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
    msg: EmailMessage, limits: Limits, *, source: str, position: str, sizes: list[PartSize] | None = None
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
        if mid:
            meta["message_id"] = mid[:MAX_THREAD_HEADER]            # a reply's In-Reply-To
        references = " ".join(_header(msg, "References").split())
        if references:
            meta["references"] = references[-MAX_THREAD_HEADER:]    # a reply's References: the newest kept
        count, attachments = _attachments(msg, sizes)
        meta["has_attachments"] = bool(count)
        if attachments:
            meta["attachments"] = attachments
        if count > len(attachments):
            meta["attachments_count"] = count
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


def _convert(data: bytes, limits: Limits, *, source: str, position: str,
             sizes: list[PartSize] | None = None) -> Interaction | Reject:
    """Parse raw message bytes and convert them; every failure becomes a Reject."""
    try:
        msg = _PARSER.parsebytes(data)
    except Exception as error:  # noqa: BLE001 - the parser may raise on pathological input
        return Reject(source, position, f"cannot parse message ({type(error).__name__})")
    try:
        return message_to_interaction(cast(EmailMessage, msg), limits, source=source, position=position,
                                      sizes=sizes)
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
        data, sizes = slim_message_parts(handle, limits)
    except RecordError as error:
        return to_reject(error, source=source, position=position)
    return _convert(data, limits, source=source, position=position, sizes=sizes)


def read_message(data: bytes, limits: Limits, *, source: str, position: str) -> Interaction | Reject:
    """One message's bytes (fetched over IMAP) as the file readers read a message."""
    return _slim(io.BytesIO(data), limits, source=source, position=position)


def read_eml(path: Path, limits: Limits) -> Iterator[Interaction | Reject]:
    with path.open("rb") as handle:
        yield _slim(handle, limits, source=str(path), position="file")


def eml_files(path: Path) -> list[Path]:
    """The .eml files directly in a folder, by name (sub-folders and other files are not read)."""
    return sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml" and p.is_file())


def read_eml_folder(path: Path, limits: Limits) -> Iterator[Interaction | Reject]:
    """Each .eml file of a folder, by name; a file over the size limit or unreadable is one reject."""
    source = str(path)
    try:
        files = eml_files(path)
    except OSError as error:
        yield Reject(source, "file", f"cannot read folder: {error.strerror or error}")
        return
    for file in files:
        try:
            size = file.stat().st_size
            if size > limits.max_file_bytes:
                yield Reject(source, file.name, f"message too large: {size} bytes (limit {limits.max_file_bytes})")
                continue
            if size == 0:
                yield Reject(source, file.name, "file is empty")
                continue
            with file.open("rb") as handle:
                converted = _slim(handle, limits, source=source, position=file.name)
        except OSError as error:
            yield Reject(source, file.name, f"cannot read message: {error.strerror or error}")
            continue
        yield converted


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

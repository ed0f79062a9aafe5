"""Shared pieces of the readers: limits, validation, decoding, ids and record assembly."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, BinaryIO, Iterator

from charset_normalizer import from_bytes

from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers.text import split_reply

CHANNELS: tuple[str, ...] = ("email", "web_form", "chat", "call", "ticket", "other")

# When a short text fits several single-byte code pages equally well, these win
# (in this order): they are by far the most common legacy encodings in CRM data.
_PREFERRED_ENCODINGS: tuple[str, ...] = ("cp1252", "iso8859_15", "latin_1", "cp1250", "cp1251")


@dataclass(frozen=True)
class Limits:
    max_body_chars: int = 100_000
    max_subject_chars: int = 2_000
    max_file_bytes: int = 100 * 1024 * 1024

    @property
    def max_record_bytes(self) -> int:
        """The most bytes one record (a JSON line, an email's text) may take in its file: 12 bytes a
        character of body and subject (JSON escapes of astral characters) and 1 MiB for the rest.
        Longer ones are rejected without being read whole."""
        return 12 * (self.max_body_chars + self.max_subject_chars) + 1024 * 1024


class RecordError(Exception):
    """One record cannot become an Interaction; carries the reject reason."""

    def __init__(self, reason: str, interaction_id: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.interaction_id = interaction_id


@dataclass
class Draft:
    """The fields of a record before its body is cleaned and its id settled."""

    sender_email: str
    sender_name: str = ""
    subject: str = ""
    body: str = ""
    channel: str = "email"
    received_at: str = ""
    id: str = ""
    extra_body: str = ""            # appended after clean-up (chat/call transcripts)
    metadata: dict[str, Any] = field(default_factory=dict)


# --- validation ---------------------------------------------------------------------


def check_channel(value: Any) -> str:
    channel = value.strip().lower() if isinstance(value, str) else value
    if channel not in CHANNELS:
        raise RecordError(f"field `channel`: unknown channel (expected one of: {', '.join(CHANNELS)})")
    return str(channel)


def check_subject(subject: str, limits: Limits) -> str:
    subject = " ".join(subject.split())
    if len(subject) > limits.max_subject_chars:
        raise RecordError(
            f"subject too large: {len(subject)} characters (limit {limits.max_subject_chars})"
        )
    return subject


def check_body_size(body: str, limits: Limits) -> None:
    if len(body) > limits.max_body_chars:
        raise RecordError(f"body too large: {len(body)} characters (limit {limits.max_body_chars})")


def iso_timestamp(value: str) -> str | None:
    """An ISO 8601 timestamp normalized to UTC when it has an offset; None if unparsable."""
    text = value.strip()
    if not text:
        return ""
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.isoformat()
    return parsed.astimezone(timezone.utc).isoformat()


# --- lines of text files ---------------------------------------------------------------

_LONE_CR = re.compile(rb"\r(?!\n)")
_UTF16_BOMS: tuple[bytes, ...] = (b"\xff\xfe", b"\xfe\xff")
UTF16_REASON = "file is UTF-16 encoded: save it as UTF-8"


def iter_raw_lines(handle: BinaryIO, max_line_bytes: int) -> Iterator[tuple[int, bytes | int]]:
    """(line number, bytes with their line ending) one at a time; for a line longer than
    `max_line_bytes`, its size instead (it is skipped, never held whole).

    Lines end at LF or CRLF. A last chunk without LF (all of a file with old Mac CR
    line ends) is split at lone CRs too, so line numbers elsewhere match what `wc -l`
    and editors count. A UTF-8 BOM is dropped.
    """
    number = 0
    chunk_number = 0
    while chunk := handle.readline(max_line_bytes + 1):
        if chunk_number == 0 and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        chunk_number += 1
        if len(chunk) > max_line_bytes and not chunk.endswith(b"\n"):
            number += 1
            yield number, len(chunk) + _skip_line(handle)
            continue
        split = b"\r" in chunk and not chunk.endswith(b"\n")
        pieces = _LONE_CR.split(chunk) if split else [chunk]
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            if last and not piece and index > 0:
                break
            number += 1
            yield number, piece if last else piece + b"\n"


def _skip_line(handle: BinaryIO) -> int:
    """Read past the rest of a line; return how many bytes that was."""
    skipped = 0
    while piece := handle.readline(1024 * 1024):
        skipped += len(piece)
        if piece.endswith(b"\n"):
            break
    return skipped


def oversized_reason(size: int, limits: Limits) -> str:
    return (f"record too large: {size} bytes on one line (limit {limits.max_record_bytes}, from the body limit "
            f"of {limits.max_body_chars} characters)")


def starts_utf16(handle: BinaryIO) -> bool:
    """True for a UTF-16 BOM at the start; leaves the handle at the start."""
    head = handle.read(2)
    handle.seek(0)
    return head in _UTF16_BOMS


# --- decoding -----------------------------------------------------------------------


def guess_decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) by charset_normalizer's best guess, or None if it finds none."""
    results = [m for m in from_bytes(data) if not m.encoding.startswith(("utf_16", "utf_32"))]
    if not results:
        return None
    best_chaos = min(m.chaos for m in results)
    tied = [m for m in results if m.chaos <= best_chaos + 0.01]
    for preferred in _PREFERRED_ENCODINGS:
        for match in tied:
            if preferred in match.could_be_from_charset:
                try:
                    return data.decode(preferred), preferred
                except UnicodeDecodeError:
                    break
    return str(tied[0]), tied[0].encoding


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or more than 10% control bytes other than whitespace."""
    if b"\x00" in data:
        return True
    if not data:
        return False
    controls = sum(1 for byte in data if (byte < 32 and byte not in (9, 10, 12, 13)) or byte == 127)
    return controls / len(data) > 0.10


def mostly_unprintable(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if not (ch.isprintable() or ch.isspace()) or ch == "\ufffd")
    return bad / len(text) > 0.30


def decode_line(raw: bytes) -> tuple[str, str | None]:
    """Decode one line of a text file: (text, repaired_from_encoding or None).

    Raises RecordError("line is not text (binary data)") for binary junk.
    """
    if looks_binary(raw):
        raise RecordError("line is not text (binary data)")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    guessed = guess_decode(raw)
    if guessed is None:
        text, encoding = raw.decode("utf-8", errors="replace"), "utf-8 (replaced)"
    else:
        text, encoding = guessed
    if mostly_unprintable(text):
        raise RecordError("line is not text (binary data)")
    return text, encoding


# --- ids and assembly ---------------------------------------------------------------


def content_id(sender: str, subject: str, date: str, body: str) -> str:
    """A stable id for records without one: sha256 of sender, subject, date and body."""
    digest = hashlib.sha256("\x1f".join((sender, subject, date, body)).encode("utf-8"))
    return "sha256:" + digest.hexdigest()[:24]


def finish(draft: Draft, limits: Limits, *, source: str, position: str) -> Interaction:
    """Clean the body, settle the id and build the Interaction (or raise RecordError)."""
    try:
        subject = check_subject(draft.subject, limits)
        check_body_size(draft.body, limits)
    except RecordError as error:
        error.interaction_id = error.interaction_id or draft.id or None
        raise
    new_text, quoted, signature = split_reply(draft.body)
    body = new_text
    if draft.extra_body.strip():
        body = f"{body}\n\n{draft.extra_body.strip()}" if body else draft.extra_body.strip()
    if not body.strip() and not subject.strip():
        raise RecordError("no text: the subject and the body are both empty", draft.id or None)
    metadata = dict(draft.metadata)
    metadata["quoted_chars"] = len(quoted)
    interaction_id = draft.id or content_id(draft.sender_email, subject, draft.received_at, body)
    return Interaction(
        id=interaction_id,
        channel=draft.channel,
        sender_email=draft.sender_email,
        sender_name=draft.sender_name,
        subject=subject,
        body=body,
        received_at=draft.received_at,
        signature=signature,
        source=source,
        position=position,
        metadata=metadata,
    )


def to_reject(error: RecordError, *, source: str, position: str) -> Reject:
    return Reject(source=source, position=position, reason=error.reason, interaction_id=error.interaction_id)

"""One email message read as a stream, keeping only what the readers use.

A message may be up to `limits.max_file_bytes` large, almost all of it attachments: parsing it
whole costs many times its size in memory. This reads it line by line and keeps the headers of
every part, the text/plain and text/html bodies (each bounded by `limits.max_record_bytes`: more
cannot fit the body limit), and only the first KEPT_OTHER_BYTES of any other part (attachments,
preambles), which are never decoded. The result parses like the original for everything the
readers look at: headers, the MIME tree, attachment names, the text body. It also measures every
part as it passes (`PartSize`), so an attachment's size is known though its bulk was dropped.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from typing import BinaryIO

from crm_crew.pipeline.readers.common import Limits, RecordError

KEPT_OTHER_BYTES = 16 * 1024      # of each part that is not a text body
MAX_HEADER_BYTES = 1024 * 1024    # of one header block
CHUNK = 64 * 1024                 # longest piece read at once (long lines come in pieces)
BODY_TYPES = ("text/plain", "text/html")

_HEADERS = BytesHeaderParser(policy=policy.default)


@dataclass
class PartSize:
    """One header block of the message, in document order (the message itself first), and the size of
    its content: decoded bytes for base64, else the bytes as they stand in the message."""

    content_type: str
    encoding: str            # its Content-Transfer-Encoding, lower case
    raw_bytes: int = 0       # content bytes (base64: without line ends; quoted-printable: decoded)
    padding: int = 0         # base64 "=" characters
    last_end: int = 0        # the last line's line end, which belongs to the boundary after it

    @property
    def size(self) -> int:
        if self.encoding == "base64":
            return max(0, self.raw_bytes * 3 // 4 - self.padding)
        return self.raw_bytes - self.last_end

    def count(self, line: bytes) -> None:
        if self.encoding == "base64":
            data = line.strip()
            self.padding += data.count(b"=")
            self.raw_bytes += len(data)
            return
        data = binascii.a2b_qp(line) if self.encoding == "quoted-printable" else line
        self.raw_bytes += len(data)
        self.last_end = 2 if data.endswith(b"\r\n") else 1 if data.endswith(b"\n") else 0


def _kind(headers: bytes, default_type: str) -> tuple[str, bytes | None, PartSize]:
    """("text" | "multipart" | "other", the boundary of a multipart, its size counter) of a part's header block."""
    part: Message = _HEADERS.parsebytes(headers)
    if not part.get("Content-Type"):
        part.set_default_type(default_type)
    content_type = part.get_content_type()
    counter = PartSize(content_type, str(part.get("Content-Transfer-Encoding", "")).strip().lower())
    if part.get_content_maintype() == "multipart":
        boundary = part.get_boundary()
        if boundary:
            return "multipart", boundary.encode("utf-8", "surrogateescape"), counter
        return "other", None, counter
    if content_type in BODY_TYPES and part.get_content_disposition() != "attachment":
        return "text", None, counter
    return "other", None, counter


def slim_message(handle: BinaryIO, limits: Limits) -> bytes:
    """The message on `handle` without the bulk of its attachments; RecordError when a header block
    or a text body is too large to be a record."""
    return slim_message_parts(handle, limits)[0]


def slim_message_parts(handle: BinaryIO, limits: Limits) -> tuple[bytes, list[PartSize]]:
    """`slim_message`, and the size of every part (header block) in document order."""
    kept = bytearray()
    parts: list[PartSize] = []
    counter: PartSize | None = None
    boundaries: list[bytes] = []
    header = bytearray()
    in_headers, kind, part_bytes, line_start = True, "other", 0, True
    default_type = "text/plain"
    while chunk := handle.readline(CHUNK):
        starts_line, line_start = line_start, chunk.endswith(b"\n")
        if in_headers:
            header += chunk
            if len(header) > MAX_HEADER_BYTES:
                raise RecordError(f"message headers larger than {MAX_HEADER_BYTES} bytes")
            if starts_line and chunk in (b"\n", b"\r\n"):
                kept += header
                kind, boundary, counter = _kind(bytes(header), default_type)
                parts.append(counter)
                if boundary is not None:
                    boundaries.append(boundary)
                header.clear()
                in_headers, part_bytes = False, 0
            continue
        delimiter = _delimiter(chunk, boundaries) if starts_line else None
        if delimiter is not None:
            depth, closing = delimiter
            kept += chunk
            del boundaries[depth + (0 if closing else 1):]
            counter = None
            if closing:
                kind, part_bytes = "other", 0          # the epilogue of the multipart just closed
            else:
                in_headers, default_type = True, "text/plain"
            continue
        part_bytes += len(chunk)
        if counter is not None and kind != "multipart":
            counter.count(chunk)
        if kind == "text":
            if part_bytes > limits.max_record_bytes:
                raise RecordError(f"message text larger than {limits.max_record_bytes} bytes "
                                  f"(the body limit is {limits.max_body_chars} characters)")
            kept += chunk
        elif part_bytes <= KEPT_OTHER_BYTES:
            kept += chunk
    return bytes(kept + header), parts


def _delimiter(line: bytes, boundaries: list[bytes]) -> tuple[int, bool] | None:
    """(depth of the boundary, closing?) when `line` is a delimiter line of an open multipart."""
    if not line.startswith(b"--"):
        return None
    text = line.rstrip(b"\r\n").rstrip(b" \t")
    for depth in range(len(boundaries) - 1, -1, -1):
        mark = b"--" + boundaries[depth]
        if text == mark:
            return depth, False
        if text == mark + b"--":
            return depth, True
    return None

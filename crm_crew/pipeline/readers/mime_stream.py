"""One email message read as a stream, keeping only what the readers use.

A message may be up to `limits.max_file_bytes` large, almost all of it attachments: parsing it
whole costs many times its size in memory. This reads it line by line and keeps the headers of
every part, the text/plain and text/html bodies (each bounded by `limits.max_record_bytes`: more
cannot fit the body limit), and only the first KEPT_OTHER_BYTES of any other part (attachments,
preambles), which are never decoded. The result parses like the original for everything the
readers look at: headers, the MIME tree, attachment names, the text body.
"""

from __future__ import annotations

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


def _kind(headers: bytes, default_type: str) -> tuple[str, bytes | None]:
    """("text" | "multipart" | "other", the boundary of a multipart) of a part's header block."""
    part: Message = _HEADERS.parsebytes(headers)
    if not part.get("Content-Type"):
        part.set_default_type(default_type)
    content_type = part.get_content_type()
    if part.get_content_maintype() == "multipart":
        boundary = part.get_boundary()
        return ("multipart", boundary.encode("utf-8", "surrogateescape")) if boundary else ("other", None)
    if content_type in BODY_TYPES and part.get_content_disposition() != "attachment":
        return "text", None
    return "other", None


def slim_message(handle: BinaryIO, limits: Limits) -> bytes:
    """The message on `handle` without the bulk of its attachments; RecordError when a header block
    or a text body is too large to be a record."""
    kept = bytearray()
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
                kind, boundary = _kind(bytes(header), default_type)
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
            if closing:
                kind, part_bytes = "other", 0          # the epilogue of the multipart just closed
            else:
                in_headers, default_type = True, "text/plain"
            continue
        part_bytes += len(chunk)
        if kind == "text":
            if part_bytes > limits.max_record_bytes:
                raise RecordError(f"message text larger than {limits.max_record_bytes} bytes "
                                  f"(the body limit is {limits.max_body_chars} characters)")
            kept += chunk
        elif part_bytes <= KEPT_OTHER_BYTES:
            kept += chunk
    return bytes(kept + header)


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

"""CSV reader: a header row naming the fields, then one interaction per row."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers.common import (
    UTF16_REASON,
    Limits,
    RecordError,
    decode_line,
    iter_raw_lines,
    oversized_reason,
    starts_utf16,
    to_reject,
)
from crm_crew.pipeline.readers.records import KNOWN_FIELDS, record_to_interaction

_JSON_COLUMNS: tuple[str, ...] = ("metadata", "transcript")
_DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")


class _Lines:
    """Decoded lines of a binary file, remembering which were junk or repaired."""

    def __init__(self, handle: BinaryIO, limits: Limits) -> None:
        self._handle = handle
        self._limits = limits
        self.binary: dict[int, str] = {}       # line number -> reject reason
        self.repaired: dict[int, str] = {}     # line number -> encoding guessed

    def __iter__(self) -> Iterator[str]:
        for number, raw in iter_raw_lines(self._handle, self._limits.max_record_bytes):
            if isinstance(raw, int):
                self.binary[number] = oversized_reason(raw, self._limits)
                yield "\n"
                continue
            try:
                text, repaired_from = decode_line(raw)
            except RecordError as error:
                self.binary[number] = error.reason
                yield "\n"
                continue
            if repaired_from:
                self.repaired[number] = repaired_from
            yield text


def _delimiter(handle: BinaryIO) -> str:
    """The most frequent of , ; TAB | in the first line (comma when none); rewinds."""
    first = handle.readline()
    handle.seek(0)
    counts = {d: first.count(d.encode()) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _column_key(name: str) -> str:
    stripped = name.strip()
    return stripped.lower() if stripped.lower() in KNOWN_FIELDS else stripped


def _row_record(header: list[str], row: list[str]) -> dict[str, Any]:
    if len(row) > len(header) and not any(cell.strip() for cell in row[len(header) :]):
        row = row[: len(header)]
    if len(row) != len(header):
        raise RecordError(f"row has {len(row)} fields but the header has {len(header)}")
    record: dict[str, Any] = {}
    for key, value in zip(header, row):
        if not key or not value.strip():
            continue
        if key in _JSON_COLUMNS:
            try:
                record[key] = json.loads(value)
            except json.JSONDecodeError as error:
                raise RecordError(f"field `{key}` is not valid JSON: {error}") from None
        else:
            record[key] = value
    return record


def _row_id(header: list[str], row: list[str]) -> str:
    if "id" in header and header.index("id") < len(row):
        return row[header.index("id")].strip()
    return ""


def _check_header(header: list[str]) -> str | None:
    if not ({"from", "sender_email"} & set(header)):
        return "CSV header has no sender column: add a `from` or `sender_email` column"
    if not ({"body", "html", "transcript"} & set(header)):
        return "CSV header has no body column: add a `body` or `html` column"
    return None


def read_csv(path: Path, limits: Limits) -> Iterator[Interaction | Reject]:
    source = str(path)
    # Bodies up to the limit must reach the size check instead of failing inside the csv module.
    csv.field_size_limit(limits.max_record_bytes)
    with path.open("rb") as handle:
        if starts_utf16(handle):
            yield Reject(source, "file", UTF16_REASON)
            return
        lines = _Lines(handle, limits)
        reader = csv.reader(iter(lines), delimiter=_delimiter(handle))
        header: list[str] | None = None
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                reason = str(error)
                if "new-line character" in reason:
                    reason = "a carriage return (\\r) inside an unquoted field; quote the field or remove it"
                yield Reject(source, f"line {start}", f"cannot parse CSV row: {reason}")
                continue
            span = range(start, reader.line_num + 1)
            position = f"line {start}"
            junk = [(n, lines.binary[n]) for n in span if n in lines.binary]
            encodings = sorted({lines.repaired[n] for n in span if n in lines.repaired})
            for n in span:  # keep the bookkeeping as small as the current row
                lines.binary.pop(n, None)
                lines.repaired.pop(n, None)
            if junk:
                yield Reject(source, f"line {junk[0][0]}", junk[0][1])
                continue
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [_column_key(name) for name in row]
                problem = _check_header(header)
                if problem:
                    yield Reject(source, position, problem)
                    return
                continue
            extra = {"encoding_repaired": True, "encoding": encodings[0]} if encodings else None
            try:
                record = _row_record(header, row)
                yield record_to_interaction(
                    record, limits, source=source, position=position, metadata=extra
                )
            except RecordError as error:
                error.interaction_id = error.interaction_id or _row_id(header, row) or None
                yield to_reject(error, source=source, position=position)
            except Exception as error:  # noqa: BLE001 - one bad row must not stop the rest
                yield Reject(source, position, f"cannot read record: {type(error).__name__}: {error}")

"""JSON Lines reader: one JSON object per line, read one line at a time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

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
from crm_crew.pipeline.readers.records import record_to_interaction


def _parse(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise RecordError(f"invalid JSON: {error}") from None
    except RecursionError:
        raise RecordError("invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise RecordError("record is not a JSON object")
    return value


def read_jsonl(path: Path, limits: Limits) -> Iterator[Interaction | Reject]:
    source = str(path)
    with path.open("rb") as handle:
        if starts_utf16(handle):
            yield Reject(source, "file", UTF16_REASON)
            return
        for number, raw in iter_raw_lines(handle, limits.max_record_bytes):
            position = f"line {number}"
            if isinstance(raw, int):
                yield Reject(source, position, oversized_reason(raw, limits))
                continue
            if not raw.strip():
                continue
            try:
                text, repaired_from = decode_line(raw.rstrip(b"\r\n"))
                record = _parse(text)
                extra = {"encoding_repaired": True, "encoding": repaired_from} if repaired_from else None
                yield record_to_interaction(
                    record, limits, source=source, position=position, metadata=extra
                )
            except RecordError as error:
                yield to_reject(error, source=source, position=position)
            except Exception as error:  # noqa: BLE001 - one bad record must not stop the rest
                yield Reject(source, position, f"cannot read record: {type(error).__name__}: {error}")

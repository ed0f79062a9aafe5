"""CSV that a spreadsheet opens as data: every CSV crm-crew writes goes through `csv_writer`.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets, and audit entries carry text from customers' messages. Such a
cell gets a leading `'` (OWASP's advice for CSV injection), which spreadsheets show as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value`, with a `'` in front when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose rows are made spreadsheet-safe cell by cell."""

    def __init__(self, stream: IO[str]) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in row])


def csv_writer(stream: IO[str]) -> SafeCsvWriter:
    return SafeCsvWriter(stream)

"""Read contact files (CSV with a header row, or JSON Lines) for `crm-crew crm import`.

Rows come out as `(line number, row)` with lower-cased, trimmed column names and string
values. A record that cannot be read is not an exception: it is yielded as
`(line, {"__error__": reason})` so that the importer can report it with its line number.

The row checks the importer applies (`prepare_import_row`) and its report live here too.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from crm_crew.errors import NotFoundError, UserError
from crm_crew.security.addresses import canonical_address

ERROR_KEY = "__error__"
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".csv", ".jsonl", ".ndjson")
IMPORT_COLUMNS: tuple[str, ...] = (
    "email", "first_name", "last_name", "company", "phone", "tier", "lead_status", "opted_out")

_KEY_SEPARATORS = re.compile(r"[\s\-]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_TRUE = {"1", "true", "yes", "y", "t", "on"}
_FALSE = {"0", "false", "no", "n", "f", "off", ""}


@dataclass(frozen=True)
class ImportRejection:
    row: int          # line number in the file (or 1-based position when no line was given)
    reason: str
    email: str = ""


@dataclass
class ContactOutcome:
    """What an import did to one contact, field by field (values as `shown_value` shows them)."""

    record_id: str
    row: int
    created: bool = False
    filled: list[str] = field(default_factory=list)                   # empty in the CRM: the file's value set
    kept: dict[str, dict[str, Any]] = field(default_factory=dict)     # field -> {"crm", "file"}: the CRM's stayed
    overwritten: dict[str, dict[str, Any]] = field(default_factory=dict)   # field -> {"before", "after"}


@dataclass
class ImportReport:
    """What an import did; the lists hold contact ids. `kept`: contacts where a CRM value that differs from the
    file's stayed (some may be `updated` too, for other fields); `unchanged`: the file says what the CRM holds."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    rejected: list[ImportRejection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    contacts: list[ContactOutcome] = field(default_factory=list)   # each contact created, filled, kept or overwritten

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalize_email(email: str) -> str:
    """How every connector stores and looks up an address (see `canonical_address`)."""
    return canonical_address(email)


def is_valid_email(email: str) -> bool:
    """A plausible address: one @, no spaces, a dot in the domain."""
    return bool(_EMAIL.match(email))


def as_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_bool(value: Any) -> bool | None:
    """true/yes/1/on -> True, false/no/0/off/"" -> False, anything else -> None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = as_text(value).lower()
    return True if text in _TRUE else False if text in _FALSE else None


def numbered_rows(rows: Iterable[dict[str, str] | tuple[int, dict[str, str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    """Pass `(line, row)` pairs through; number bare dicts 1, 2, ... by position."""
    for position, item in enumerate(rows, start=1):
        if isinstance(item, tuple):
            yield item[0], item[1]
        else:
            yield position, item


def unknown_columns(row: dict[str, str], seen: set[str]) -> list[str]:
    """Columns of `row` outside IMPORT_COLUMNS not reported yet (adds them to `seen`)."""
    new = [c for c in row if c not in IMPORT_COLUMNS and not c.startswith("__") and c not in seen]
    seen.update(new)
    return new


def prepare_import_row(number: int, row: dict[str, str]) -> tuple[str, dict[str, Any]] | ImportRejection:
    """`(normalized email, non-empty known fields)` for a row, or why it is rejected."""
    raw_email = as_text(row.get("email", ""))
    if ERROR_KEY in row:
        return ImportRejection(number, row[ERROR_KEY], raw_email)
    email = normalize_email(raw_email)
    if not email:
        return ImportRejection(number, "missing email")
    if not is_valid_email(email):
        return ImportRejection(number, f"invalid email {raw_email!r}", raw_email)
    values: dict[str, Any] = {}
    for column in IMPORT_COLUMNS[1:]:
        text = as_text(row.get(column, ""))
        if not text:
            continue
        if column == "opted_out":
            flag = parse_bool(text)
            if flag is None:
                return ImportRejection(number, f"opted_out: expected true or false, got {text!r}", raw_email)
            values[column] = flag
        else:
            values[column] = text
    return email, values


def normalize_column(name: str) -> str:
    """`" First Name "` -> `"first_name"`, `"E-Mail"` -> `"e_mail"`."""
    return _KEY_SEPARATORS.sub("_", name.strip().lower())


def read_contact_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield `(line number, row)` for every record of a CSV or JSON Lines contact file.

    Blank lines are skipped. Raises `UserError` for an unsupported extension and
    `NotFoundError` for a missing file; everything wrong inside the file is yielded as an
    `__error__` row.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_EXTENSIONS:
        raise UserError(
            f"{path}: unsupported contact file type {suffix or '(no extension)'!r}; "
            f"supported: {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    text = _read_text(path)
    if suffix == ".csv":
        yield from _csv_rows(text)
    else:
        yield from _jsonl_rows(text)


def _read_text(path: Path) -> str:
    if not path.exists():
        raise NotFoundError(f"contact file {path} does not exist")
    if not path.is_file():
        raise UserError(f"{path} is not a file; give the path of a .csv or .jsonl contact file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read contact file {path}: {exc.strerror or exc}") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:  # UTF-8 first; Windows-1252 is what spreadsheet exports usually are otherwise
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes  # only needed for unusual encodings

    best = from_bytes(data).best()
    if best is None:
        raise UserError(f"{path}: cannot tell the text encoding; save the file as UTF-8")
    return str(best)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, {ERROR_KEY: f"invalid CSV: {exc}"}
            continue
        if not any(v.strip() for v in values):
            continue
        if header is None:
            header = [normalize_column(v) for v in values]
            continue
        if len(values) > len(header):
            extra = len(values) - len(header)
            yield start, {ERROR_KEY: f"{extra} more value(s) than the {len(header)} header columns"}
            continue
        row = {key: values[i].strip() if i < len(values) else "" for i, key in enumerate(header) if key}
        yield start, row


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, {ERROR_KEY: f"invalid JSON: {exc.msg} (column {exc.colno})"}
            continue
        if not isinstance(record, dict):
            yield number, {ERROR_KEY: f"expected a JSON object, got {type(record).__name__}"}
            continue
        yield number, {normalize_column(str(k)): _json_text(v) for k, v in record.items()}


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()

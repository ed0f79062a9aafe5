"""`crm-crew crm import`: upsert contacts by normalized email into any connector, never silently undoing newer values.

An existing contact gets only the fields that are empty in the CRM; a value the CRM already holds differently
is kept and reported, unless `overwrite` replaces it. An opt-out is added, never taken away (not even by
`overwrite`).
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterable

from crm_crew.connectors.base import Connector
from crm_crew.connectors.contacts_file import (
    IMPORT_COLUMNS,
    ContactOutcome,
    ImportRejection,
    ImportReport,
    numbered_rows,
    prepare_import_row,
    unknown_columns,
)
from crm_crew.errors import ConnectorError, CrmUnavailableError
from crm_crew.security.pii import KINDS, redact

# A person's own data: reports name the field, never its value.
PERSONAL_FIELDS: frozenset[str] = frozenset({"email", "first_name", "last_name", "phone"})
PERSONAL = "[personal data]"


def import_key(email: str) -> str:
    return "ik_import_" + hashlib.sha256(email.encode()).hexdigest()[:26]


# Called after each CRM write: (operation, record id, fields before, fields after).
WriteHook = Callable[[str, str, "dict[str, Any] | None", "dict[str, Any]"], None]


def shown_value(name: str, value: Any) -> Any:
    """A field's value as a report may show it: personal fields hidden, personal data in text redacted."""
    if name in PERSONAL_FIELDS:
        return PERSONAL
    return redact(value, KINDS)[0] if isinstance(value, str) else value


def import_contacts(connector: Connector, rows: Iterable[dict[str, str] | tuple[int, dict[str, str]]],
                    on_write: WriteHook | None = None, overwrite: bool = False) -> ImportReport:
    """Upsert contacts by normalized email.

    `rows` are dicts (numbered 1, 2, ... in order) or `(line number, dict)` pairs as
    `read_contact_rows` yields them. A new email is created; an existing one gets the row's
    non-empty fields that are empty in the CRM (all differing ones with `overwrite`), counted as
    updated, or unchanged when nothing is written; values kept are reported per contact.
    Rows without a valid email, with an unreadable `opted_out`, carrying an `__error__`,
    or refused by the CRM are rejected with their number and reason; the rest go on.
    Columns outside IMPORT_COLUMNS are ignored, with one warning per column. A CRM that
    cannot be reached at all (CrmUnavailableError) stops the import.
    """
    report = ImportReport()
    warned: set[str] = set()
    for number, row in numbered_rows(rows):
        for column in unknown_columns(row, warned):
            report.warnings.append(f"unknown column {column!r} ignored; allowed: {', '.join(IMPORT_COLUMNS)}")
        prepared = prepare_import_row(number, row)
        if isinstance(prepared, ImportRejection):
            report.rejected.append(prepared)
            continue
        email, values = prepared
        try:
            _upsert(connector, number, email, values, report, on_write, overwrite)
        except CrmUnavailableError:
            raise
        except ConnectorError as exc:
            report.rejected.append(ImportRejection(number, str(exc), email))
    return report


def _is_empty(name: str, value: Any) -> bool:
    """Nothing the import could undo: no value, or a contact not opted out (an opt-out is only ever added)."""
    return value is None or value == "" or (name == "opted_out" and value is False)


def _is_opt_out(name: str, value: Any) -> bool:
    """A contact's opt-out, which no import takes back (not even with overwrite): only the contact can."""
    return name == "opted_out" and value is True


def _upsert(connector: Connector, number: int, email: str, values: dict[str, Any], report: ImportReport,
            on_write: WriteHook | None, overwrite: bool) -> None:
    existing = connector.find_contact_by_email(email)
    if existing is None:
        fields = {"email": email, **values}
        record_id = connector.create("contact", fields, import_key(email))
        report.created.append(record_id)
        report.contacts.append(ContactOutcome(record_id, number, created=True, filled=sorted(fields)))
        if on_write is not None:
            on_write("create", record_id, None, fields)
        return
    current = existing.to_dict()
    outcome = ContactOutcome(existing.id, number)
    writes: dict[str, Any] = {}
    for name, value in values.items():
        now = current.get(name)
        if now == value:
            continue
        if _is_empty(name, now):
            outcome.filled.append(name)
        elif overwrite and not _is_opt_out(name, now):
            outcome.overwritten[name] = {"before": shown_value(name, now), "after": shown_value(name, value)}
        else:
            outcome.kept[name] = {"crm": shown_value(name, now), "file": shown_value(name, value)}
            continue
        writes[name] = value
    if outcome.kept:
        report.kept.append(existing.id)
    if writes or outcome.kept:
        report.contacts.append(outcome)
    if not writes:
        if not outcome.kept:
            report.unchanged.append(existing.id)   # the file says what the CRM holds
        return
    before = connector.update("contact", existing.id, writes)
    report.updated.append(existing.id)
    if on_write is not None:
        on_write("update", existing.id, before, writes)

"""`crm-crew crm import`: upsert contacts by normalized email into any connector."""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Iterable

from crm_crew.connectors.base import Connector
from crm_crew.connectors.contacts_file import (
    IMPORT_COLUMNS,
    ImportRejection,
    ImportReport,
    numbered_rows,
    prepare_import_row,
    unknown_columns,
)
from crm_crew.errors import ConnectorError, CrmUnavailableError


def import_key(email: str) -> str:
    return "ik_import_" + hashlib.sha256(email.encode()).hexdigest()[:26]


# Called after each CRM write: (operation, record id, fields before, fields after).
WriteHook = Callable[[str, str, "dict[str, Any] | None", "dict[str, Any]"], None]


def import_contacts(connector: Connector, rows: Iterable[dict[str, str] | tuple[int, dict[str, str]]],
                    on_write: WriteHook | None = None) -> ImportReport:
    """Upsert contacts by normalized email.

    `rows` are dicts (numbered 1, 2, ... in order) or `(line number, dict)` pairs as
    `read_contact_rows` yields them. A new email is created; an existing one gets the
    row's non-empty fields (counted as updated, or unchanged when nothing differs).
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
            _upsert(connector, email, values, report, on_write)
        except CrmUnavailableError:
            raise
        except ConnectorError as exc:
            report.rejected.append(ImportRejection(number, str(exc), email))
    return report


def _upsert(connector: Connector, email: str, values: dict[str, Any], report: ImportReport,
            on_write: WriteHook | None) -> None:
    existing = connector.find_contact_by_email(email)
    if existing is None:
        fields = {"email": email, **values}
        record_id = connector.create("contact", fields, import_key(email))
        report.created.append(record_id)
        if on_write is not None:
            on_write("create", record_id, None, fields)
        return
    current = existing.to_dict()
    changed = {k: v for k, v in values.items() if current.get(k) != v}
    if not changed:
        report.unchanged.append(existing.id)
        return
    before = connector.update("contact", existing.id, changed)
    report.updated.append(existing.id)
    if on_write is not None:
        on_write("update", existing.id, before, changed)

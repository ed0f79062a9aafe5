"""`crm-crew crm import FILE` and `crm-crew crm export` (local CRM)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from crm_crew.cli.common import ConfigOption, JsonOption, err, load, out, state_home

if TYPE_CHECKING:
    from crm_crew.connectors.local import LocalCRM

crm_app = typer.Typer(help="Work with the configured CRM (import/export: the local CRM).", no_args_is_help=True)


def _local(config: str | None) -> "LocalCRM":
    from crm_crew.connectors.local import LocalCRM
    from crm_crew.connectors.registry import open_connector
    from crm_crew.errors import UserError

    cfg = load(config)
    if cfg.settings.crm.type != "local":
        raise UserError(f"this command works on the local CRM only; crm.type is '{cfg.settings.crm.type}'")
    connector = open_connector("local", cfg.settings.crm.options, state_home(cfg))
    assert isinstance(connector, LocalCRM)
    return connector


@crm_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="Contacts as CSV or JSON Lines: email, first_name, last_name, "
                                                 "company, phone, tier, lead_status.", show_default=False)],
            as_json: JsonOption = False, config: ConfigOption = None) -> int:
    """Import contacts into the local CRM (upsert by email)."""
    from crm_crew.connectors.contacts_file import read_contact_rows

    crm = _local(config)
    try:
        report = crm.import_contacts(read_contact_rows(file))
    finally:
        crm.close()
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        out.print(f"{file}: {len(report.created)} created, {len(report.updated)} updated, "
                  f"{len(report.unchanged)} unchanged, {len(report.rejected)} rejected", markup=False)
    for warning in report.warnings:
        err.print(f"warning: {file}: {warning}", markup=False)
    for rejection in report.rejected:
        err.print(f"{file}:{rejection.row}: {rejection.reason}", markup=False)
    return 3 if report.rejected else 0


@crm_app.command("export")
def export(as_json: JsonOption = False, config: ConfigOption = None) -> int:
    """Export the local CRM: contacts, activities, cases and tasks (with contact ids)."""
    crm = _local(config)
    try:
        data = crm.export_all()
    finally:
        crm.close()
    if as_json:
        print(json.dumps(data, indent=2))
        return 0
    columns = {
        "contacts": ["id", "email", "first_name", "last_name", "company", "tier", "lead_status", "opted_out"],
        "activities": ["id", "contact_id", "kind", "subject", "intent", "sentiment", "occurred_at"],
        "cases": ["id", "contact_id", "priority", "status", "subject", "reason"],
        "tasks": ["id", "contact_id", "kind", "due_date", "status", "subject"],
    }
    for name, cols in columns.items():
        table = Table(*cols, title=f"{name} ({len(data[name])})", title_justify="left")
        for row in data[name]:
            table.add_row(*(str(row.get(c, "")) for c in cols))
        out.print(table)
    return 0

"""`crm-crew crm import FILE`, `crm-crew crm export` and `crm-crew crm check`: the configured CRM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from crm_crew.cli.common import (
    ActorOption,
    ConfigOption,
    JsonOption,
    actor_name,
    err,
    load,
    open_store_for,
    out,
    state_home,
)

if TYPE_CHECKING:
    from crm_crew.connectors.base import Connector

crm_app = typer.Typer(help="Work with the configured CRM (crm.type in crm-crew.yaml).", no_args_is_help=True)

EXPORT_COLUMNS: dict[str, list[str]] = {
    "contacts": ["id", "email", "first_name", "last_name", "company", "tier", "lead_status", "opted_out"],
    "activities": ["id", "contact_id", "kind", "subject", "intent", "sentiment", "occurred_at"],
    "cases": ["id", "contact_id", "priority", "status", "subject", "reason"],
    "tasks": ["id", "contact_id", "kind", "due_date", "status", "subject"],
}


def _open(config: str | None) -> "Connector":
    from crm_crew.connectors.registry import open_crm

    cfg = load(config)
    return open_crm(cfg.settings.crm, state_home(cfg))


@crm_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="Contacts as CSV or JSON Lines: email, first_name, last_name, "
                                                 "company, phone, tier, lead_status, opted_out.", show_default=False)],
            overwrite: Annotated[bool, typer.Option(
                "--overwrite", help="Replace values the CRM holds with the file's (default: fill only empty fields, "
                                    "keep the rest and list them).")] = False,
            as_json: JsonOption = False, actor: ActorOption = None, config: ConfigOption = None) -> int:
    """Import contacts into the configured CRM (upsert by normalized email); every write is audited.

    An existing contact gets only the fields that are empty in the CRM; values the CRM holds (a lead status the
    crew set, say) are kept and listed per contact, unless --overwrite. An opt-out is never taken back.
    Exit 3 when rows were rejected.
    """
    from crm_crew.cli.render_import import render_import
    from crm_crew.connectors.contacts_file import read_contact_rows
    from crm_crew.connectors.importer import import_contacts
    from crm_crew.connectors.registry import open_crm
    from crm_crew.store.audit import AuditEntry
    from crm_crew.store.base import Outcome
    from crm_crew.store.trail import Trail

    cfg = load(config)
    store = open_store_for(cfg)
    try:
        trail = Trail.open(cfg.settings.audit.key_env, state_home(cfg), store)
        rows = read_contact_rows(file)
    except BaseException:
        store.close()
        raise
    key = trail.key
    crm = open_crm(cfg.settings.crm, state_home(cfg))
    who = actor_name(actor)

    def audit(operation: str, record_id: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        entry = AuditEntry(None, None, who, "", crm.name, operation, "contact", record_id, before, after,
                           "applied", f"crm import {file.name}")
        store.record([Outcome(None, entry)], key)

    try:
        report = import_contacts(crm, rows, audit, overwrite)
        trail.checkpoint()
    finally:
        crm.close()
        store.close()
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        render_import(out, file, report, overwrite)
    for warning in report.warnings:
        err.print(f"warning: {file}: {warning}")
    for rejection in report.rejected:
        err.print(f"{file}:{rejection.row}: {rejection.reason}")
    return 3 if report.rejected else 0


@crm_app.command("export")
def export(as_json: JsonOption = False, config: ConfigOption = None) -> int:
    """Export what crm-crew sees in the CRM: contacts, activities, cases and tasks (unified fields)."""
    crm = _open(config)
    try:
        data = crm.export_all()
    finally:
        crm.close()
    if as_json:
        print(json.dumps(data, indent=2))
        return 0
    for name, cols in EXPORT_COLUMNS.items():
        table = Table(*cols, title=f"{name} ({len(data[name])})", title_justify="left")
        for row in data[name]:
            table.add_row(*(str(row.get(c, "")) for c in cols))
        out.print(table)
    return 0


@crm_app.command("check")
def check(as_json: JsonOption = False, config: ConfigOption = None) -> int:
    """Verify credentials and permissions against the configured CRM; print the API budget left.

    Writes nothing. Exit 0 when every permission crm-crew needs is granted, 1 otherwise.
    """
    crm = _open(config)
    try:
        report = crm.check()
    finally:
        crm.close()
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0 if report.ok else 1
    out.print(f"{report.crm} at {report.endpoint}" + (f" as {report.identity}" if report.identity else ""))
    table = Table("permission", "granted", title="permissions", title_justify="left")
    for name, granted in report.permissions.items():
        table.add_row(name, "yes" if granted else "NO")
    out.print(table)
    if report.budget:
        out.print("API budget: " + ", ".join(f"{k} {_fmt(v)}" for k, v in report.budget.items()))
    for note in report.notes:
        out.print(f"note: {note}")
    if not report.ok:
        missing = [name for name, granted in report.permissions.items() if not granted]
        err.print(f"missing permissions: {', '.join(missing)}")
    return 0 if report.ok else 1


def _fmt(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)

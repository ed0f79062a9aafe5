"""What `crm import` did, contact by contact. Data in, Rich out: values come from a file and the CRM, never markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from crm_crew.cli.render_ledger import short
from crm_crew.connectors.contacts_file import ContactOutcome, ImportReport
from crm_crew.connectors.importer import PERSONAL


def render_import(console: Console, file: Path, report: ImportReport, overwrite: bool) -> None:
    line = (f"{file}: {len(report.created)} created, {len(report.updated)} updated, {len(report.unchanged)} "
            f"unchanged, {len(report.rejected)} rejected")
    if report.kept:
        why = "opt-outs: no import takes one back" if overwrite else "--overwrite replaces them; an opt-out stays"
        line += f"; kept newer CRM values in {len(report.kept)} contact(s) ({why})"
    console.print(Text(line))
    for contact in report.contacts:
        console.print(Text(short(f"  {contact.record_id} (line {contact.row}): {_what(contact)}", 400)))


def _what(contact: ContactOutcome) -> str:
    if contact.created:
        return "created"
    parts = []
    if contact.filled:
        parts.append("filled " + ", ".join(contact.filled))
    parts += [f"overwrote {name} {_value(v['before'])} with {_value(v['after'])}"
              for name, v in contact.overwritten.items()]
    parts += [f"kept {name} {_value(v['crm'])} (file: {_value(v['file'])})" for name, v in contact.kept.items()]
    return "; ".join(parts)


def _value(value: Any) -> str:
    return value if value == PERSONAL else repr(value)

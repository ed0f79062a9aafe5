"""`crm-crew audit show|verify|export`: the HMAC-chained trail of every CRM write and review decision.

Exit codes: 0 done (verify: the trail is intact); 1 cannot run (e.g. no audit key); 2 usage error;
4 verify found the trail, its anchor or the journal's actions tampered with.
"""

from __future__ import annotations

import json
import os
import sys
from collections import deque
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, Optional

import typer

from crm_crew.cli.common import ConfigOption, JsonOption, err, load, open_store_for, out, state_home
from crm_crew.cli.csv_cells import csv_writer

if TYPE_CHECKING:
    from crm_crew.store.audit import AuditEntry
    from crm_crew.store.base import Store

audit_app = typer.Typer(help="The audit trail: every CRM write and review decision, chained with HMAC-SHA256 "
                             "so that edits, deletions and reordering are detected.", no_args_is_help=True)

RunFilter = Annotated[Optional[str], typer.Option("--run", metavar="RUN_ID", help="Only entries of this run.",
                                                  show_default=False)]


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


def export_columns() -> tuple[str, ...]:
    from crm_crew.store.rows import AUDIT_COLUMNS

    return AUDIT_COLUMNS


def _targets(store: "Store") -> Callable[[str | None], str | None]:
    """The CRM target of an entry's run (None for entries outside runs: imports), each run looked up once."""
    known: dict[str, str | None] = {}

    def target(run_id: str | None) -> str | None:
        if run_id is None:
            return None
        if run_id not in known:
            run = store.get_run(run_id)
            known[run_id] = (run.target or None) if run is not None else None
        return known[run_id]
    return target


@audit_app.command("show")
def show(
    run_id: RunFilter = None,
    record_id: Annotated[Optional[str], typer.Option(
        "--record", metavar="ID", show_default=False,
        help="Only entries about this record: a CRM record id (for a contact, also the activities, cases and "
             "tasks created for it), or an interaction id for review decisions.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show the newest N entries (newest last).")] = 200,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """Show audit entries: who changed what, when, in which run and on which CRM, before and after."""
    from crm_crew.cli.render_ledger import render_audit

    store = open_store_for(load(config))
    newest: deque[dict[str, Any]] = deque(maxlen=limit)
    total = 0
    try:
        target = _targets(store)
        for entry in store.audit_entries(run_id, record_id, attached=True):
            newest.append({**entry.to_dict(), "target": target(entry.run_id)})
            total += 1
    finally:
        store.close()
    if as_json:
        print(json.dumps(list(newest), indent=2))
    else:
        render_audit(out, list(newest), total)
    return 0


@audit_app.command("verify")
def verify(
    expect_head: Annotated[Optional[str], typer.Option(
        "--expect-head", metavar="HASH", show_default=False,
        help="A head hash you recorded earlier (verify, apply and run --apply print it): the trail must "
             "still contain it.")] = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """Check the whole trail with the audit key: the chain, its anchor, the journal's actions.

    Exit 0 when intact (the anchor then moves to the current head), 4 when anything is broken (and where)."""
    from crm_crew.errors import AuditBroken, StorageError
    from crm_crew.store.key_source import require_key
    from crm_crew.store.trail import anchor_file, is_embedded
    from crm_crew.store.verify import check_trail

    cfg = load(config)
    store = open_store_for(cfg)
    try:
        source = require_key(cfg.settings.audit.key_env, state_home(cfg), is_embedded(store))
        anchor = anchor_file(state_home(cfg), store, source.key)
        report = check_trail(store, source, anchor, expect_head)
        if report.ok:
            try:
                anchor.advance(report.head)
            except StorageError as exc:   # a read-only state folder: the trail is intact all the same
                err.print(f"warning: the anchor was not moved to the current head: {exc}", markup=False)
    finally:
        store.close()
    head = {"seq": report.head.seq, "hash": report.head.hash} if report.head else None
    problems = report.all_problems()
    if as_json:
        print(json.dumps({"ok": report.ok, "entries": report.chain.entries, "broken_seq": report.chain.broken_seq,
                          "problem": problems[0] if problems else None, "problems": problems, "head": head,
                          "actions": report.actions, "actions_unsealed": report.unsealed}, indent=2))
        return 0 if report.ok else AuditBroken.exit_code
    if not report.ok:
        raise AuditBroken("; ".join(problems))
    out.print(f"audit trail intact: {report.chain.entries} entries", markup=False)
    out.print(f"journal: {report.actions} actions, each as crm-crew wrote it"
              + (f" ({report.unsealed} planned without the audit key: apply refuses those)" if report.unsealed else ""),
              markup=False)
    if head is not None:
        out.print(f"head: entry {head['seq']} {head['hash']} (record it; later: crm-crew audit verify "
                  f"--expect-head {head['hash']})", markup=False)
    return 0


def _csv_row(entry: "AuditEntry", columns: tuple[str, ...]) -> list[Any]:
    data = entry.to_dict()
    row: list[Any] = []
    for column in columns:
        value = data[column]
        if column in ("before", "after"):
            value = "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
        row.append("" if value is None else value)
    return row


def _write(entries: Any, fmt: ExportFormat, stream: IO[str]) -> int:
    columns = export_columns()
    count = 0
    writer = None
    if fmt is ExportFormat.csv:
        writer = csv_writer(stream)
        writer.writerow(columns)
    for entry in entries:
        if writer is not None:
            writer.writerow(_csv_row(entry, columns))
        else:
            data = entry.to_dict()
            stream.write(json.dumps({c: data[c] for c in columns}, ensure_ascii=False) + "\n")
        count += 1
    return count


@audit_app.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format", help="jsonl: one entry per line; csv: before/after "
                                                               "as JSON text.")] = ExportFormat.jsonl,
    out_file: Annotated[Optional[Path], typer.Option("--out", metavar="FILE", show_default=False,
                                                     help="Write to FILE (default: stdout).")] = None,
    run_id: RunFilter = None,
    config: ConfigOption = None,
) -> int:
    """Export audit entries with every column, including seq, prev_hash and hash."""
    store = open_store_for(load(config))
    try:
        entries = store.audit_entries(run_id)
        if out_file is None:
            _write(entries, fmt, sys.stdout)
            sys.stdout.flush()
            return 0
        count = _export_to_file(entries, fmt, out_file)
    finally:
        store.close()
    err.print(f"exported {count} audit entries to {out_file}")
    return 0


def _export_to_file(entries: Any, fmt: ExportFormat, path: Path) -> int:
    """Write next to `path`, then rename: a reader never sees half an export."""
    from crm_crew.errors import UserError

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as stream:
            count = _write(entries, fmt, stream)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    return count

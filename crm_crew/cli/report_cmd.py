"""`crm-crew report RUN_ID`: the run report, one self-contained HTML page (or Markdown) to open or send.

Exit codes: 0 the report is made; 1 no such run, or the file cannot be written; 2 usage error;
4 the report is made but the audit trail or the journal does not verify (the report says where).
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from crm_crew.cli.common import ConfigOption, err, load, open_store_for, state_home

if TYPE_CHECKING:
    from crm_crew.observability.report.gather import RunData
    from crm_crew.store.base import Store


class ReportFormat(str, Enum):
    html = "html"
    md = "md"


def format_for(path: Path) -> ReportFormat:
    """`run --report FILE`: Markdown for a .md file, else HTML."""
    return ReportFormat.md if path.suffix.lower() in (".md", ".markdown") else ReportFormat.html


def write_report(store: "Store", home: Path, key_env: str, run_id: str, path: Path, fmt: ReportFormat,
                 quiet: bool = False) -> "RunData":
    """Make the report of `run_id` and write it to `path`; tell stderr where (unless quiet), and what is
    unusual about it (always)."""
    from crm_crew.observability.report.output import make_report, write_text

    data, text = make_report(store, home, run_id, key_env, fmt.value)
    write_text(path, text)
    if not quiet:
        err.print(f"report of run {run_id} written to {path}", markup=False)
    tell_state(data)
    return data


def tell_state(data: "RunData") -> None:
    if data.state == "running":
        err.print(f"note: run {data.info.run_id} is still running: the report shows what is journaled so far",
                  markup=False)
    elif data.state in ("interrupted", "died"):
        err.print(f"note: run {data.info.run_id} {data.state}: the report shows what is journaled", markup=False)
    if data.trail.ok is False:
        err.print("the audit trail does not verify: see the report's \"Audit trail\" section and run "
                  "`crm-crew audit verify`", markup=False)


def open_in_browser(path: Path) -> None:
    import webbrowser

    try:
        opened = webbrowser.open(path.absolute().as_uri())
    except webbrowser.Error:
        opened = False
    if not opened:
        err.print(f"no web browser found to open it: open {path} yourself", markup=False)


def report(
    run_id: Annotated[str, typer.Argument(help="The run to report on (see `crm-crew runs`).", show_default=False)],
    out_file: Annotated[Optional[Path], typer.Option(
        "--out", metavar="FILE", show_default=False,
        help="Write the report to FILE (default: stdout; with --open, runs/RUN_ID/report.html in the state "
             "folder).")] = None,
    open_it: Annotated[bool, typer.Option("--open", help="Open the report in the web browser.")] = False,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", help="html: one self-contained page (inline charts, no script); md: Markdown tables for a "
                         "ticket or a chat.")] = ReportFormat.html,
    config: ConfigOption = None,
) -> int:
    """The run report: summary, charts, CRM writes, the review queue, rejects, the audit check, insights."""
    from crm_crew.observability.report.output import check_writable, make_report

    if out_file is not None:
        check_writable(out_file)
    cfg = load(config)
    home = state_home(cfg)
    store = open_store_for(cfg)
    key_env = cfg.settings.audit.key_env
    try:
        if out_file is None and not open_it:
            data, text = make_report(store, home, run_id, key_env, fmt.value)
            sys.stdout.write(text)
            sys.stdout.flush()
            tell_state(data)
        else:
            path = out_file or _default_path(home, run_id, fmt)
            data = write_report(store, home, key_env, run_id, path, fmt)
            if open_it:
                open_in_browser(path)
    finally:
        store.close()
    return 4 if data.trail.ok is False else 0


def _default_path(home: Path, run_id: str, fmt: ReportFormat) -> Path:
    from crm_crew.storage import ensure_folder

    folder = home / "runs" / run_id
    ensure_folder(folder)
    return folder / f"report.{fmt.value}"


def register(app: Any) -> None:
    app.command()(report)

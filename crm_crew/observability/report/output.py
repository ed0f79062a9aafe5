"""Making a report and putting it where asked: a file (written whole or not at all), or stdout."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from crm_crew.errors import UserError
from crm_crew.observability.report.content import build_document
from crm_crew.observability.report.gather import RunData, gather
from crm_crew.observability.report.html_page import render_html
from crm_crew.observability.report.markdown import render_markdown
from crm_crew.store.base import Store

Format = Literal["html", "md"]


def render(data: RunData, fmt: Format) -> str:
    document = build_document(data)
    return render_html(document) if fmt == "html" else render_markdown(document)


def check_writable(path: Path) -> None:
    """Fail before any work when `path` cannot be written: a missing or read-only folder, a folder in its place."""
    folder = path.absolute().parent
    if path.is_dir():
        raise UserError(f"cannot write the report to {path}: it is a folder; give a file name, "
                        f"e.g. {path / 'report.html'}")
    if not folder.is_dir():
        raise UserError(f"cannot write the report to {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UserError(f"cannot write the report to {path}: permission denied")


def write_text(path: Path, text: str) -> None:
    """Write next to `path`, then rename: a reader (or a mail client) never sees half a report."""
    check_writable(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"cannot write the report to {path}: {exc.strerror or exc}") from None


def make_report(store: Store, home: Path, run_id: str, key_env: str, fmt: Format) -> tuple[RunData, str]:
    data = gather(store, home, run_id, key_env)
    return data, render(data, fmt)

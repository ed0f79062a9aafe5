"""Where a run's progress, messages and summary go: the terminal, a log file (`--log-file`), or,
with `--quiet` (for cron), nowhere unless the run needs a look."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from rich.console import Console

from crm_crew.cli.common import err, out
from crm_crew.cli.terminal import DataConsole
from crm_crew.errors import UserError

_LOG_WIDTH = 160


class RunOutput:
    def __init__(self, quiet: bool, log_file: Path | None) -> None:
        self.quiet = quiet
        self.log_path = log_file.absolute() if log_file is not None else None
        self._handle: TextIO | None = None
        self.log: Console | None = None

    def __enter__(self) -> "RunOutput":
        if self.log_path is not None:
            try:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = self.log_path.open("a", encoding="utf-8")
            except OSError as exc:
                raise UserError(f"cannot write --log-file {self.log_path}: {exc.strerror or exc}") from None
            self.log = DataConsole(file=self._handle, width=_LOG_WIDTH, force_terminal=False)
            self.log.print(f"== crm-crew run, {datetime.now(timezone.utc).isoformat(timespec='seconds')}")
        return self

    @property
    def progress(self) -> Console | None:
        """Progress lines go to the log file when there is one, else to stderr unless quiet."""
        if self.log is not None:
            return self.log
        return None if self.quiet else err

    def message(self, text: str) -> None:
        """Something the user must read (an interruption, an error): stderr always, and the log."""
        err.print(text)
        if self.log is not None:
            self.log.print(text)

    def summary(self, summary: dict[str, Any], as_json: bool, rejects: Path | None) -> None:
        from crm_crew.cli.render import render_summary

        if self.log is not None:
            render_summary(self.log, summary)
            if rejects is not None:
                self.log.print(f"some records were rejected or failed: see {rejects}")
        if self.quiet and summary["exit_code"] == 0:
            return            # cron: a clean run prints nothing
        if as_json:
            print(json.dumps(summary, indent=2))
        else:
            render_summary(out, summary)
        if rejects is not None:
            err.print(f"some records were rejected or failed: see {rejects}")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.log is not None and exc is not None and not isinstance(exc, KeyboardInterrupt):
            self.log.print(f"error: {exc}")
        if self._handle is not None:
            try:
                self._handle.close()
            except OSError:
                pass

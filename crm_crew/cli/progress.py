"""Run progress: a Rich bar (count, rate, ETA) on a terminal, plain lines otherwise, nothing without a console."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class RunProgress:
    def __init__(self, console: Console | None, total: int | None, done_before: int = 0) -> None:
        self.console = console
        self.total = total
        self.done = done_before      # a resumed run counts on from what it journaled before
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> "RunProgress":
        if self.console is not None and self.console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]crm-crew[/bold]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f}/s"), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), console=self.console, transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("run", total=self.total, completed=self.done, rate=0.0)
        self._started_at = self.done
        return self

    def advance(self, record: dict[str, Any]) -> None:
        self.done += 1
        if self.total is not None and self.done > self.total:
            self.total = self.done      # the estimate was short (a record split in several rejects)
        if self._bar is not None:
            elapsed = self._bar.tasks[0].elapsed or 0.0
            rate = (self.done - self._started_at) / elapsed if elapsed else 0.0
            self._bar.update(self._task, advance=1, total=self.total, rate=rate)
            return
        if self.console is None:
            return
        total = f"/{self.total}" if self.total else ""
        detail = record.get("intent") or record.get("error") or ""
        self.console.print(f"[{self.done}{total}] {record['interaction_id']} {record['status']} {detail}")

    def batch_polled(self, batch_id: str, counts: dict[str, int]) -> None:
        """A Message Batch's state after a poll (a line each time, above the bar on a terminal)."""
        if self.console is None:
            return
        parts = ", ".join(f"{counts.get(k, 0)} {k}" for k in ("succeeded", "errored", "expired", "processing"))
        self.console.print(f"batch {batch_id}: {parts}")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

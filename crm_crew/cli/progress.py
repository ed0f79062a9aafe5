"""Run progress: a Rich bar (count, rate, ETA) on a terminal, plain lines otherwise."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn


class RunProgress:
    def __init__(self, console: Console, total: int | None) -> None:
        self.console = console
        self.total = total
        self.done = 0
        self._bar: Progress | None = None
        self._task: Any = None

    def __enter__(self) -> "RunProgress":
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("[bold]crm-crew[/bold]"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f}/s"), TimeElapsedColumn(), TextColumn("ETA"),
                TimeRemainingColumn(), console=self.console, transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("run", total=self.total, rate=0.0)
        return self

    def advance(self, record: dict[str, Any]) -> None:
        self.done += 1
        if self._bar is not None:
            elapsed = self._bar.tasks[0].elapsed or 0.0
            self._bar.update(self._task, advance=1, rate=self.done / elapsed if elapsed else 0.0)
            return
        total = f"/{self.total}" if self.total else ""
        detail = record.get("intent") or record.get("error") or ""
        self.console.print(f"[{self.done}{total}] {record['interaction_id']} {record['status']} {detail}")

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

"""A run as `runs` and `show` present it: its true status, and counts from the journal until it has a summary."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from crm_crew.pipeline.run_lock import run_is_live, runs_folder
from crm_crew.pipeline.summary import run_figures
from crm_crew.store.base import RunInfo, Store

JOURNAL_FIGURES = ("interactions", "by_status", "actions")


def true_status(home: Path, info: RunInfo) -> str:
    """`running` only while a process holds the run's lock; a run killed without a word is `interrupted`."""
    if info.status == "running" and not run_is_live(home, info.run_id):
        return "interrupted"    # `run --resume` finishes it
    return info.status


def run_view(home: Path, store: Store, info: RunInfo) -> dict[str, Any]:
    """The run's fields with its true status; a run that has not finished gets `journal`: what is journaled so far."""
    runs_folder(home)      # a file there is named before a status is guessed without locks
    shown = asdict(info)
    shown["status"] = true_status(home, info)
    if info.status != "finished":
        figures = run_figures(store.results(info.run_id))
        shown["journal"] = {key: figures[key] for key in JOURNAL_FIGURES}
    return shown


def counts(run: dict[str, Any]) -> dict[str, Any]:
    """The figures to show for a run as `run_view` made it: the journal's until the run has its summary."""
    return run.get("journal") or run["summary"]

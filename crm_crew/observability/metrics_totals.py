"""Totals of every run of one run name, kept in the state folder so the pushed counters only ever grow.

The file holds the totals before the latest run (`base`) and the latest run's own figures (`last`), so a
resumed run (same run id), whose summary counts the whole run, replaces its earlier figures instead of adding
them twice.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_crew.observability.metrics_tally import RunTally


@dataclass
class Totals:
    base: RunTally
    runs: dict[str, int] = field(default_factory=dict)


def totals_path(home: Path, run_name: str) -> Path:
    return home / "metrics" / f"{run_name}.json"


def load_totals(path: Path, run_id: str, rule_names: dict[str, str]) -> Totals:
    """The totals this run adds to: without the latest run's figures when this run is that run resumed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Totals(RunTally(rule_names))
    base = RunTally.from_json(data.get("base") or {}, rule_names)
    runs = {str(k): int(v) for k, v in (data.get("base_runs") or {}).items()}
    if data.get("last_run_id") != run_id:
        base = base.merge(RunTally.from_json(data.get("last") or {}, rule_names))
        last_outcome = data.get("last_outcome")
        if isinstance(last_outcome, str):
            runs[last_outcome] = runs.get(last_outcome, 0) + 1
    return Totals(base, runs)


def save_totals(path: Path, totals: Totals, run_id: str, tally: RunTally, outcome: str) -> None:
    data: dict[str, Any] = {"base": totals.base.to_json(), "base_runs": totals.runs, "last_run_id": run_id,
                            "last": tally.to_json(), "last_outcome": outcome}
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(f".{os.getpid()}.tmp")
    scratch.write_text(json.dumps(data), encoding="utf-8")
    os.replace(scratch, path)

"""Two runs over overlapping inboxes, at the same time, against the same CRM and journal."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crm_crew.testing.synthetic import generate
from tests.e2e.backends import Emulators, make_backend
from tests.e2e.killing import crm_state, duplicates, finish, spawn


def _inbox(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.slow(seconds=70)
@pytest.mark.parametrize("name", ["local"])
def test_overlapping_runs_never_both_apply_the_same_action(name: str, emulators: Emulators, tmp_path: Path) -> None:
    records = list(generate(60, seed=3))
    first = _inbox(tmp_path / "first.jsonl", records[:40])
    second = _inbox(tmp_path / "second.jsonl", records[20:])
    everything = _inbox(tmp_path / "all.jsonl", records)

    shared = make_backend(name, emulators, tmp_path / "shared")
    procs = [spawn(shared, "run", str(first), "--apply", "--run-id", "a"),
             spawn(shared, "run", str(second), "--apply", "--run-id", "b")]
    for proc in procs:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode in (0, 3), err

    clean = make_backend("local", emulators, tmp_path / "clean")
    assert finish(clean, "run", str(everything), "--apply", "--run-id", "all").returncode in (0, 3)
    state = crm_state(shared)
    assert duplicates(state) == {}
    # A contact takes its name from whichever of its messages is worked first (a later message never renames
    # it), and which is first depends on the overlap: compare everything else exactly.
    assert _unnamed(state) == _unnamed(crm_state(clean))

    applied: Counter[tuple[str, str, str]] = Counter()
    skipped_notes: list[str] = []
    for run_id in ("a", "b"):
        for record in shared.cli("show", run_id, "--json").json()["results"]:
            for action in record["actions"]:
                if action["status"] == "skipped":
                    skipped_notes.append(action.get("note") or "")
                if action["status"] == "applied":
                    kind = str(action["fields"].get("kind", "")) if action["type"] == "create_task" else ""
                    applied[(record["interaction_id"], action["type"], kind)] += 1
    assert applied and max(applied.values()) == 1          # each change applied by exactly one of the runs
    overlap = {r["id"] for r in records[20:40]}
    assert any(i in overlap for i, _, _ in applied)
    # The overlap met the other run's work: recognized as its duplicates, or its writes found already applied.
    summaries = {r["run_id"]: r["summary"] for r in shared.cli("runs", "--json").json()}
    met = summaries["a"]["duplicates"] + summaries["b"]["duplicates"] \
        + sum(n.startswith("already applied in run") for n in skipped_notes)
    assert met > 0
    audit = shared.cli("audit", "show", "--json", "--limit", "100000").json()
    writes = [e for e in audit if e["outcome"] == "applied" and e["run_id"] in ("a", "b")]
    assert len(writes) == sum(applied.values())
    assert shared.cli("audit", "verify").code == 0


def _unnamed(state: dict[str, Any]) -> dict[str, Any]:
    contacts = [{k: v for k, v in c.items() if k not in ("first_name", "last_name")} for c in state["contacts"]]
    return {**state, "contacts": contacts}

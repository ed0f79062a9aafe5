"""Done means: the sample inbox, `run --apply`, gives the same results on every connector as on the local CRM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.backends import REMOTE, Backend, Emulators, comparable, make_backend
from tests.e2e.clihelp import SAMPLES, read_jsonl


def _outcome(record: dict[str, Any]) -> dict[str, Any]:
    """What a result record says, minus the ids and timings that differ between CRMs."""
    return {
        "status": record["status"], "intent": record["intent"], "urgency": record["urgency"],
        "escalation": record["escalation"], "match": record["contact"]["match"],
        "email": record["contact"]["email"], "reply": record["reply"],
        "actions": [(a["type"], a["status"], {k: v for k, v in a["fields"].items() if k != "contact_id"})
                    for a in record["actions"]],
    }


def _run(backend: Backend, tmp_path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    out = tmp_path / f"{backend.name}.jsonl"
    result = backend.cli("run", str(SAMPLES / "inbox.jsonl"), "--apply", "--json", "--out", str(out))
    assert result.code == 0, result.err
    records = {r["interaction_id"]: _outcome(r) for r in read_jsonl(out)}
    return result.json(), records, comparable(backend.export())


@pytest.fixture(scope="module")
def local_run(tmp_path_factory: pytest.TempPathFactory,
              emulators: Emulators) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("local")
    return _run(make_backend("local", emulators, tmp), tmp)


@pytest.mark.parametrize("name", REMOTE)
def test_same_results_and_crm_state_as_the_local_crm(name: str, local_run: Any, emulators: Emulators,
                                                     tmp_path: Path) -> None:
    summary, records, state = _run(make_backend(name, emulators, tmp_path), tmp_path)
    local_summary, local_records, local_state = local_run
    assert summary["actions"] == local_summary["actions"]
    assert summary["actions"]["applied"] >= 30 and summary["actions"]["failed"] == 0
    assert summary["by_status"] == local_summary["by_status"]
    assert summary["by_intent"] == local_summary["by_intent"]
    for interaction_id, outcome in local_records.items():
        assert records[interaction_id] == outcome, interaction_id
    assert state == local_state

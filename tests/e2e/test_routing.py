"""Routing through the real CLI: routine interactions take the one-call lean route, sensitive ones the full
crew, and both routes reach the same records."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import CONFIG, SAMPLES, cli, read_jsonl


def _config(tmp: Path, name: str, edits: list[tuple[str, str]]) -> Path:
    conf = tmp / name
    shutil.copytree(CONFIG, conf)
    settings = conf / "crm-crew.yaml"
    text = settings.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    settings.write_text(text)
    return conf


def _run(tmp: Path, name: str, conf: Path | None = None) -> dict[str, Any]:
    home = tmp / name
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
    out = home / "results.jsonl"
    args = ["run", str(SAMPLES / "inbox.jsonl"), "--out", str(out), "--json", "--run-id", name]
    result = cli(*args, *(["--config", str(conf)] if conf else []), home=home)
    assert result.code == 0, result.err
    return {"summary": result.json(), "records": {r["interaction_id"]: r for r in read_jsonl(out)}}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("routing")
    off = _config(tmp, "conf-off", [("routing:\n  # The coordinator", "routing:\n  # The coordinator"),
                                    ("  enabled: true\n  lean:", "  enabled: false\n  lean:")])
    return {"routed": _run(tmp, "routed"), "full": _run(tmp, "full", off)}


def _essence(record: dict[str, Any]) -> tuple[Any, ...]:
    """The record without the CRM ids, which differ between the two CRMs the runs read."""
    contact = {k: v for k, v in record["contact"].items() if k != "id"}
    actions = [(a["type"], {k: v for k, v in a["fields"].items() if k != "contact_id"}) for a in record["actions"]]
    return (record["status"], record["intent"], record["urgency"], record["sentiment"], record["confidence"],
            contact, record["reply"], record["escalation"], actions)


def test_both_routes_reach_the_same_records(runs: dict[str, dict[str, Any]]) -> None:
    routed, full = runs["routed"]["records"], runs["full"]["records"]
    assert routed.keys() == full.keys() and len(routed) == 27
    assert {k: _essence(r) for k, r in routed.items()} == {k: _essence(r) for k, r in full.items()}


def test_routine_interactions_cost_one_call_and_sensitive_ones_go_to_the_full_crew(
        runs: dict[str, dict[str, Any]]) -> None:
    records = runs["routed"]["records"]
    lean = [r for r in records.values() if r["route"] == "lean"]
    full = {k: r for k, r in records.items() if r["route"] == "full"}
    assert len(lean) >= 18
    assert all(r["llm"]["calls"] == 1 and r["route_reason"] == "routine" for r in lean)
    # the coordinator delegates each decision to one coworker, whose step is one call: 3 + 1 + 1 calls, and
    # the lean call before them when the lean answer sent the interaction on
    assert all(r["llm"]["calls"] == 5 + (not r["route_reason"].startswith(("security", "contact tier")))
               for r in full.values())
    assert runs["routed"]["summary"]["by_route"]["full"]["calls_per_interaction"] <= 6
    reasons = {r["route_reason"] for r in full.values()}
    assert "security flags: prompt_injection" in reasons
    assert any(reason.startswith("contact tier enterprise") for reason in reasons)
    assert all(r["route"] == "full" and r["route_reason"] == "routing is off"
               for r in runs["full"]["records"].values())


def test_the_summary_accounts_calls_and_cost_per_route(runs: dict[str, dict[str, Any]]) -> None:
    summary, records = runs["routed"]["summary"], runs["routed"]["records"]
    by_route = summary["by_route"]
    assert set(by_route) == {"lean", "full"}
    assert sum(r["interactions"] for r in by_route.values()) == 27
    assert sum(r["calls"] for r in by_route.values()) == summary["records_llm"]["llm_calls"] == sum(
        r["llm"]["calls"] for r in records.values())
    # the summary's total also counts the run level's calls (the closing analytics step)
    assert summary["llm_calls"] == summary["records_llm"]["llm_calls"] + summary["run_level_llm"]["calls"]
    assert by_route["lean"]["calls_per_interaction"] == 1.0
    assert summary["cost_usd"] == 0.0 and summary["unpriced_models"] == []   # the offline model is free
    assert summary["llm_calls"] * 2 < runs["full"]["summary"]["llm_calls"]


def test_routing_rules_come_from_the_yaml(tmp_path: Path) -> None:
    conf = _config(tmp_path, "conf", [("    intents: []                  # the lean answer's intent is one of these",
                                       "    intents: [billing]")])
    records = _run(tmp_path, "billing-full", conf)["records"].values()
    billing = [r for r in records if r["intent"] == "billing"]
    assert billing and all(r["route"] == "full" and r["route_reason"] == "intent billing" for r in billing)

"""Run totals across runs of one name, escalation reasons as bounded labels, and the pushes a run makes while
it works (on the tests' own Pushgateway)."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

from crm_crew.config.loader import load_config
from crm_crew.observability.metrics_push import RunPusher
from crm_crew.observability.metrics_tally import RunTally, reason_kind, rule_names
from crm_crew.observability.metrics_totals import load_totals, save_totals
from crm_crew.pipeline.flow import NO_ASSESSMENT
from crm_crew.pipeline.identity import DIFFERENT_SENDER
from tests.e2e.clihelp import CONFIG
from tests.servers_fixtures import PrometheusStack, prometheus_stack  # noqa: F401  (session fixture)


def tally_of(*statuses: str) -> RunTally:
    tally = RunTally()
    for status in statuses:
        tally.add({"status": status, "route": "lean", "intent": "billing", "language": "en", "urgency": "low"})
    return tally


def total(tally: RunTally) -> int:
    return sum(tally.interactions.values())


def test_a_new_run_adds_to_the_totals_and_a_resumed_run_replaces_its_own_figures(tmp_path: Path) -> None:
    path = tmp_path / "nightly.json"
    first = load_totals(path, "run-1", {})
    save_totals(path, first, "run-1", tally_of("processed", "failed"), "failed")
    resumed = load_totals(path, "run-1", {})            # run-1 again: its earlier figures are not the base
    assert total(resumed.base) == 0 and resumed.runs == {}
    save_totals(path, resumed, "run-1", tally_of("processed", "processed", "processed"), "success")
    second = load_totals(path, "run-2", {})
    assert total(second.base) == 3 and second.runs == {"success": 1}


def test_escalation_reasons_become_rule_names_or_fixed_kinds() -> None:
    rules = rule_names(load_config(CONFIG).settings)
    reason, name = next(iter(rules.items()))
    assert reason_kind(f"{reason}; {DIFFERENT_SENDER}", rules) == name
    assert reason_kind(DIFFERENT_SENDER, rules) == "held_action"
    assert reason_kind(NO_ASSESSMENT, rules) == "no_assessment"
    assert reason_kind("jane@example.com wrote something new", rules) == "other"


def test_a_working_run_pushes_what_it_counted_so_far(tmp_path: Path,
                                                     prometheus_stack: PrometheusStack) -> None:  # noqa: F811
    config = load_config(CONFIG)
    config.settings.metrics.run_name = "in-progress-test"
    pusher = RunPusher(prometheus_stack.pushgateway_url, config, tmp_path, None, 0.2).start()
    pusher.observe({"status": "processed", "route": "lean", "intent": "billing", "language": "en"})

    def pushed() -> str:
        with urllib.request.urlopen(f"{prometheus_stack.pushgateway_url}/metrics", timeout=5) as answer:
            return "\n".join(line for line in answer.read().decode().splitlines() if 'run="in-progress-test"' in line)

    deadline = time.monotonic() + 10
    while "crm_crew_interactions_total" not in pushed():
        assert time.monotonic() < deadline, "no push while the run works"
        time.sleep(0.1)
    assert "crm_crew_run_in_progress" in pushed() and "crm_crew_last_success" not in pushed()
    pusher.failed("run-x", store=None)
    lines = pushed()
    assert 'crm_crew_runs_total{instance="",job="crm-crew",outcome="failed",run="in-progress-test"} 1' in lines
    assert "crm_crew_last_success" not in lines


def test_agents_mcp_calls_are_counted_by_server_and_tool_and_kept_in_the_totals(tmp_path: Path) -> None:
    from prometheus_client import generate_latest

    from crm_crew.observability.metrics_run import RunState, run_registry

    tally = RunTally()
    tally.add({"status": "processed", "tools_used": ["data:match_contact", "data:mcp:directory.lookup_company",
                                                      "data:mcp:directory.lookup_company",
                                                      "communication:mcp:tickets (unavailable)"]})
    assert dict(tally.mcp_calls) == {("directory", "lookup_company"): 2, ("tickets", "unavailable"): 1}
    again = RunTally.from_json(tally.to_json()).merge(tally)      # as the totals file carries it
    assert again.mcp_calls[("directory", "lookup_company")] == 4
    text = generate_latest(run_registry(again, RunState(started_at=time.time()))).decode()
    assert 'crm_crew_mcp_tool_calls_total{server="directory",tool="lookup_company"} 4.0' in text

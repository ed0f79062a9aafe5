"""The Grafana dashboard and the Prometheus alert rules: valid, parsed by promtool, and naming only metrics
that crm-crew exports (collected from its registries)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from crm_crew.observability import metrics_worker
from crm_crew.observability.metrics_run import RunState, run_registry
from crm_crew.observability.metrics_tally import RunTally
from crm_crew.observability.metrics_watch import WatchState, watch_registry
from tests.servers_fixtures import redis_url  # noqa: F401  (session fixture)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "crm-crew.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
NAME = re.compile(r"\bcrm_crew_[a-z0-9_]+")


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool was not found: install it with `apt-get install prometheus` (scripts/test.sh does)")
    return found


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def rule_exprs() -> list[str]:
    return [r["expr"] for g in yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"] for r in g["rules"]]


def exported_names(redis_url: str) -> set[str]:  # noqa: F811
    """Every sample name crm-crew exposes: a run's push (every series present), a watch's, a worker's /metrics."""
    tally = RunTally()
    tally.add({"status": "escalated", "route": "lean", "escalation": {"reason": "x"}, "actions": [
        {"type": "log_activity", "status": "planned"}], "llm": {"fallback": "budget", "by_model": {"m": {
            "calls": 1, "cache_hits": 1, "rate_limited": 1, "retries": 1, "input_tokens": 1, "output_tokens": 1,
            "cache_read_tokens": 1, "cache_write_tokens": 1, "cost_usd": 1.0}}}})
    state = RunState(1.0, 2.0, 1.0, True, {"success": 1}, 0, 1, 1.0)
    registries = [run_registry(tally, state), watch_registry(WatchState(1, 1, 1.0, True))]
    from prometheus_client import REGISTRY

    metrics_worker.instrument()
    registries.append(REGISTRY)
    names = {s.name for registry in registries for m in registry.collect() for s in m.samples}
    names |= {s.name for m in metrics_worker.QueueCollector(redis_url).collect() for s in m.samples}
    return {n for n in names if n.startswith("crm_crew_")}


def test_the_dashboard_is_grafana_json_on_a_datasource_variable_without_fixed_uids() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(dashboard["schemaVersion"], int) and dashboard["uid"] is None
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)) >= 20
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
            assert panel["targets"] and all(t["datasource"]["uid"] == "${datasource}" for t in panel["targets"])


def test_the_alert_rules_pass_promtool() -> None:
    checked = subprocess.run([promtool(), "check", "rules", str(ALERTS)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 9 rules found" in checked.stdout


def test_every_expression_parses_and_names_only_exported_metrics(tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    exprs = [e.replace("$__range", "1d").replace("$run", ".*") for e in dashboard_exprs()] + rule_exprs()
    rules = {"groups": [{"name": "parse", "rules": [{"record": f"crm_crew:check_{i}", "expr": e}
                                                    for i, e in enumerate(exprs)]}]}
    path = tmp_path / "parse.yml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    checked = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    exported = exported_names(redis_url)
    used = {name for e in exprs for name in NAME.findall(e)}
    assert used - exported == set()
    assert {"crm_crew_stage_duration_seconds_bucket", "crm_crew_queue_dead_letters",
            "crm_crew_last_success_timestamp_seconds", "crm_crew_tokens_total",
            "crm_crew_watch_last_check_timestamp_seconds"} <= used

"""With an Anthropic key, crm-crew's agents run on Claude: the real CLI, the real SDK and crewai's native tool
calling against the fake Messages API, whose scripted "Claude" (crew_policy) plays the offline model's
playbook. So a run on anthropic/... must give the same records as an offline run of the same inbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.config.loader import load_config
from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.crew_policy import crew_policy
from tests.e2e.claude_env import CLAUDE, decisions, make_config, run, write_inbox
from tests.e2e.clihelp import CONFIG, cli, read_jsonl

pytestmark = pytest.mark.slow(seconds=40)

# complaint + case, quote + task + lead status, opt-out, spam, an ambiguous escalation, critical + case + task
PICKED = ("msg-002", "msg-004", "msg-005", "msg-006", "msg-009", "msg-010")


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(policy=crew_policy(load_config(CONFIG).settings)) as fake:
        yield fake


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inbox(tmp_path_factory.mktemp("inbox"), PICKED)


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory, inbox: Path, server: FakeAnthropic) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("offline")
    return run(tmp / "home", make_config(tmp / "config", server.url), inbox)


@pytest.mark.parametrize("routing", [False, True], ids=["full-crew", "routed"])
def test_a_run_on_claude_decides_like_the_offline_model(
        tmp_path: Path, inbox: Path, server: FakeAnthropic, offline: dict[str, Any], routing: bool) -> None:
    server.reset()
    config = make_config(tmp_path / "config", server.url, routing=routing)

    claude = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, env={"ANTHROPIC_API_KEY": server.api_key})

    assert decisions(claude["records"]) == decisions(offline["records"])
    assert {d["status"] for d in decisions(claude["records"]).values()} == {"processed", "escalated"}
    stats = server.stats()
    assert stats["errors"] == {} and stats["rate_limited"] == 0
    assert set(stats["per_model"]) == {"claude-haiku-4-5"}
    model_calls = sum(r["llm"]["calls"] for r in claude["records"])
    assert 0 < model_calls <= stats["requests"]
    routes = {r["interaction_id"]: r.get("route") for r in claude["records"]}
    if routing:                           # routine ones in one lean call, the others through the crew
        assert set(routes.values()) == {"lean", "full"}
    else:                                 # every interaction went through the crew: coordinator 3 calls, each
        assert set(routes.values()) <= {"full", None} and model_calls == 5 * len(PICKED)   # coworker one


def test_an_agent_on_claude_in_agents_yaml_needs_no_llm_flag(
        tmp_path: Path, inbox: Path, server: FakeAnthropic, offline: dict[str, Any]) -> None:
    server.reset()
    config = make_config(tmp_path / "config", server.url, agent_llms={"communication": CLAUDE})

    claude = run(tmp_path / "home", config, inbox, env={"ANTHROPIC_API_KEY": server.api_key})

    assert decisions(claude["records"]) == decisions(offline["records"])
    requests = server.stats()["requests"]
    # only the communication agent calls the API: its one call per interaction, not the whole crew's
    assert requests == len(PICKED)


@pytest.mark.parametrize("how", ["flag", "agents.yaml"])
def test_a_missing_api_key_stops_the_run_before_any_record(
        tmp_path: Path, inbox: Path, server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    server.reset()
    config = make_config(tmp_path / "config", server.url,
                         agent_llms={"communication": CLAUDE} if how == "agents.yaml" else None)
    out = tmp_path / "results.jsonl"
    args = ["--llm", CLAUDE] if how == "flag" else []

    result = cli("run", str(inbox), "--out", str(out), "-c", str(config), *args, home=tmp_path / "home")

    assert result.code == 1
    assert "ANTHROPIC_API_KEY" in result.err
    assert not out.exists() or not read_jsonl(out)
    assert server.stats()["requests"] == 0

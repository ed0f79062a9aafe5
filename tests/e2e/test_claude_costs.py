"""Cost control on "Claude", through the real CLI and the real SDK against the fake Messages API: calls per
route, cost from the price table, the response cache, the token budget, 429s and the circuit breaker."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.config.loader import load_config
from crm_crew.llm.lean_protocol import LEAN_MARKER
from crm_crew.pipeline.flow import MODEL_DOWN
from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.anthropic_policies import Reply
from crm_crew.testing.crew_policy import crew_policy, system_text
from tests.e2e.claude_env import CLAUDE, make_config, run, write_inbox
from tests.e2e.clihelp import CONFIG, cli, read_jsonl

pytestmark = pytest.mark.slow(seconds=40)

# routine ones (support, complaint, billing, quote, opt-out, spam, feedback) and one prompt injection
PICKED = ("msg-001", "msg-002", "msg-003", "msg-004", "msg-005", "msg-006", "msg-007", "msg-011")
HAIKU = {"input": 1.0, "output": 5.0, "cache_read": 0.1, "cache_write_5m": 1.25, "cache_write_1h": 2.0}  # USD / Mtok


@pytest.fixture(scope="module")
def policy() -> Any:
    return crew_policy(load_config(CONFIG).settings)


@pytest.fixture(scope="module")
def server(policy: Any) -> Iterator[FakeAnthropic]:
    with FakeAnthropic(policy=policy) as fake:
        yield fake


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inbox(tmp_path_factory.mktemp("inbox"), PICKED)


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory, server: FakeAnthropic, inbox: Path) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("routed")
    server.reset()
    config = make_config(tmp / "config", server.url, routing=True)
    result = run(tmp / "home", config, inbox, "--llm", CLAUDE, "--run-id", "first",
                 env={"ANTHROPIC_API_KEY": server.api_key})
    return {**result, "tmp": tmp, "config": config, "stats": server.stats()}


def _priced(llm: dict[str, Any]) -> float:
    return (llm["input_tokens"] * HAIKU["input"] + llm["output_tokens"] * HAIKU["output"]
            + llm["cache_read_tokens"] * HAIKU["cache_read"] + llm["cache_write_5m_tokens"] * HAIKU["cache_write_5m"]
            + llm["cache_write_1h_tokens"] * HAIKU["cache_write_1h"]) / 1_000_000


def test_routine_interactions_cost_one_call_and_every_call_is_accounted_and_priced(routed: dict[str, Any]) -> None:
    records, summary, stats = routed["records"], routed["summary"], routed["stats"]
    lean = [r for r in records if r["route"] == "lean"]
    full = [r for r in records if r["route"] == "full"]
    assert len(lean) >= 5 and "msg-007" in {r["interaction_id"] for r in full}
    assert all(r["route_reason"] != "routine" for r in full)
    assert all(r["llm"]["calls"] == 1 and r["llm"]["models"] == {"claude-haiku-4-5": 1} for r in lean)
    assert all(5 <= r["llm"]["calls"] <= 6 for r in full)     # the crew's 5, after the lean call or not
    # every request the API answered is in the summary's totals: the records' and the analytics step's
    assert stats["requests"] == summary["llm_calls"] == summary["records_llm"]["llm_calls"] + \
        summary["analytics_llm"]["calls"]
    assert stats["count_tokens_requests"] == 0
    assert stats["input_tokens"] == summary["input_tokens"] == summary["records_llm"]["input_tokens"] + \
        summary["analytics_llm"]["input_tokens"]
    for r in records:
        assert r["llm"]["cost_usd"] == pytest.approx(_priced(r["llm"]), abs=1e-6) and r["llm"]["cost_usd"] > 0
    assert summary["records_llm"]["cost_usd"] == pytest.approx(sum(r["llm"]["cost_usd"] for r in records), abs=1e-5)
    assert summary["cost_usd"] == pytest.approx(summary["records_llm"]["cost_usd"] + summary["analytics_llm"]["cost_usd"],
                                                abs=1e-6)
    assert summary["by_route"]["lean"]["calls_per_interaction"] == 1.0
    assert summary["unpriced_models"] == [] and summary["fallbacks"] == {}


def test_a_rerun_is_answered_from_the_response_cache(routed: dict[str, Any], server: FakeAnthropic,
                                                     inbox: Path) -> None:
    server.reset()
    again = run(routed["tmp"] / "home", routed["config"], inbox, "--llm", CLAUDE, "--run-id", "second",
                env={"ANTHROPIC_API_KEY": server.api_key})
    records = again["records"]
    assert all(r["llm"]["calls"] == 0 and r["llm"]["cache_hits"] > 0 for r in records)
    assert all(r["llm"]["cost_usd"] == 0 for r in records)
    assert again["summary"]["cache_hits"] == sum(r["llm"]["cache_hits"] for r in records)
    # only the run summary, whose prompt names the new run, reached the API
    assert server.stats()["requests"] == again["summary"]["analytics_llm"]["calls"]
    first = {r["interaction_id"]: (r["intent"], [a["type"] for a in r["actions"]]) for r in routed["records"]}
    assert {r["interaction_id"]: (r["intent"], [a["type"] for a in r["actions"]]) for r in records} == first


def test_a_spent_token_budget_sends_the_rest_to_the_offline_model(tmp_path: Path, server: FakeAnthropic,
                                                                 inbox: Path) -> None:
    server.reset()
    config = make_config(tmp_path / "config", server.url, routing=True, llm={"cache": {"enabled": False}})
    result = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, "--max-tokens", "1500",
                 env={"ANTHROPIC_API_KEY": server.api_key})
    records = result["records"]
    on_claude = [r for r in records if r["llm"]["fallback"] is None]
    offline = [r for r in records if r["llm"]["fallback"] == "budget"]
    assert on_claude and offline and len(on_claude) + len(offline) == len(records)
    assert all(set(r["llm"]["models"]) == {"offline"} and r["llm"]["cost_usd"] == 0 for r in offline)
    assert sum(r["llm"]["input_tokens"] + r["llm"]["output_tokens"] for r in on_claude) >= 1500
    assert result["summary"]["fallbacks"] == {"budget": len(offline)}
    assert result["summary"]["token_budget"] == 1500
    assert all(r["status"] in ("processed", "escalated") for r in records)


def test_429s_are_waited_out_and_counted(tmp_path: Path, server: FakeAnthropic, inbox: Path) -> None:
    server.reset()
    server.inject("rate_limit", 3, retry_after_s=0.2)
    config = make_config(tmp_path / "config", server.url, routing=True, llm={"cache": {"enabled": False}})
    result = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, env={"ANTHROPIC_API_KEY": server.api_key})
    assert all(r["status"] in ("processed", "escalated") for r in result["records"])
    assert result["summary"]["rate_limited"] == 3 == server.stats()["rate_limited"]


def test_an_api_that_keeps_failing_opens_the_breaker_and_the_offline_model_escalates(
        tmp_path: Path, policy: Any, inbox: Path) -> None:
    with FakeAnthropic(policy=policy) as failing:       # its own endpoint: its own breaker
        failing.configure_faults(rate_5xx=1.0)
        config = make_config(tmp_path / "config", failing.url, routing=True, llm={
            "cache": {"enabled": False}, "circuit_breaker": {"failures": 2, "cooldown_s": 600},
            "anthropic": {"api_key_env": "ANTHROPIC_API_KEY", "base_url": failing.url, "timeout_s": 10,
                          "max_retries": 1, "base_delay_s": 0.01, "max_delay_s": 0.05}})
        result = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, env={"ANTHROPIC_API_KEY": failing.api_key})
        requests = failing.stats()["requests"]
    records = result["records"]
    assert len(records) == len(PICKED)
    assert all(r["status"] == "escalated" and r["escalation"]["reason"] == MODEL_DOWN for r in records)
    assert all(r["llm"]["fallback"] == "model_unavailable" for r in records)
    assert all(a["status"] == "held" for r in records for a in r["actions"])
    assert requests <= 4          # two failing requests, each retried once; then the API is left alone


def test_a_resumed_run_counts_what_it_spent_before_against_its_budget(tmp_path: Path, server: FakeAnthropic,
                                                                      inbox: Path) -> None:
    server.reset()
    config = make_config(tmp_path / "config", server.url, routing=True, llm={"cache": {"enabled": False}})
    env = {"ANTHROPIC_API_KEY": server.api_key}
    first = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, "--run-id", "budget", env=env)["records"]
    spent_before = sum(r["llm"]["input_tokens"] + r["llm"]["output_tokens"] for r in first[:2])
    # as if the run had died after its first two records
    journal = sqlite3.connect(tmp_path / "home" / "journal.sqlite")
    with journal:
        journal.execute("DELETE FROM results WHERE run_id='budget' AND seq > 2")
        journal.execute("UPDATE runs SET status='died' WHERE run_id='budget'")
    journal.close()
    out = tmp_path / "resumed.jsonl"
    resumed = cli("run", "--resume", "budget", "--llm", CLAUDE, "--max-tokens", str(spent_before), "--out", str(out),
                  "-c", str(config), home=tmp_path / "home", env=env)
    assert resumed.code == 0, resumed.err
    records = read_jsonl(out)
    assert len(records) == len(PICKED) - 2
    assert all(r["llm"]["fallback"] == "budget" and set(r["llm"]["models"]) == {"offline"} for r in records)


def _lean_garbled(policy: Any, times: int) -> Any:
    """The policy, except that its first `times` lean answers are prose instead of the JSON asked for."""
    garbled = itertools.count()

    def answer(request: dict[str, Any]) -> Reply:
        if LEAN_MARKER in system_text(request) and next(garbled) < times:
            return Reply(text="This looks like a billing question to me.")
        return policy(request)

    return answer


@pytest.mark.parametrize(("garbled", "route", "calls"), [(1, "lean", 2), (2, "full", 7)])
def test_a_malformed_lean_answer_gets_one_repair_then_the_full_crew(
        tmp_path: Path, policy: Any, garbled: int, route: str, calls: int) -> None:
    with FakeAnthropic(policy=_lean_garbled(policy, garbled)) as fake:
        config = make_config(tmp_path / "config", fake.url, routing=True, llm={"cache": {"enabled": False}})
        single = write_inbox(tmp_path, ("msg-003",))             # a routine billing question
        [record] = run(tmp_path / "home", config, single, "--llm", CLAUDE,
                       env={"ANTHROPIC_API_KEY": fake.api_key})["records"]
    assert (record["status"], record["intent"], record["route"]) == ("processed", "billing", route)
    assert record["llm"]["calls"] == calls              # 2 lean calls, then the crew's 5
    if route == "full":
        assert record["route_reason"].startswith("lean answer unusable after a repair: the answer holds no JSON")

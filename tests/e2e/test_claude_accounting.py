"""Cost accounting to the cent and prompt caching, through the real CLI and SDK against the fake Messages API:
the run's totals (records + the run-level analytics calls) equal, class by class, what the fake server counted
it served; priced independently here from the server's counters at list prices, they give the summary's cost;
the lean route's static prompt is cached (read by every lean call after the first; 1-hour TTL in a batch run),
and a run whose static prompt is under the model's minimum says in its summary why nothing is cached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crm_crew.testing.anthropic_api import FakeAnthropic
from tests.e2e.claude_env import CLAUDE, crew_fake, make_config, run, write_inbox
from tests.e2e.clihelp import SAMPLES, cli, read_jsonl, write_jsonl

pytestmark = pytest.mark.slow(seconds=30)

# four routine ones (lean) and a cancellation that goes on to the full crew
PICKED = ("msg-001", "msg-003", "msg-004", "msg-005", "msg-009")
NO_RESPONSE_CACHE = {"cache": {"enabled": False}, "batch_poll_s": 0.05}
# USD per million tokens for claude-haiku-4-5 (anthropic.com/pricing; config/crm-crew.yaml ships the same)
LIST = {"input": 1.0, "output": 5.0, "cache_read": 0.1, "cache_write_5m": 1.25, "cache_write_1h": 2.0}
BATCH_DISCOUNT = 0.5
# the summary's total: the fake server's counter of the same token class
CLASSES = {"input_tokens": "input_tokens", "output_tokens": "output_tokens",
           "cache_read_tokens": "cache_read_input_tokens", "cache_write_tokens": "cache_creation_input_tokens",
           "cache_write_5m_tokens": "cache_write_5m_tokens", "cache_write_1h_tokens": "cache_write_1h_tokens"}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAnthropic]:
    with crew_fake() as fake:
        yield fake


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    return write_inbox(tmp_path, PICKED)


def _list_price(served: dict[str, Any], discount: float = 1.0) -> float:
    return discount * (served["input_tokens"] * LIST["input"] + served["output_tokens"] * LIST["output"]
                       + served["cache_read_input_tokens"] * LIST["cache_read"]
                       + served["cache_write_5m_tokens"] * LIST["cache_write_5m"]
                       + served["cache_write_1h_tokens"] * LIST["cache_write_1h"]) / 1_000_000


def _reconciles(summary: dict[str, Any], records: list[dict[str, Any]], stats: dict[str, Any]) -> None:
    """The summary's totals are the server's counts exactly, and the records' plus the run level's."""
    run_level = summary["run_level_llm"]
    assert run_level["calls"] >= 1          # the analytics step's call(s) are in the totals
    assert summary["llm_calls"] == stats["requests"] == sum(r["llm"]["calls"] for r in records) + run_level["calls"]
    assert summary["batch_requests"] == stats["batch_requests"]
    for total, counter in CLASSES.items():
        assert summary[total] == stats[counter] == sum(r["llm"][total] for r in records) + run_level[total], total
    standard = {k: stats[k] - stats["batch"][k] for k in stats["batch"]}
    cost = _list_price(standard) + _list_price(stats["batch"], BATCH_DISCOUNT)
    assert summary["cost_usd"] == pytest.approx(cost, abs=2e-6)       # to the cent, and to the micro-dollar
    assert summary["cost_usd"] == pytest.approx(sum(r["llm"]["cost_usd"] for r in records) + run_level["cost_usd"],
                                                abs=2e-6)


def test_a_run_reconciles_with_the_server_and_its_lean_calls_read_the_cached_prompt(
        tmp_path: Path, server: FakeAnthropic) -> None:
    # first a prompt injection, which goes to the full crew before any lean call
    by_id = {r["id"]: r for r in read_jsonl(SAMPLES / "inbox.jsonl")}
    inbox = write_jsonl(tmp_path / "inbox.jsonl", [by_id[i] for i in ("msg-011", *PICKED)])
    server.reset()
    server.configure_faults(latency_s=0.2)      # the interactions' requests overlap
    config = make_config(tmp_path / "config", server.url, routing=True, llm=NO_RESPONSE_CACHE)
    try:
        result = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, "--concurrency", "4",
                     env={"ANTHROPIC_API_KEY": server.api_key})
    finally:
        server.configure_faults(latency_s=0.0)
    summary, records, stats = result["summary"], result["records"], server.stats()
    _reconciles(summary, records, stats)
    assert summary["caching"]["in_effect"] is True
    assert summary["caching"]["static_prefix_tokens"] >= summary["caching"]["min_cacheable_tokens"] == 4096
    lean = sorted((r["llm"] for r in records if r["route"] == "lean"), key=lambda u: -u["cache_write_tokens"])
    assert len(lean) >= 3
    # the run's first lean call went alone and wrote the static prompt (5-minute TTL); every other one,
    # concurrent as they were, read it
    assert lean[0]["cache_write_5m_tokens"] >= 4096 and lean[0]["cache_read_tokens"] == 0
    assert all(u["cache_read_tokens"] == lean[0]["cache_write_5m_tokens"] for u in lean[1:])
    assert all(u["cache_write_tokens"] == 0 and u["input_tokens"] < 1000 for u in lean[1:])
    assert stats["cache_write_1h_tokens"] == 0


def test_a_batch_run_caches_for_an_hour_and_pays_the_batch_rate(tmp_path: Path, server: FakeAnthropic,
                                                                inbox: Path) -> None:
    server.reset()
    server.configure_batches(delay_s=0.1)
    config = make_config(tmp_path / "config", server.url, routing=True, llm=NO_RESPONSE_CACHE)
    result = run(tmp_path / "home", config, inbox, "--llm", CLAUDE, "--batch",
                 env={"ANTHROPIC_API_KEY": server.api_key})
    summary, records, stats = result["summary"], result["records"], server.stats()
    assert stats["batch"]["requests"] >= 3
    _reconciles(summary, records, stats)
    assert summary["caching"]["ttl"] == "1h"
    # one 1-hour write of the static prompt serves the whole batch
    assert stats["batch"]["cache_write_1h_tokens"] >= 4096 and stats["batch"]["cache_write_5m_tokens"] == 0
    assert stats["batch"]["cache_read_input_tokens"] == (stats["batch"]["requests"] - 1) * \
        stats["batch"]["cache_write_1h_tokens"]


def test_a_static_prompt_under_the_minimum_is_not_cached_and_the_summary_says_why(
        tmp_path: Path, server: FakeAnthropic, inbox: Path) -> None:
    server.reset()
    config = make_config(tmp_path / "config", server.url, routing=True, llm=NO_RESPONSE_CACHE)
    settings_path = config / "crm-crew.yaml"
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    for intent in settings["intents"].values():
        intent.pop("examples", None)            # a taxonomy without examples: a short static prompt
    settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    home = tmp_path / "home"
    result = run(home, config, inbox, "--llm", CLAUDE, env={"ANTHROPIC_API_KEY": server.api_key})
    summary, stats = result["summary"], server.stats()
    _reconciles(summary, result["records"], stats)
    caching = summary["caching"]
    assert caching["in_effect"] is False and caching["static_prefix_tokens"] < 4096
    assert "under the 4096 that claude-haiku-4-5 caches at least" in caching["reason"]
    lean = [r["llm"] for r in result["records"] if r["route"] == "lean"]
    assert lean and all(u["cache_read_tokens"] == u["cache_write_tokens"] == 0 for u in lean)
    # the terminal says it too
    shown = cli("run", str(inbox), "-c", str(config), "--llm", CLAUDE, home=home,
                env={"ANTHROPIC_API_KEY": server.api_key})
    assert shown.code == 0, shown.err
    assert "prompt cache" in shown.out and "not in effect" in shown.out

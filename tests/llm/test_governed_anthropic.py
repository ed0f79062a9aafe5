"""make_anthropic_llm: crewai's native Anthropic provider through the governed transport, against the fake API."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.config.loader import load_config
from crm_crew.llm.anthropic import GovernedAnthropic, make_anthropic_llm
from crm_crew.llm.governors import governor_for, reset_governors
from crm_crew.llm.meter import Meter
from crm_crew.llm.pricing import PriceTable
from crm_crew.testing.anthropic_api import FakeAnthropic

CONFIG = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture
def server() -> Iterator[FakeAnthropic]:
    reset_governors()
    with FakeAnthropic() as fake:
        yield fake
    reset_governors()


def settings_for(server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch, **llm: Any) -> Any:
    settings = load_config(CONFIG).settings
    anthropic = settings.llm.anthropic.model_copy(update={"base_url": server.url, "base_delay_s": 0.01,
                                                          "max_delay_s": 0.05})
    monkeypatch.setenv(anthropic.api_key_env, server.api_key)
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"anthropic": anthropic, **llm})})


def test_a_call_is_governed_metered_and_priced(server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    settings = settings_for(server, monkeypatch)
    meter = Meter(prices=PriceTable(settings.llm.prices))
    llm = make_anthropic_llm("anthropic/claude-haiku-4-5", settings, meter, tmp_path)
    assert isinstance(llm, GovernedAnthropic) and llm.max_retries == 0
    assert llm.call("Say hi") == "Echo: Say hi"
    assert llm.get_input_tokens_count("Say hi") > 0
    stats = server.stats()
    assert stats["requests"] == 1 and stats["count_tokens_requests"] == 0
    snap = meter.snapshot()
    assert snap["calls"] == 1 and snap["cost_usd"] > 0 and snap["unpriced"] == []
    assert snap["input_tokens"] == stats["input_tokens"]

    again = Meter(prices=PriceTable(settings.llm.prices))
    assert make_anthropic_llm("anthropic/claude-haiku-4-5", settings, again, tmp_path).call("Say hi") == "Echo: Say hi"
    assert server.stats()["requests"] == 1 and again.snapshot()["cache_hits"] == 1
    assert (tmp_path / "llm-cache.sqlite").exists()


def test_governors_are_shared_per_endpoint(server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    settings = settings_for(server, monkeypatch)
    first = governor_for(settings, tmp_path)
    assert governor_for(settings, tmp_path) is first
    no_cache = governor_for(settings, None)
    assert no_cache.cache is None and no_cache.limiter is first.limiter and no_cache.breaker is first.breaker


def test_async_calls_go_through_the_same_transport(server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(server, monkeypatch)
    meter = Meter()
    llm = make_anthropic_llm("anthropic/claude-haiku-4-5", settings, meter)
    server.inject("overloaded", 1)
    assert asyncio.run(llm.acall("Async hi")) == "Echo: Async hi"
    snap = meter.snapshot()
    assert snap["calls"] == 1 and snap["retries"] == 1


def test_an_open_circuit_reaches_the_caller(server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_crew.errors import CircuitOpenError
    from crm_crew.llm.failures import model_unavailable_cause

    settings = settings_for(server, monkeypatch)
    llm = make_anthropic_llm("anthropic/claude-haiku-4-5", settings, Meter())
    governor_for(settings, None).breaker.failures = 1
    server.inject("api_error", settings.llm.anthropic.max_retries + 1)
    with pytest.raises(Exception):  # noqa: B017 - the SDK's InternalServerError
        llm.call("fails")
    with pytest.raises(Exception) as caught:  # noqa: B017 - crewai raises the SDK's APIConnectionError
        llm.call("fails fast")
    assert isinstance(model_unavailable_cause(caught.value), CircuitOpenError)


def test_crewai_does_not_retry_on_top_of_the_transport(server: FakeAnthropic, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_for(server, monkeypatch)
    llm = make_anthropic_llm("anthropic/claude-haiku-4-5", settings, Meter())
    attempts = settings.llm.anthropic.max_retries + 1
    server.inject("rate_limit", attempts + 5, retry_after_s=0.01)
    with pytest.raises(Exception):  # noqa: B017 - the SDK's RateLimitError
        llm.call("limited")
    assert len(server.calls) == attempts
    server.faults.reset()
    monkeypatch.setattr(server.faults, "pick", lambda request: None)
    assert asyncio.run(llm.acall("fine")) == "Echo: fine"


def test_requests_take_the_proxy_the_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_crew.llm.governors import proxy_for

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    assert proxy_for("https://api.anthropic.com") == "http://proxy.example:3128"
    assert proxy_for("https://gateway.internal.example/v1") is None
    monkeypatch.delenv("HTTPS_PROXY")
    assert proxy_for("https://api.anthropic.com") is None

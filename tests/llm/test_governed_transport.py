"""GovernedTransport under the real anthropic SDK against the fake API: retries, 429 pauses, the breaker."""

from __future__ import annotations

import time
from collections.abc import Iterator

import anthropic
import httpx
import pytest

from crm_crew.errors import CircuitOpenError
from crm_crew.llm.breaker import CircuitBreaker
from crm_crew.llm.failures import model_unavailable_cause
from crm_crew.llm.meter import Meter
from crm_crew.llm.ratelimit import RateLimiter
from crm_crew.llm.transport import GovernedTransport, Governor, RetryPolicy
from crm_crew.testing.anthropic_api import FakeAnthropic


@pytest.fixture
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


def governor(max_retries: int = 3, failures: int = 5, cooldown_s: float = 0.3) -> Governor:
    return Governor(limiter=RateLimiter(1000, 10**6, 10**6), breaker=CircuitBreaker(failures, cooldown_s),
                    retry=RetryPolicy(max_retries, 0.01, 0.05), cache=None, inner=httpx.HTTPTransport())


def client(server: FakeAnthropic, gov: Governor, meter: Meter) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=server.api_key, base_url=server.url, max_retries=0,
                               http_client=httpx.Client(transport=GovernedTransport(gov, meter)))


def ask(api: anthropic.Anthropic, text: str = "hello") -> str:
    message = api.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                  messages=[{"role": "user", "content": text}])
    block = message.content[0]
    assert isinstance(block, anthropic.types.TextBlock)
    return block.text


def test_429s_wait_for_retry_after_then_succeed(server: FakeAnthropic) -> None:
    server.inject("rate_limit", 2, retry_after_s=0.2)
    meter = Meter()
    start = time.monotonic()
    assert ask(client(server, governor(), meter)) == "Echo: hello"
    assert time.monotonic() - start >= 0.4
    assert len(server.calls) == 3
    snap = meter.snapshot()
    assert snap["rate_limited"] == 2 and snap["retries"] == 2 and snap["calls"] == 1


def test_overloaded_and_server_errors_are_retried(server: FakeAnthropic) -> None:
    server.inject("overloaded", 1)
    server.inject("api_error", 1)
    meter = Meter()
    assert ask(client(server, governor(), meter)) == "Echo: hello"
    assert len(server.calls) == 3
    snap = meter.snapshot()
    assert snap["retries"] == 2 and snap["calls"] == 1 and snap["rate_limited"] == 0


def test_the_breaker_opens_fails_fast_and_a_probe_closes_it(server: FakeAnthropic) -> None:
    gov = governor(max_retries=1, failures=2, cooldown_s=0.3)
    api = client(server, gov, Meter())
    server.inject("api_error", 4)                    # two calls, each with one retry
    for _ in range(2):
        with pytest.raises(anthropic.InternalServerError):
            ask(api)
    assert gov.breaker.state == "open"
    seen = len(server.calls)
    with pytest.raises(anthropic.APIConnectionError) as caught:
        ask(api)
    assert isinstance(caught.value.__cause__, CircuitOpenError)
    assert isinstance(model_unavailable_cause(caught.value), CircuitOpenError)
    assert len(server.calls) == seen                 # nothing reached the server
    time.sleep(0.35)
    assert ask(api) == "Echo: hello"                 # the probe
    assert gov.breaker.state == "closed"


def test_other_4xx_are_returned_at_once(server: FakeAnthropic) -> None:
    gov = governor(failures=1)
    bad = anthropic.Anthropic(api_key="wrong", base_url=server.url, max_retries=0,
                              http_client=httpx.Client(transport=GovernedTransport(gov, Meter())))
    with pytest.raises(anthropic.AuthenticationError):
        ask(bad)
    assert len(server.calls) == 1
    assert gov.breaker.state == "closed"


def test_timeouts_are_retried(server: FakeAnthropic) -> None:
    server.inject("timeout", 1)
    server.configure_faults(timeout_s=1.0)
    meter = Meter()
    api = anthropic.Anthropic(api_key=server.api_key, base_url=server.url, max_retries=0, timeout=0.3,
                              http_client=httpx.Client(transport=GovernedTransport(governor(), meter)))
    assert ask(api) == "Echo: hello"
    assert meter.snapshot()["retries"] == 1


def test_other_endpoints_pass_through(server: FakeAnthropic) -> None:
    meter = Meter()
    api = client(server, governor(), meter)
    counted = api.messages.count_tokens(model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi"}])
    assert counted.input_tokens > 0
    assert meter.snapshot()["calls"] == 0

"""CircuitBreaker states with a fake clock; PriceTable and Meter arithmetic."""

from __future__ import annotations

import pytest

from crm_crew.errors import CircuitOpenError, ModelUnavailableError
from crm_crew.llm.breaker import CircuitBreaker
from crm_crew.llm.meter import Meter
from crm_crew.llm.pricing import PriceTable


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_failures_in_a_row() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=3, cooldown_s=10, clock=clock)
    for _ in range(2):
        breaker.before_call()
        breaker.failure()
    breaker.before_call()
    breaker.success()                                # a success resets the count
    for _ in range(2):
        breaker.failure()
    assert breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open"
    with pytest.raises(CircuitOpenError):
        breaker.before_call()


def test_one_probe_after_cooldown_closes_or_reopens() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=1, cooldown_s=10, clock=clock)
    breaker.failure()
    clock.now = 9.9
    with pytest.raises(ModelUnavailableError):
        breaker.before_call()
    clock.now = 10.0
    breaker.before_call()                            # the probe
    assert breaker.state == "half_open"
    with pytest.raises(CircuitOpenError):
        breaker.before_call()                        # only one probe at a time
    breaker.failure()
    assert breaker.state == "open"
    clock.now = 15.0
    with pytest.raises(CircuitOpenError):
        breaker.before_call()                        # the cooldown starts again
    clock.now = 20.0
    breaker.before_call()
    breaker.success()
    assert breaker.state == "closed"
    breaker.before_call()


def test_price_table_strips_the_provider_and_takes_the_longest_prefix() -> None:
    table = PriceTable({"claude-haiku-4": {"input": 9, "output": 9},
                        "claude-haiku-4-5": {"input": 1.0, "output": 5.0, "cache_read": 0.1}})
    assert table.cost("anthropic/claude-haiku-4-5", 1_000_000, 0) == 1.0
    assert table.cost("claude-haiku-4-5-20251001", 0, 1_000_000, 1_000_000) == pytest.approx(5.1)
    assert table.cost("claude-haiku-4-1", 1_000_000, 0) == 9.0
    assert table.cost("anthropic/claude-unknown", 1, 1) is None


def test_price_table_reads_price_models() -> None:
    from crm_crew.config.models import Price

    table = PriceTable({"claude-sonnet-4-5": Price(input=3.0, output=15.0, cache_read=0.3)})
    assert table.cost("claude-sonnet-4-5", 1000, 1000) == pytest.approx(0.018)


def test_meter_adds_to_its_parent_and_prices_usage() -> None:
    run = Meter(prices=PriceTable({"claude-haiku-4-5": {"input": 1.0, "output": 5.0}}))
    record = Meter(parent=run)
    record.add("claude-haiku-4-5", calls=1, input_tokens=1000, output_tokens=100)
    record.add("mystery-model", calls=1, input_tokens=10, retries=2, rate_limited=1)
    record.add("claude-haiku-4-5", cache_hits=1)
    for meter in (record, run):
        snap = meter.snapshot()
        assert snap["calls"] == 2 and snap["cache_hits"] == 1 and snap["retries"] == 2
        assert snap["rate_limited"] == 1
        assert snap["cost_usd"] == pytest.approx(0.0015)
        assert snap["models"] == {"claude-haiku-4-5": 1, "mystery-model": 1}
        assert snap["unpriced"] == ["mystery-model"]
    assert run.total_tokens == 1110

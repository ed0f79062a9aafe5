"""Every billed token class has a price; left-out columns come from Anthropic's multipliers; batch calls are
priced at the batch rates; the meter splits cache writes by TTL from the API's usage."""

from __future__ import annotations

import pytest

from crm_crew.config.loader import load_config
from crm_crew.llm.meter import Meter, usage_counts
from crm_crew.llm.pricing import PriceTable, Rates
from tests.e2e.clihelp import CONFIG

MTOK = 1_000_000


def test_a_missing_column_is_derived_from_input_and_output() -> None:
    assert Rates.of({"input": 4.0, "output": 20.0}) == Rates(4.0, 20.0, 0.4, 5.0, 8.0, 2.0, 10.0)
    assert Rates.of({"input": 4.0, "output": 20.0, "cache_write_1h": 7.0}).cache_write_1h == 7.0


def test_the_shipped_prices_cover_the_current_models_and_dated_names() -> None:
    table = PriceTable(load_config(CONFIG).settings.llm.prices)
    haiku = table.rates_of("anthropic/claude-haiku-4-5-20251001")
    assert haiku == Rates(1.0, 5.0, 0.1, 1.25, 2.0, 0.5, 2.5)
    assert table.rates_of("claude-sonnet-4-6") == table.rates_of("claude-sonnet-4-5-20250929") == \
        Rates(3.0, 15.0, 0.3, 3.75, 6.0, 1.5, 7.5)
    assert table.rates_of("claude-opus-4-5") == Rates(5.0, 25.0, 0.5, 6.25, 10.0, 2.5, 12.5)


def test_every_class_is_priced_and_a_batch_at_the_batch_rates() -> None:
    table = PriceTable({"claude-haiku-4-5": {"input": 1.0, "output": 5.0}})
    usage = {"input_tokens": MTOK, "output_tokens": MTOK, "cache_read_tokens": MTOK,
             "cache_write_5m_tokens": MTOK, "cache_write_1h_tokens": MTOK}
    assert table.cost_of("claude-haiku-4-5", usage) == pytest.approx(1 + 5 + 0.1 + 1.25 + 2)
    assert table.cost_of("claude-haiku-4-5", usage, batch=True) == pytest.approx((1 + 5 + 0.1 + 1.25 + 2) / 2)


def test_the_meter_splits_cache_writes_by_ttl_and_prices_its_batch_part_apart() -> None:
    assert usage_counts({"input_tokens": 10, "output_tokens": 2, "cache_read_input_tokens": 3,
                         "cache_creation_input_tokens": 700,
                         "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 600}}) == \
        {"input_tokens": 10, "output_tokens": 2, "cache_read_tokens": 3, "cache_write_5m_tokens": 100,
         "cache_write_1h_tokens": 600}
    # an older API version: no split, so the default 5-minute TTL
    assert usage_counts({"cache_creation_input_tokens": 50})["cache_write_5m_tokens"] == 50
    run = Meter(prices=PriceTable({"claude-haiku-4-5": {"input": 1.0, "output": 5.0}}))
    record = Meter(parent=run)
    record.add("claude-haiku-4-5", calls=1, input_tokens=MTOK, cache_write_1h_tokens=MTOK)
    record.add("claude-haiku-4-5", calls=1, input_tokens=MTOK, cache_read_tokens=MTOK, batch=True)
    for meter in (record, run):
        snap = meter.snapshot()
        assert (snap["calls"], snap["batch_calls"], snap["cache_write_tokens"]) == (2, 1, MTOK)
        assert snap["cost_usd"] == pytest.approx((1 + 2) + (1 + 0.1) / 2)

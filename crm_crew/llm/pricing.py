"""What model usage costs: USD per million tokens by model name (settings.llm.prices).

Every token class the Messages API bills has a rate: input, output, cache read, cache write at the 5-minute
and at the 1-hour TTL, and input and output of Message Batches requests. A column the price table leaves out
is derived from `input` (and `output`) by Anthropic's multipliers: cache read 0.1x input, cache write 1.25x
(5 m) and 2x (1 h), batch input and output 0.5x. Cache reads and writes inside a batch request take the
batch discount too (batch_input / input).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PER = 1_000_000
CACHE_READ, CACHE_WRITE_5M, CACHE_WRITE_1H, BATCH = 0.1, 1.25, 2.0, 0.5


def _rate(price: Any, name: str) -> float | None:
    value = price.get(name) if isinstance(price, Mapping) else getattr(price, name, None)
    return None if value is None else float(value)


@dataclass(frozen=True)
class Rates:
    """USD per million tokens of each billed class."""

    input: float
    output: float
    cache_read: float
    cache_write_5m: float
    cache_write_1h: float
    batch_input: float
    batch_output: float

    @classmethod
    def of(cls, price: Any) -> Rates:
        """The rates of a price entry, a missing column derived from input / output by the multipliers."""
        base_in, base_out = _rate(price, "input") or 0.0, _rate(price, "output") or 0.0

        def col(name: str, default: float) -> float:
            value = _rate(price, name)
            return default if value is None else value

        return cls(base_in, base_out, col("cache_read", base_in * CACHE_READ),
                   col("cache_write_5m", base_in * CACHE_WRITE_5M), col("cache_write_1h", base_in * CACHE_WRITE_1H),
                   col("batch_input", base_in * BATCH), col("batch_output", base_out * BATCH))

    def cost(self, usage: Mapping[str, int], batch: bool = False) -> float:
        """USD for `usage` (input_tokens, output_tokens, cache_read_tokens, cache_write_5m_tokens,
        cache_write_1h_tokens), at the batch rates when `batch`."""
        def n(key: str) -> int:
            return int(usage.get(key) or 0)

        discount = (self.batch_input / self.input if self.input else BATCH) if batch else 1.0
        total = (n("input_tokens") * (self.batch_input if batch else self.input)
                 + n("output_tokens") * (self.batch_output if batch else self.output)
                 + discount * (n("cache_read_tokens") * self.cache_read
                               + n("cache_write_5m_tokens") * self.cache_write_5m
                               + n("cache_write_1h_tokens") * self.cache_write_1h))
        return total / PER


class PriceTable:
    """Prices by model name without the provider prefix; a dated name uses its family's price (longest prefix)."""

    def __init__(self, prices: Mapping[str, Any]) -> None:
        self._prices = {name: Rates.of(p) for name, p in prices.items()}
        self._longest_first = sorted(self._prices, key=len, reverse=True)

    def rates_of(self, model: str) -> Rates | None:
        """The model's rates, or None when it is not priced."""
        name = model.partition("/")[2] if "/" in model else model
        for key in self._longest_first:
            if name.startswith(key):
                return self._prices[key]
        return None

    def cost(self, model: str, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0) -> float | None:
        """Standard-API cost of plain input, output and cache-read tokens; None when the model is not priced."""
        return self.cost_of(model, {"input_tokens": input_tokens, "output_tokens": output_tokens,
                                    "cache_read_tokens": cache_read_tokens})

    def cost_of(self, model: str, usage: Mapping[str, int], batch: bool = False) -> float | None:
        rates = self.rates_of(model)
        return None if rates is None else rates.cost(usage, batch)

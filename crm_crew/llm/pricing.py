"""What model usage costs: USD per million tokens by model name (settings.llm.prices)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PER = 1_000_000


def _rate(price: Any, name: str) -> float:
    value = price.get(name, 0.0) if isinstance(price, Mapping) else getattr(price, name, 0.0)
    return float(value or 0.0)


class PriceTable:
    """Prices by model name without the provider prefix; a dated name uses its family's price."""

    def __init__(self, prices: Mapping[str, Any]) -> None:
        self._prices = {name: (_rate(p, "input"), _rate(p, "output"), _rate(p, "cache_read"))
                        for name, p in prices.items()}
        self._longest_first = sorted(self._prices, key=len, reverse=True)

    def price_of(self, model: str) -> tuple[float, float, float] | None:
        """(input, output, cache_read) USD per million tokens, or None when the model is not priced."""
        name = model.partition("/")[2] if "/" in model else model
        for key in self._longest_first:
            if name.startswith(key):
                return self._prices[key]
        return None

    def cost(self, model: str, input_tokens: int, output_tokens: int, cache_read_tokens: int = 0) -> float | None:
        price = self.price_of(model)
        if price is None:
            return None
        rate_in, rate_out, rate_cache = price
        return (input_tokens * rate_in + output_tokens * rate_out + cache_read_tokens * rate_cache) / PER

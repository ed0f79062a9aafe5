"""Counts model usage (calls, tokens, cache hits, rate limits, retries) and what it cost, per record or run."""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from typing import Any, TypedDict

from crm_crew.llm.pricing import PriceTable


@dataclass
class _Usage:
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0     # cache_write_5m_tokens + cache_write_1h_tokens
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    cache_hits: int = 0
    rate_limited: int = 0
    retries: int = 0
    batch_calls: int = 0            # of `calls`, those served through the Message Batches API


COUNTERS = tuple(f.name for f in fields(_Usage))


class Meter:
    """Thread-safe model usage of one record or one run; add() also adds to the parent meter.

    Without prices of its own a meter uses its parent's."""

    def __init__(self, parent: Meter | None = None, prices: PriceTable | None = None) -> None:
        self.parent = parent
        self.prices: PriceTable | None = prices if prices is not None or parent is None else parent.prices
        self._by_model: dict[str, _Usage] = {}
        self._batch_by_model: dict[str, _Usage] = {}
        self._lock = threading.Lock()

    def add(self, model: str, *, calls: int = 0, input_tokens: int = 0, output_tokens: int = 0,
            cache_read_tokens: int = 0, cache_write_5m_tokens: int = 0, cache_write_1h_tokens: int = 0,
            cache_hits: int = 0, rate_limited: int = 0, retries: int = 0, batch: bool = False) -> None:
        """`batch`: these calls were served by the Message Batches API (billed at the batch rate); their
        usage is also kept apart, by model, in `batch_usage()`. Cache writes come by TTL (5 m, 1 h)."""
        amounts = {"calls": calls, "input_tokens": input_tokens, "output_tokens": output_tokens,
                   "cache_read_tokens": cache_read_tokens,
                   "cache_write_tokens": cache_write_5m_tokens + cache_write_1h_tokens,
                   "cache_write_5m_tokens": cache_write_5m_tokens, "cache_write_1h_tokens": cache_write_1h_tokens,
                   "cache_hits": cache_hits,
                   "rate_limited": rate_limited, "retries": retries, "batch_calls": calls if batch else 0}
        self._add(model, amounts, batch)

    def _add(self, model: str, amounts: dict[str, int], batch: bool) -> None:
        with self._lock:
            for book in (self._by_model, self._batch_by_model) if batch else (self._by_model,):
                usage = book.setdefault(model, _Usage())
                for name, amount in amounts.items():
                    setattr(usage, name, getattr(usage, name) + amount)
        if self.parent is not None:
            self.parent._add(model, amounts, batch)

    def batch_usage(self) -> dict[str, dict[str, int]]:
        """The part of each model's usage served by the Message Batches API."""
        with self._lock:
            return {m: dict(vars(u)) for m, u in sorted(self._batch_by_model.items())}

    def _totals(self) -> tuple[dict[str, int], dict[str, _Usage]]:
        with self._lock:
            by_model = {m: _Usage(**vars(u)) for m, u in self._by_model.items()}
        totals = {name: sum(getattr(u, name) for u in by_model.values()) for name in COUNTERS}
        return totals, by_model

    def _cost(self, model: str, usage: _Usage) -> float | None:
        """USD of one model's usage: its batch part at the batch rates, the rest at the standard ones."""
        if self.prices is None:
            return None
        with self._lock:
            batch = vars(self._batch_by_model.get(model, _Usage()))
        standard = {name: value - batch[name] for name, value in vars(usage).items()}
        parts = (self.prices.cost_of(model, standard), self.prices.cost_of(model, batch, batch=True))
        return None if parts[0] is None or parts[1] is None else parts[0] + parts[1]

    @property
    def total_tokens(self) -> int:
        totals, _ = self._totals()
        return totals["input_tokens"] + totals["output_tokens"]

    @property
    def paid_tokens(self) -> int:
        """Input + output tokens of every model but the offline one: what a token budget counts."""
        _, by_model = self._totals()
        return sum(u.input_tokens + u.output_tokens for m, u in by_model.items() if m != "offline")

    def snapshot(self) -> dict[str, Any]:
        """Totals, cost, calls per model, and `by_model`: each used model's usage and cost (metrics label them)."""
        totals, by_model = self._totals()
        cost, unpriced, used = 0.0, [], {}
        for model, usage in sorted(by_model.items()):
            model_cost = 0.0
            if usage.input_tokens or usage.output_tokens or usage.cache_read_tokens or usage.cache_write_tokens:
                price = self._cost(model, usage)
                if price is None:
                    unpriced.append(model)
                else:
                    model_cost = price
                    cost += price
            if any(vars(usage).values()):
                used[model] = {**vars(usage), "cost_usd": round(model_cost, 6)}
        return {**totals, "cost_usd": round(cost, 6),
                "models": {m: u.calls for m, u in sorted(by_model.items())}, "unpriced": unpriced,
                "by_model": used}


class TokenCounts(TypedDict):
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_5m_tokens: int
    cache_write_1h_tokens: int


def usage_counts(usage: Any) -> TokenCounts:
    """Meter.add's token arguments from a Messages API `usage` (a dict or the SDK's Usage object).

    Cache writes come split by TTL in `cache_creation` ({ephemeral_5m_input_tokens,
    ephemeral_1h_input_tokens}) on newer API versions; what `cache_creation_input_tokens` holds beyond that
    split (or all of it, without one) was written at the default 5-minute TTL."""
    def get(source: Any, key: str) -> int:
        value = source.get(key) if isinstance(source, dict) else getattr(source, key, None)
        return int(value or 0)

    creation = usage.get("cache_creation") if isinstance(usage, dict) else getattr(usage, "cache_creation", None)
    one_hour = get(creation, "ephemeral_1h_input_tokens") if creation is not None else 0
    written = max(get(usage, "cache_creation_input_tokens"),
                  one_hour + (get(creation, "ephemeral_5m_input_tokens") if creation is not None else 0))
    return TokenCounts(input_tokens=get(usage, "input_tokens"), output_tokens=get(usage, "output_tokens"),
                       cache_read_tokens=get(usage, "cache_read_input_tokens"),
                       cache_write_5m_tokens=written - one_hour, cache_write_1h_tokens=one_hour)

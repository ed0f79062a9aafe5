"""The benchmark's cost figures: what the fake Messages API served to one system, priced at list prices.

The fake server counts every token class it billed (input, output, cache read, cache write at 5 m and 1 h)
in total and for Message Batches requests; the standard part is priced at the standard rates and the batch
part at the batch rates, from the config's `llm.prices` (crm_crew.llm.pricing). Every request the system
made is in it, including crm-crew's end-of-run analytics call.
"""

from __future__ import annotations

from typing import Any

from crm_crew.llm.pricing import PriceTable

# the fake server's counter: the meter's name of the same class
CLASSES = {"input_tokens": "input_tokens", "output_tokens": "output_tokens",
           "cache_read_input_tokens": "cache_read_tokens", "cache_write_5m_tokens": "cache_write_5m_tokens",
           "cache_write_1h_tokens": "cache_write_1h_tokens"}


def _usage(counters: dict[str, Any]) -> dict[str, int]:
    return {name: int(counters.get(key) or 0) for key, name in CLASSES.items()}


def cost_figures(stats: dict[str, Any], interactions: int, prices: PriceTable, batch_model: str) -> dict[str, Any]:
    """cost_usd (all of the system's requests), cost_usd_per_1000 interactions, and tokens by class per
    interaction; the batch requests are `batch_model`'s (the lean route's); a model without a price is listed
    in `unpriced`."""
    batch = stats.get("batch") or {}
    cost, unpriced = 0.0, []
    for model, counters in sorted((stats.get("per_model") or {}).items()):
        in_batch = _usage(batch) if model == batch_model.partition("/")[2] else {}
        standard = {k: v - in_batch.get(k, 0) for k, v in _usage(counters).items()}
        parts = prices.cost_of(model, standard), prices.cost_of(model, in_batch, batch=True)
        if parts[0] is None or parts[1] is None:
            unpriced.append(model)
            continue
        cost += parts[0] + parts[1]
    per = max(1, interactions)
    return {"cost_usd": round(cost, 6), "cost_usd_per_1000": round(cost / per * 1000, 4),
            "tokens_by_class_per_interaction": {name: round(n / per, 1) for name, n in _usage(stats).items()},
            "requests_per_interaction": round(int(stats.get("requests") or 0) / per, 3),
            "batch_requests": int(batch.get("requests") or 0), **({"unpriced": unpriced} if unpriced else {})}


def cost_ratios(crm_crew: dict[str, Any], batched: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """crm-crew's cost per 1,000 interactions over the baseline's, standard and with --batch."""
    def ratio(a: Any, b: Any) -> float | None:
        return round(a / b, 4) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None

    base = (baseline.get("cost") or {}).get("cost_usd_per_1000")
    return {"cost_per_1000": ratio((crm_crew.get("cost") or {}).get("cost_usd_per_1000"), base),
            "cost_per_1000_batch": ratio((batched.get("cost") or {}).get("cost_usd_per_1000"), base)}

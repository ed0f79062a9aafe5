"""The run summary's `caching`: whether the lean route's prompt cache is in effect, and why not.

The lean request's static part (lean_protocol.system_prompt) is the same for every interaction of a run and
carries the cache breakpoint; the model caches it only when it reaches the model's minimum cacheable length.
Below that, the summary says so instead of the prompt being padded with text that helps no answer.
"""

from __future__ import annotations

from typing import Any

from crm_crew.llm.factory import provider_of
from crm_crew.llm.lean_protocol import examples_to_cache, system_prompt
from crm_crew.llm.prompt_cache import BATCH_TTL, estimate_tokens, min_cacheable_tokens
from crm_crew.pipeline.lean import ASSESSOR
from crm_crew.pipeline.routing import LEAN, route_models


def caching_note(config: Any, override: str | None, figures: dict[str, Any], batch: bool = False) -> dict[str, Any]:
    """{"in_effect", "model", "static_prefix_tokens", "min_cacheable_tokens", "ttl", "reason"}; the tokens are
    an estimate (4 characters a token), `cache_read_tokens` / `cache_write_tokens` what the API reported."""
    settings = config.settings
    seen = {"cache_read_tokens": int(figures.get("cache_read_tokens") or 0),
            "cache_write_tokens": int(figures.get("cache_write_tokens") or 0)}
    if not settings.routing.enabled:
        return {"in_effect": False, "reason": "routing is off: no lean requests (the crew's own requests are "
                                              "cached by crewai where long enough)", **seen}
    model = route_models(config, LEAN, override)[ASSESSOR]
    if provider_of(model) != "anthropic":
        return {"in_effect": False, "model": model, "reason": f"{model} is not an Anthropic model", **seen}
    agent = config.agents[ASSESSOR]
    examples = examples_to_cache(agent.role, agent.goal, agent.backstory, settings, model)
    tokens = estimate_tokens(system_prompt(agent.role, agent.goal, agent.backstory, settings, examples))
    minimum = min_cacheable_tokens(model)
    note: dict[str, Any] = {"model": model, "static_prefix_tokens": tokens, "min_cacheable_tokens": minimum,
                            "examples_per_intent": examples,
                            "ttl": BATCH_TTL if batch else "5m", **seen}
    if tokens < minimum:
        return {"in_effect": False, **note,
                "reason": f"the lean prompt's static part is about {tokens} tokens, under the {minimum} that "
                          f"{model.partition('/')[2] or model} caches at least, even with every taxonomy example: "
                          "every lean call pays full input (it is not padded with text that helps no answer)"}
    return {"in_effect": True, **note,
            "reason": f"the lean prompt's static part (about {tokens} tokens, {examples} examples per intent) "
                      f"is cached after the first call and read at 0.1x the input price"}

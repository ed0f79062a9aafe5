"""The lean route's answers from Message Batches, handed to each interaction as its model's first answer.

The interaction then goes on through the same code as in an interactive run. A request is found by its
`custom_id`: the interaction's idempotency key over the exact request, so an interaction whose request is
not the one batched (its CRM history changed since), or whose batch request errored or expired, asks the
standard API instead (and, as in any run, falls back to the offline model when the breaker is open).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from crm_crew.llm.batches import BatchResult
from crm_crew.llm.meter import Meter, usage_counts
from crm_crew.llm.prompt_cache import BATCH_TTL, with_ttl
from crm_crew.pipeline.plan import idempotency_key


def custom_id(interaction_id: str, params: dict[str, Any]) -> str:
    """"ik_" and 32 hex digits: within the API's 1-64 characters of [a-zA-Z0-9_-]."""
    request = hashlib.sha256(json.dumps(params, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return idempotency_key("lean_request", interaction_id, request)


def batch_params(llm: Any, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The Messages API params of a batched lean request: the prompt cache at the 1-hour TTL, so that one
    cache write serves the whole batch, however long it takes to be answered."""
    return with_ttl(llm.batch_params(messages), BATCH_TTL)


@dataclass
class BatchAnswers:
    results: dict[str, BatchResult] = field(default_factory=dict)   # by custom_id

    def llm_for(self, llm: Any, interaction_id: str, meter: Meter) -> BatchAnswered:
        return BatchAnswered(llm, self, interaction_id, meter)


class BatchAnswered:
    """An interaction's lean model: its batched answer when there is one, else `llm` (the standard API)."""

    def __init__(self, llm: Any, answers: BatchAnswers, interaction_id: str, meter: Meter) -> None:
        self.llm = llm
        self.answers = answers
        self.interaction_id = interaction_id
        self.meter = meter

    def call(self, messages: list[dict[str, Any]]) -> str:
        result = self.answers.results.get(custom_id(self.interaction_id, batch_params(self.llm, messages)))
        if result is None or result.kind != "succeeded":
            return str(self.llm.call(messages))
        self.meter.add(result.model, calls=1, batch=True, **(result.usage or usage_counts({})))
        return result.text

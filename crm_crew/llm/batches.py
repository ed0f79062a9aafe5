"""Anthropic Message Batches through the `anthropic` SDK: create (split to the API's limits), poll, results.

A batch holds at most 100,000 requests and 256 MB; it ends within 24 hours (then its unfinished requests
are `expired`) and its results stay downloadable for 29 days, matched to requests by `custom_id`.
Batch requests are billed at half the standard price and do not count against the Messages rate limits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crm_crew.llm.api_keys import anthropic_api_key
from crm_crew.llm.meter import TokenCounts, usage_counts

MAX_REQUESTS = 100_000
MAX_BYTES = 256 * 1024 * 1024
ENVELOPE_BYTES = 64            # {"requests": [...]} around the requests, and a comma between two

# (batch id, request counts: processing, succeeded, errored, canceled, expired), after each poll
PollReport = Callable[[str, dict[str, int]], None]


@dataclass(frozen=True)
class BatchRequest:
    custom_id: str                 # 1-64 characters of [a-zA-Z0-9_-], unique in its batch
    params: dict[str, Any]         # the Messages API request


@dataclass(frozen=True)
class BatchResult:
    kind: str                      # succeeded | errored | expired | canceled
    text: str = ""                 # the answer's text blocks (succeeded)
    model: str = ""
    usage: TokenCounts | None = None   # the answer's usage (succeeded)
    error: str = ""                # what went wrong (errored)


def split(requests: Iterable[BatchRequest], max_requests: int = MAX_REQUESTS,
          max_bytes: int = MAX_BYTES) -> list[list[BatchRequest]]:
    """The requests in batches within the API's limits on requests and bytes, in order."""
    batches: list[list[BatchRequest]] = []
    current: list[BatchRequest] = []
    size = ENVELOPE_BYTES
    for request in requests:
        length = len(json.dumps({"custom_id": request.custom_id, "params": request.params}).encode()) + 1
        if length + ENVELOPE_BYTES > max_bytes:
            raise ValueError(f"request {request.custom_id} alone is {length} bytes, over a batch's {max_bytes}")
        if current and (len(current) >= max_requests or size + length > max_bytes):
            batches.append(current)
            current, size = [], ENVELOPE_BYTES
        current.append(request)
        size += length
    if current:
        batches.append(current)
    return batches


class BatchClient:
    def __init__(self, settings: Any, on_poll: PollReport | None = None) -> None:
        import anthropic

        cfg = settings.llm.anthropic
        self._client = anthropic.Anthropic(api_key=anthropic_api_key(settings), base_url=cfg.base_url,
                                           timeout=cfg.timeout_s, max_retries=cfg.max_retries)
        self.poll_s = settings.llm.batch_poll_s
        self._on_poll = on_poll

    def create(self, requests: list[BatchRequest]) -> str:
        """Send one batch; no retry (a lost answer to a retried create would pay for the batch twice)."""
        batch = self._client.with_options(max_retries=0).messages.batches.create(
            requests=[{"custom_id": r.custom_id, "params": r.params} for r in requests])  # type: ignore[misc]
        return str(batch.id)

    def wait(self, batch_ids: list[str]) -> list[str]:
        """Poll until every batch has ended; the ids the API knows (an unknown one, e.g. archived, is left out)."""
        import anthropic

        pending, known = list(batch_ids), list(batch_ids)
        while pending:
            for batch_id in list(pending):
                try:
                    batch = self._client.messages.batches.retrieve(batch_id)
                except anthropic.NotFoundError:
                    pending.remove(batch_id)
                    known.remove(batch_id)
                    continue
                if self._on_poll is not None:
                    self._on_poll(batch_id, batch.request_counts.model_dump())
                if batch.processing_status == "ended":
                    pending.remove(batch_id)
            if pending:
                time.sleep(self.poll_s)
        return known

    def results(self, batch_id: str) -> dict[str, BatchResult]:
        """An ended batch's results by custom_id."""
        found: dict[str, BatchResult] = {}
        for item in self._client.messages.batches.results(batch_id):
            found[item.custom_id] = _result(item.result)
        return found


def _result(result: Any) -> BatchResult:
    if result.type == "succeeded":
        message = result.message
        text = "".join(block.text for block in message.content if block.type == "text")
        return BatchResult("succeeded", text, str(message.model), usage_counts(message.usage))
    if result.type == "errored":
        error = getattr(result.error, "error", None)
        return BatchResult("errored", error=f"{getattr(error, 'type', 'error')}: {getattr(error, 'message', '')}")
    return BatchResult(str(result.type))

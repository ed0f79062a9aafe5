"""Message Batches within the API's limits (100,000 requests, 256 MB a batch), and custom_ids it accepts."""

from __future__ import annotations

import json
import re

import pytest

from crm_crew.llm.batches import ENVELOPE_BYTES, BatchRequest, split
from crm_crew.pipeline.batch_answers import custom_id


def _request(n: int, body: str = "x") -> BatchRequest:
    return BatchRequest(f"r-{n}", {"model": "claude-haiku-4-5", "max_tokens": 10,
                                   "messages": [{"role": "user", "content": body}]})


def _size(batch: list[BatchRequest]) -> int:
    return ENVELOPE_BYTES + sum(len(json.dumps({"custom_id": r.custom_id, "params": r.params})) + 1 for r in batch)


def test_requests_are_split_by_count_in_order() -> None:
    batches = split((_request(n) for n in range(7)), max_requests=3)
    assert [[r.custom_id for r in b] for b in batches] == [["r-0", "r-1", "r-2"], ["r-3", "r-4", "r-5"], ["r-6"]]


def test_requests_are_split_by_bytes_and_each_batch_stays_under_the_limit() -> None:
    requests = [_request(n, "é" * 300) for n in range(10)]
    limit = 3 * _size([requests[0]])
    batches = split(requests, max_bytes=limit)
    assert len(batches) > 1 and sum(len(b) for b in batches) == 10
    assert all(_size(b) <= limit for b in batches)


def test_a_request_over_the_byte_limit_on_its_own_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="request r-0 alone is"):
        split([_request(0, "x" * 1000)], max_bytes=500)


def test_no_requests_make_no_batch() -> None:
    assert split([]) == []


def test_a_custom_id_is_the_interactions_key_over_its_exact_request() -> None:
    params = _request(0).params
    key = custom_id("msg-001", params)
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", key)
    assert key == custom_id("msg-001", json.loads(json.dumps(params)))
    assert key != custom_id("msg-002", params)
    assert key != custom_id("msg-001", {**params, "max_tokens": 11})

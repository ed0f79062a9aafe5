"""The fake API's Message Batches, through the real SDK: what the batch runs' tests stand on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from crm_crew.testing.anthropic_api import FakeAnthropic


@pytest.fixture(scope="module")
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


def _requests(n: int) -> list[Any]:
    return [{"custom_id": f"r-{i}", "params": {"model": "claude-haiku-4-5", "max_tokens": 50,
                                               "messages": [{"role": "user", "content": f"hello {i}"}]}}
            for i in range(n)]


def test_a_batch_processes_for_its_delay_then_serves_its_results_by_custom_id(server: FakeAnthropic) -> None:
    server.reset()
    server.configure_batches(delay_s=0.2, errored=1, expired=1)
    client = server.client()
    batch = client.messages.batches.create(requests=_requests(4))
    assert batch.processing_status == "in_progress" and batch.request_counts.processing == 4
    assert batch.request_counts.succeeded == 0 and batch.results_url is None
    time.sleep(0.25)
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended"
    assert (ended.request_counts.succeeded, ended.request_counts.errored, ended.request_counts.expired) == (2, 1, 1)
    results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
    assert [results[f"r-{i}"].type for i in range(4)] == ["errored", "expired", "succeeded", "succeeded"]
    assert results["r-2"].message.content[0].text == "Echo: hello 2"   # type: ignore[union-attr]
    stats = server.stats()
    assert (stats["batches_created"], stats["batch_requests"], stats["requests"]) == (1, 2, 2)


def test_a_cancelled_batch_ends_with_its_requests_canceled(server: FakeAnthropic) -> None:
    server.reset()
    server.configure_batches(delay_s=60)
    client = server.client()
    batch = client.messages.batches.create(requests=_requests(2))
    assert client.messages.batches.cancel(batch.id).processing_status == "canceling"
    assert client.messages.batches.retrieve(batch.id).request_counts.canceled == 2
    assert {r.result.type for r in client.messages.batches.results(batch.id)} == {"canceled"}


def test_a_bad_custom_id_or_an_unknown_batch_is_refused_like_the_api(server: FakeAnthropic) -> None:
    client = server.client()
    with pytest.raises(anthropic.BadRequestError, match="custom_id"):
        client.messages.batches.create(requests=[{**_requests(1)[0], "custom_id": "has space"}])
    with pytest.raises(anthropic.NotFoundError):
        client.messages.batches.retrieve("msgbatch_nope")

"""A job whose worker died between dequeuing and starting it goes back on the queue, once, without a retry spent."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from rq import Queue

from crm_crew.pipeline.rq_rescue import STUCK_S, rescue_orphans, waiting_retries


@pytest.fixture
def queue(client: redis.Redis, namespace: str) -> Iterator[Queue]:
    q = Queue(f"rescue-{namespace}", connection=client)
    yield q
    client.delete(*client.keys(f"rq:*{namespace}*") or ["-"])


def dequeued_by_a_worker_that_dies(queue: Queue) -> str:
    """What rq's dequeue does (queue -> intermediate list) followed by the worker's death before it starts."""
    job = queue.enqueue("builtins.len", "abc")
    assert queue.connection.lmove(queue.key, queue.intermediate_queue.key) == job.id.encode()
    return job.id


def test_a_job_lost_between_dequeue_and_start_is_requeued_once_it_is_clearly_stuck(queue: Queue) -> None:
    jid = dequeued_by_a_worker_that_dies(queue)
    assert queue.count == 0 and waiting_retries(queue) == pytest.approx(STUCK_S, abs=1)
    assert rescue_orphans(queue) == 0          # just dequeued: a live worker may be starting it right now
    seen = queue.intermediate_queue.get_first_seen_key(jid)
    queue.connection.set(seen, time.time() - STUCK_S - 1)
    assert waiting_retries(queue) == 0
    assert rescue_orphans(queue) == 1
    assert queue.job_ids == [jid] and queue.intermediate_queue.get_job_ids() == []
    assert rescue_orphans(queue) == 0 and queue.job_ids == [jid]      # taken back once, not twice
    assert queue.fetch_job(jid).get_status() == "queued"


def test_a_started_job_is_not_stuck(queue: Queue) -> None:
    jid = dequeued_by_a_worker_that_dies(queue)
    queue.connection.zadd(queue.started_job_registry.key, {f"{jid}:execution": time.time() + 60})   # as rq starts it
    queue.connection.set(queue.intermediate_queue.get_first_seen_key(jid), time.time() - STUCK_S - 1)
    assert waiting_retries(queue) is None
    rescue_orphans(queue)                 # its worker is unknown: rq's abandoned-job handling takes it, not requeue
    assert queue.count == 0

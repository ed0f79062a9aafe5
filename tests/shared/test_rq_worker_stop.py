"""A worker's command listener lets the worker stop at once: rq's own reads its channel in 60 s slices, and
stopping waits for the slice to end with redis-py 8 (a `worker --concurrency 2` took 61 s to stop)."""

from __future__ import annotations

import time

import redis
from rq import Queue

from crm_crew.pipeline.rq_jobs import PromptWorker


def test_the_command_listener_stops_within_a_slice(client: redis.Redis, namespace: str) -> None:
    worker = PromptWorker([Queue(f"stop-{namespace}", connection=client)], connection=client,
                          name=f"stop-{namespace}")
    worker.subscribe()
    try:
        assert worker.pubsub_thread is not None and worker.pubsub_thread.sleep_time <= 1.0
        time.sleep(0.2)                        # the listener is inside its read
    finally:
        started = time.monotonic()
        worker.unsubscribe()
    worker.pubsub_thread.join(timeout=10)      # a hang guard: the read ends within its slice
    assert not worker.pubsub_thread.is_alive()
    assert time.monotonic() - started < 10

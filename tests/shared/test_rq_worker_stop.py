"""A worker's command listener lets the worker stop at once: rq's own reads its channel in 60 s slices, and
stopping waits for the slice to end with redis-py 8 (a `worker --concurrency 2` took 61 s to stop)."""

from __future__ import annotations

import threading
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


def test_stopping_at_any_moment_of_the_slice_closes_the_listener_once(client: redis.Redis, namespace: str,
                                                                       monkeypatch) -> None:
    """The listener closes its pubsub when its slice ends; rq's unsubscribe also closed it after a 1 s join,
    which with 1 s slices could meet the listener's own close inside redis-py (burst workers exited 1 with
    'NoneType' object has no attribute 'deregister_connect_callback' in CI)."""
    raised: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    for offset in (0.0, 0.5, 0.95, 1.0, 1.05, 1.5):
        worker = PromptWorker([Queue(f"stop-{namespace}", connection=client)], connection=client,
                              name=f"stop-{namespace}-{offset}")
        worker.subscribe()
        time.sleep(offset)
        worker.unsubscribe()
        assert worker.pubsub_thread is not None
        worker.pubsub_thread.join(timeout=10)
        assert not worker.pubsub_thread.is_alive()
        assert worker.pubsub.connection is None       # closed: its connection went back to the pool
    assert raised == []

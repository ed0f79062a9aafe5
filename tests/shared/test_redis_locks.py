"""Record locks against a real Redis: exclusion across processes, timeouts naming the key, leases that a
killed holder loses and a living one keeps, and a dead Redis turning into a clear error."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest
import redis

from crm_crew.errors import SharedStateUnavailable
from crm_crew.shared.client import connect
from crm_crew.shared.redis_locks import LockLost, LockTimeout, RecordLock, record_lock_key
from crm_crew.testing.servers import RedisServer
from tests.shared import workers

SPAWN = multiprocessing.get_context("spawn")


def test_four_processes_lose_no_update_of_a_shared_counter(redis_url: str, client: redis.Redis,
                                                           namespace: str) -> None:
    lock_key, counter_key = record_lock_key(namespace, "contact", "c1"), f"{namespace}:counter"
    processes = [SPAWN.Process(target=workers.increment_under_lock, args=(redis_url, lock_key, counter_key, 200))
                 for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    assert int(client.get(counter_key) or 0) == 800
    assert client.get(lock_key) is None


def test_a_lock_held_elsewhere_times_out_naming_the_key(client: redis.Redis, namespace: str) -> None:
    key = record_lock_key(namespace, "contact", "c1")
    with RecordLock(client, key):
        started = time.monotonic()
        with pytest.raises(LockTimeout, match=key), RecordLock(client, key, timeout_s=0.3):
            pass
        assert 0.3 <= time.monotonic() - started < 1.0
    with RecordLock(client, key, timeout_s=0.3) as lock:          # free again once released
        assert lock.held


def test_a_killed_holder_loses_the_lock_when_its_lease_ends(redis_url: str, client: redis.Redis,
                                                           namespace: str) -> None:
    key, ready = record_lock_key(namespace, "contact", "c1"), f"{namespace}:ready"
    holder = SPAWN.Process(target=workers.hold_lock_forever, args=(redis_url, key, ready, 1.0))
    holder.start()
    try:
        deadline = time.monotonic() + 30
        while not client.get(ready):
            assert time.monotonic() < deadline and holder.is_alive()
            time.sleep(0.02)
        time.sleep(1.5)                                          # the lease is renewed while the holder lives
        with pytest.raises(LockTimeout):
            RecordLock(client, key, timeout_s=0.1).acquire()
        assert holder.pid is not None
        os.kill(holder.pid, signal.SIGKILL)
        killed = time.monotonic()
        with RecordLock(client, key, timeout_s=5):
            assert time.monotonic() - killed < 2.0              # lease 1 s, polls of at most 0.2 s
    finally:
        holder.kill()
        holder.join()


def test_a_lease_that_ran_out_is_reported_and_never_frees_the_next_holders_lock(client: redis.Redis,
                                                                                namespace: str) -> None:
    key = record_lock_key(namespace, "contact", "c1")
    stalled = RecordLock(client, key, ttl_s=0.2, renew=False)
    with pytest.raises(LockLost, match="expired while held"), stalled:
        time.sleep(0.4)
        RecordLock(client, key, ttl_s=10).acquire()               # someone else takes it meanwhile
    assert client.pttl(key) > 5000                               # theirs, untouched


def test_a_dead_redis_is_a_clear_error(tmp_path: Path, namespace: str) -> None:
    with RedisServer(tmp_path) as server:
        url = server.url
        client = connect(url)
        lock = RecordLock(client, record_lock_key(namespace, "contact", "c1"), renew=False)
        lock.acquire()
    with pytest.raises(SharedStateUnavailable, match=url.removesuffix("/0")):
        lock.release()
    with pytest.raises(SharedStateUnavailable, match="taking the lock"):
        RecordLock(client, record_lock_key(namespace, "contact", "c2")).acquire()

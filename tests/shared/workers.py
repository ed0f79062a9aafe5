"""What the child processes of the tests/shared tests run (importable, as spawned processes need)."""

from __future__ import annotations

import time

from crm_crew.shared.client import connect
from crm_crew.shared.redis_limits import RedisRateLimiter
from crm_crew.shared.redis_locks import RecordLock


def increment_under_lock(url: str, lock_key: str, counter_key: str, times: int) -> None:
    """Read-modify-write of a shared counter, `times` times, each under the lock (a lost update would show)."""
    client = connect(url)
    for _ in range(times):
        with RecordLock(client, lock_key, ttl_s=5, timeout_s=60):
            value = int(client.get(counter_key) or 0)
            time.sleep(0.0005)          # widen the window a lost update would need
            client.set(counter_key, value + 1)


def hold_lock_forever(url: str, lock_key: str, ready_key: str, ttl_s: float) -> None:
    """Take the lock (renewed), tell the test, then hang until killed."""
    client = connect(url)
    lock = RecordLock(client, lock_key, ttl_s=ttl_s)
    lock.acquire()
    client.set(ready_key, "1")
    time.sleep(3600)


def acquire_many(url: str, name: str, rpm: int, window_s: float, times: int, start_at: float) -> list[float]:
    """Wall-clock times at which each of `times` acquires returned."""
    limiter = RedisRateLimiter(connect(url), name, rpm=rpm, itpm=0, otpm=0, window_s=window_s)
    time.sleep(max(0.0, start_at - time.time()))
    stamps = []
    for _ in range(times):
        limiter.acquire(1)
        stamps.append(time.time())
    return stamps


def acquire_once(url: str, name: str) -> float:
    """Seconds one acquire waited."""
    return RedisRateLimiter(connect(url), name, rpm=1000, itpm=0, otpm=0, window_s=60).acquire(1)

"""The shared rate limiter against a real Redis: the window held across processes (timestamps checked),
tokens, unlimited zeros, pauses and announced limits seen by every process, and a dead Redis."""

from __future__ import annotations

import multiprocessing
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from crm_crew.errors import SharedStateUnavailable
from crm_crew.shared.client import connect
from crm_crew.shared.redis_limits import RedisRateLimiter
from crm_crew.testing.servers import RedisServer
from tests.shared import workers

SPAWN = multiprocessing.get_context("spawn")
INSTANT = 0.3                                                    # no wait, on a busy machine


def most_in_any_span(stamps: list[float], span: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < first + span) for i, first in enumerate(stamps))


def test_four_processes_never_exceed_the_limit_in_any_window(redis_url: str, client: redis.Redis,
                                                             namespace: str) -> None:
    start_at = time.time() + 3                                   # the four start together
    with SPAWN.Pool(4) as pool:
        results = pool.starmap(workers.acquire_many, [(redis_url, namespace, 40, 2.0, 30, start_at)] * 4)
    stamps = [t for result in results for t in result]
    assert len(stamps) == 120
    assert most_in_any_span(stamps, 2.0) <= 40
    # ...and no slower than needed: 120 at 40 per 2.1 s (window + margin) are three batches, two spans apart.
    assert max(stamps) - min(stamps) < 2.1 * 2 + 1.0


def test_input_and_output_tokens_are_limited_and_zero_means_unlimited(client: redis.Redis, namespace: str) -> None:
    limiter = RedisRateLimiter(client, namespace, rpm=0, itpm=100, otpm=50, window_s=1.0)
    assert limiter.acquire(60) < INSTANT
    assert limiter.acquire(40) < INSTANT                        # 100 <= 100
    assert 0.9 < limiter.acquire(30) < 1.5                      # waits for the first 60 to leave the window
    limiter.record_output(50)
    assert 0.9 < limiter.acquire(1) < 1.5                       # the output budget is used up
    crm = RedisRateLimiter(client, f"{namespace}:crm", rpm=3, itpm=0, otpm=0, window_s=1.0)
    for _ in range(3):
        assert crm.acquire(10**9) < INSTANT                     # tokens unlimited, requests counted


def test_a_pause_holds_back_every_process(redis_url: str, client: redis.Redis, namespace: str) -> None:
    with SPAWN.Pool(1) as pool:
        pool.apply(workers.acquire_once, (redis_url, namespace))          # the child is up, connected
        RedisRateLimiter(client, namespace, rpm=1000, itpm=0, otpm=0).pause(1.5)
        waited = pool.apply(workers.acquire_once, (redis_url, namespace))
    assert 1.3 < waited < 1.6


def test_limits_announced_by_the_api_bind_every_process(redis_url: str, client: redis.Redis, namespace: str) -> None:
    here = RedisRateLimiter(client, namespace, rpm=100, itpm=0, otpm=0, window_s=1.0)
    there = RedisRateLimiter(connect(redis_url), namespace, rpm=100, itpm=0, otpm=0, window_s=1.0)
    here.observe({"anthropic-ratelimit-requests-limit": "2"})
    assert here.limits["rpm"] == 2
    there.acquire(1)
    there.acquire(1)
    assert there.acquire(1) > 0.9
    reset = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    here.observe({"anthropic-ratelimit-tokens-remaining": "0", "anthropic-ratelimit-input-tokens-remaining": "0",
                  "anthropic-ratelimit-input-tokens-reset": reset})
    assert 0.5 < there.acquire(1) < 1.6                          # held until the reset


def test_a_dead_redis_is_a_clear_error(tmp_path: Path, namespace: str) -> None:
    with RedisServer(tmp_path) as server:
        url = server.url
        limiter = RedisRateLimiter(connect(url), namespace, rpm=10, itpm=0, otpm=0)
        limiter.acquire(1)
    with pytest.raises(SharedStateUnavailable, match=url.removesuffix("/0")):
        limiter.acquire(1)
    with pytest.raises(SharedStateUnavailable, match="rate limit"):
        limiter.pause(1)

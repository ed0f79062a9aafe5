"""The in-process bounded runner (crm_crew.pipeline.runner.InProcessRunner)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from crm_crew.pipeline.runner import InProcessRunner


class Feed:
    """An item generator that records how far it was pulled ahead of the results consumed."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.pulled = 0
        self.consumed = 0
        self.max_ahead = 0
        self.lock = threading.Lock()

    def __iter__(self) -> Iterator[int]:
        for i in range(self.n):
            with self.lock:
                self.pulled += 1
                self.max_ahead = max(self.max_ahead, self.pulled - self.consumed)
            yield i

    def consume(self, results: Iterator[int]) -> list[int]:
        out = []
        for r in results:
            with self.lock:
                self.consumed += 1
            out.append(r)
        return out


def slow_square(i: int) -> int:
    time.sleep(0.002 * (i % 3))
    return i * i


@pytest.mark.parametrize("concurrency", [1, 2, 3])
def test_every_result_is_yielded(concurrency: int) -> None:
    feed = Feed(25)
    results = feed.consume(InProcessRunner(concurrency).map(slow_square, feed))
    assert sorted(results) == [i * i for i in range(25)]
    assert feed.pulled == 25


@pytest.mark.parametrize("concurrency", [2, 3])
def test_never_more_than_twice_concurrency_items_pulled_ahead(concurrency: int) -> None:
    feed = Feed(40)
    results = feed.consume(InProcessRunner(concurrency).map(slow_square, feed))
    assert len(results) == 40
    # it reads ahead to keep the workers busy, but never past 2 x concurrency
    assert feed.max_ahead == 2 * concurrency


def test_concurrency_one_runs_in_order_one_at_a_time() -> None:
    feed = Feed(10)
    assert feed.consume(InProcessRunner(1).map(slow_square, feed)) == [i * i for i in range(10)]
    assert feed.max_ahead == 1


def test_concurrency_below_one_is_one() -> None:
    assert InProcessRunner(0).concurrency == 1 and InProcessRunner(-3).concurrency == 1


def test_jobs_really_run_in_parallel() -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def job(i: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.01)
        with lock:
            active -= 1
        return i

    assert sorted(InProcessRunner(3).map(job, range(9))) == list(range(9))
    assert 1 < peak <= 3


def test_results_come_as_they_complete() -> None:
    def job(i: int) -> int:
        time.sleep(0.05 if i == 0 else 0.0)
        return i

    results = list(InProcessRunner(2).map(job, range(4)))
    assert results[-1] == 0 and sorted(results) == [0, 1, 2, 3]


def test_empty_input() -> None:
    assert list(InProcessRunner(2).map(slow_square, [])) == []


def test_a_job_error_reaches_the_consumer() -> None:
    def job(i: int) -> int:
        if i == 3:
            raise ValueError("boom")
        return i

    with pytest.raises(ValueError, match="boom"):
        list(InProcessRunner(2).map(job, range(6)))

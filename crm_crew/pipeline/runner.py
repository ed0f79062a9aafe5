"""The Runner protocol and the default in-process bounded pool.

A Redis/RQ runner plugs in behind the same protocol: it runs the same job function on
many machines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Runner(Protocol):
    def map(self, job: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Run `job` over `items`, yielding results as they complete."""


class InProcessRunner:
    """A thread pool that never holds more than 2 × concurrency items in memory."""

    def __init__(self, concurrency: int) -> None:
        self.concurrency = max(1, concurrency)

    def map(self, job: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        if self.concurrency == 1:
            for item in items:
                yield job(item)
            return
        pending: set[Future[R]] = set()
        pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="crm-crew")
        try:
            for item in items:
                pending.add(pool.submit(job, item))
                if len(pending) >= 2 * self.concurrency:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            # on Ctrl-C or an error: finish the interactions already started, start no more
            pool.shutdown(wait=True, cancel_futures=True)

"""The one retry policy every remote connector uses (client libraries' own retries are off).

429 waits as long as the CRM asks (Retry-After, or the rate-limit window it reports);
5xx, timeouts and dropped connections back off exponentially with full jitter; any other
error is raised at once. Retries never stack: connectors call `RetryPolicy.call` exactly
once per logical request and configure their HTTP clients with zero retries.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from crm_crew.errors import CrmRateLimited, CrmTransientError
from crm_crew.observability.tracing_crm import retried

T = TypeVar("T")


@dataclass
class RetryStats:
    """What the policy had to absorb during a run (reported by `crm check` and tests)."""

    attempts: int = 0
    retries: int = 0
    rate_limited: int = 0
    transient: int = 0
    waited_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, *, rate_limited: bool, waited_s: float) -> None:
        with self._lock:
            self.retries += 1
            self.waited_s += waited_s
            if rate_limited:
                self.rate_limited += 1
            else:
                self.transient += 1


@dataclass
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[float, float], float] = random.uniform
    stats: RetryStats = field(default_factory=RetryStats)
    gate: Callable[[], object] | None = None      # waits for the CRM request limit before each attempt

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
        ceiling = min(self.max_delay_s, self.base_delay_s * (2 ** (attempt - 1)))
        return self.jitter(0.0, ceiling)

    def call(self, request: Callable[[], T]) -> T:
        attempt = 0
        while True:
            attempt += 1
            self.stats.attempts += 1
            if self.gate is not None:
                self.gate()
            try:
                return request()
            except CrmTransientError as exc:
                if attempt >= self.max_attempts:
                    raise
                rate_limited = isinstance(exc, CrmRateLimited)
                if exc.retry_after_s is not None:
                    delay = min(self.max_delay_s, max(0.0, exc.retry_after_s))
                else:
                    delay = self.backoff(attempt)
                self.stats.add(rate_limited=rate_limited, waited_s=delay)
                retried(attempt, rate_limited, delay, exc.status)
                self.sleep(delay)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())

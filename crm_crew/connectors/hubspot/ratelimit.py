"""A gate every HubSpot request passes: it waits out the rate-limit window HubSpot reports.

After each response the gate reads the X-HubSpot-RateLimit-* headers. When the window has no
request left (Remaining 0), or a 429 came without Retry-After, the next request waits until the
window (Interval-Milliseconds) has passed; a 429 with Retry-After waits that long. When the daily
allowance is used up (Daily-Remaining 0) the next request raises CrmLimitReached instead of being sent.
Thread-safe: one gate is shared by all the connector's threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from crm_crew.connectors.hubspot.errors import header, window_wait_s
from crm_crew.connectors.retry import parse_retry_after
from crm_crew.errors import CrmLimitReached

BUDGET_HEADERS: dict[str, str] = {
    "daily_max": "X-HubSpot-RateLimit-Daily", "daily_remaining": "X-HubSpot-RateLimit-Daily-Remaining",
    "window_max": "X-HubSpot-RateLimit-Max", "window_remaining": "X-HubSpot-RateLimit-Remaining",
    "window_ms": "X-HubSpot-RateLimit-Interval-Milliseconds",
}


class RateGate:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._open_at = 0.0
        self.daily_exhausted = False
        self.budget: dict[str, Any] = {}
        self.waited_s = 0.0

    def wait(self) -> None:
        """Block until a request may be sent (callers queue behind one another while waiting)."""
        with self._lock:
            if self.daily_exhausted:
                raise CrmLimitReached(
                    f"hubspot's daily API limit is used up ({self.budget.get('daily_max', '?')} requests): it resets "
                    "at midnight in the HubSpot account's time zone; resume the run after that")
            delay = self._open_at - self._clock()
            if delay > 0:
                self.waited_s += delay
                self._sleep(delay)

    def observe(self, headers: Mapping[str, str] | None, status: int) -> None:
        if not headers:
            return
        with self._lock:
            for key, name in BUDGET_HEADERS.items():
                value = header(headers, name)
                if value is not None and value.isdigit():
                    self.budget[key] = int(value)
            if self.budget.get("daily_remaining") == 0 and header(headers, BUDGET_HEADERS["daily_remaining"]):
                self.daily_exhausted = True
            wait: float | None = None
            if status == 429:
                wait = parse_retry_after(header(headers, "Retry-After"))
            if wait is None and (status == 429 or header(headers, BUDGET_HEADERS["window_remaining"]) == "0"):
                wait = window_wait_s(headers)
            if wait:
                self._open_at = max(self._open_at, self._clock() + wait)

"""One client-side rate limiter per process and API endpoint, shared by every crew and thread.

A sliding window over requests, input tokens and output tokens: at no moment does the last `window_s`
seconds hold more than the limits, so it stays under both rolling-window and token-bucket limiters.
Entries stay in the window a little longer than `window_s` (MARGIN) so that a request's admission here
and its arrival at the server may differ by network latency without the server seeing one too many.
The API's `anthropic-ratelimit-*` headers tighten the limits live, and a 429's retry-after pauses everyone.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

MARGIN = 0.05                                   # of window_s, at most MAX_MARGIN_S
MAX_MARGIN_S = 1.0
HEADER_NAMES = {"requests": "rpm", "input-tokens": "itpm", "output-tokens": "otpm"}


def _parse_reset(value: str) -> float | None:
    """An RFC 3339 time as epoch seconds."""
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class RateLimiter:
    """Sliding window (window_s, default 60) on requests, input tokens and output tokens; never lets more than
    the limits through in ANY window_s span, so it is safe against both rolling-window and bucket limiters."""

    def __init__(self, rpm: int, itpm: int, otpm: int, window_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.configured = {"rpm": rpm, "itpm": itpm, "otpm": otpm}
        self.limits = dict(self.configured)       # configured, tightened by the API's headers
        self.window_s = window_s
        self.span = window_s + min(MAX_MARGIN_S, MARGIN * window_s)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._requests: deque[float] = deque()
        self._inputs: deque[tuple[float, int]] = deque()
        self._outputs: deque[tuple[float, int]] = deque()
        self._held_until = 0.0

    def _prune(self, now: float) -> None:
        horizon = now - self.span
        while self._requests and self._requests[0] <= horizon:
            self._requests.popleft()
        for window in (self._inputs, self._outputs):
            while window and window[0][0] <= horizon:
                window.popleft()

    def _wait_for(self, now: float, input_tokens: int) -> float:
        """Seconds until this request fits (0: it fits now). Call with the lock held."""
        waits = [self._held_until - now]
        if len(self._requests) >= self.limits["rpm"]:
            waits.append(self._requests[len(self._requests) - self.limits["rpm"]] + self.span - now)
        waits.append(self._token_wait(self._inputs, self.limits["itpm"], input_tokens, now))
        waits.append(self._token_wait(self._outputs, self.limits["otpm"], 0, now))
        return max(0.0, *waits)

    def _token_wait(self, window: deque[tuple[float, int]], limit: int, extra: int, now: float) -> float:
        total = sum(n for _, n in window)
        # One request larger than the whole limit goes through alone rather than never.
        extra = min(extra, limit)

        def fits(used: int) -> bool:
            return used + extra <= limit if extra else used < limit

        if fits(total):
            return 0.0
        for t, n in window:
            total -= n
            if fits(total):
                return t + self.span - now
        return self.span

    def acquire(self, input_tokens: int) -> float:
        """Blocks until the request fits the limits, then counts it; returns the seconds waited."""
        start = self._clock()
        while True:
            with self._lock:
                now = self._clock()
                self._prune(now)
                wait = self._wait_for(now, input_tokens)
                if wait <= 0:
                    self._requests.append(now)
                    self._inputs.append((now, input_tokens))
                    return now - start
            self._sleep(min(wait, self.span) + 0.001)

    def record_output(self, output_tokens: int) -> None:
        with self._lock:
            self._outputs.append((self._clock(), output_tokens))

    def pause(self, seconds: float) -> None:
        """Nobody sends for `seconds` (a 429's retry-after)."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + max(0.0, seconds))

    def observe(self, headers: Mapping[str, str]) -> None:
        """Adopt the API's limits when lower than configured; when one is used up, hold until it resets."""
        hold = 0.0
        with self._lock:
            for name, key in HEADER_NAMES.items():
                limit = _int(headers.get(f"anthropic-ratelimit-{name}-limit"))
                if limit is not None and limit > 0:
                    self.limits[key] = min(self.configured[key], limit)
                remaining = _int(headers.get(f"anthropic-ratelimit-{name}-remaining"))
                reset = _parse_reset(headers.get(f"anthropic-ratelimit-{name}-reset") or "")
                if remaining == 0 and reset is not None:
                    hold = max(hold, min(reset - time.time(), self.span))
            if hold > 0:
                self._held_until = max(self._held_until, self._clock() + hold)


def _int(value: str | None) -> int | None:
    try:
        return None if value is None else int(math.floor(float(value)))
    except ValueError:
        return None


_shared: dict[str, RateLimiter] = {}
_shared_lock = threading.Lock()


class Limiter(Protocol):
    """What the transport needs of a limiter: this module's per-process one, or crm_crew.shared's Redis one."""

    def acquire(self, input_tokens: int) -> float: ...
    def record_output(self, output_tokens: int) -> None: ...
    def observe(self, headers: Mapping[str, str]) -> None: ...
    def pause(self, seconds: float) -> None: ...


def shared_limiter(key: str, rpm: int, itpm: int, otpm: int, window_s: float = 60.0) -> RateLimiter:
    """The process's limiter for `key` (an API endpoint); the first caller's limits win."""
    with _shared_lock:
        limiter = _shared.get(key)
        if limiter is None:
            limiter = _shared[key] = RateLimiter(rpm, itpm, otpm, window_s)
        return limiter


def reset_shared_limiters() -> None:
    with _shared_lock:
        _shared.clear()

"""A circuit breaker for the model API: after `failures` failed calls in a row (each after its retries),
calls fail fast with CircuitOpenError; after `cooldown_s` one probe call goes through and its outcome
closes or re-opens the circuit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from crm_crew.errors import CircuitOpenError

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = CLOSED
        self._in_a_row = 0
        self._opened_at = 0.0

    @property
    def state(self) -> str:
        """"closed" | "open" | "half_open" (a probe call is under way)."""
        with self._lock:
            return self._state

    def before_call(self) -> None:
        """Raises CircuitOpenError while open; after the cooldown lets ONE probe through."""
        with self._lock:
            if self._state == CLOSED:
                return
            if self._state == OPEN:
                left = self._opened_at + self.cooldown_s - self._clock()
                if left <= 0:
                    self._state = HALF_OPEN        # this caller is the probe
                    return
                raise CircuitOpenError(f"the model API failed {self._in_a_row} times in a row; "
                                       f"calls are paused for {left:.0f} s more")
            raise CircuitOpenError("the model API failed repeatedly; a probe request is under way")

    def success(self) -> None:
        with self._lock:
            self._state = CLOSED
            self._in_a_row = 0

    def failure(self) -> None:
        with self._lock:
            self._in_a_row += 1
            if self._state == HALF_OPEN or self._in_a_row >= self.failures:
                self._state = OPEN
                self._opened_at = self._clock()

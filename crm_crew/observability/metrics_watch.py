"""The metrics of `crm-crew watch` itself, pushed beside its runs' (metrics_push.py): the same Pushgateway
group (job="crm-crew", run=<run name>) and `push_add`, so a watch push never erases a run's figures.

Pushed after each cycle that ran and every `push_interval_s` while the watch waits for mail. The counters
count since the watch started (a restart is a counter reset to Prometheus).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, pushadd_to_gateway

from crm_crew.observability.metrics_push import JOB, PUSH_TIMEOUT_S, _safe, run_name_of


@dataclass
class WatchState:
    runs: int = 0                         # runs the watch made (batches of new mail)
    reconnects: int = 0                   # times the mailbox connection was opened again
    last_check: float | None = None       # epoch seconds the watcher last looked at the folder successfully
    idle: bool | None = None              # the server offers IDLE (None: not connected yet)


def watch_registry(state: WatchState) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    Counter("crm_crew_watch_runs", "Runs `crm-crew watch` made over new mail since it started",
            registry=registry).inc(state.runs)
    Counter("crm_crew_watch_reconnects", "Times `crm-crew watch` opened its mailbox connection again",
            registry=registry).inc(state.reconnects)
    if state.last_check is not None:
        Gauge("crm_crew_watch_last_check_timestamp_seconds",
              "When `crm-crew watch` last looked at its folder successfully (Unix time)",
              registry=registry).set(state.last_check)
    if state.idle is not None:
        Gauge("crm_crew_watch_idle", "1 when the watched server offers IMAP IDLE, 0 when the watch polls",
              registry=registry).set(1 if state.idle else 0)
    return registry


class WatchPusher:
    """Pushes `state()` now (`push`) and every `interval_s` on a daemon thread until `close`."""

    def __init__(self, url: str, config: Any, interval_s: float, state: Callable[[], WatchState],
                 warn: Callable[[str], None]) -> None:
        self.url, self.interval_s, self.state, self.warn = url, interval_s, state, warn
        self.run_name = run_name_of(config)
        self._warned = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._every_interval, name="crm-crew-watch-metrics", daemon=True)

    def start(self) -> WatchPusher:
        self.push()
        self._thread.start()
        return self

    def push(self) -> None:
        with self._lock:
            try:
                pushadd_to_gateway(self.url, job=JOB, grouping_key={"run": self.run_name},
                                   registry=watch_registry(self.state()), timeout=PUSH_TIMEOUT_S)
            except Exception as exc:    # an unreachable or refusing gateway never stops the watch
                if not self._warned:
                    self._warned = True
                    self.warn(f"warning: pushing watch metrics to {_safe(self.url)} failed ({type(exc).__name__}); "
                              "the watch goes on without them")

    def _every_interval(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.push()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=PUSH_TIMEOUT_S * 2)
        self.push()

"""Pushing a run's metrics to a Prometheus Pushgateway: every `push_interval_s` while it works, and at its end.

Grouping key: job="crm-crew", run=<run name> (metrics.run_name, else the config folder's name): one group per
scheduled job, so the Pushgateway holds a bounded set of series however many runs there are. Pushes use
`push_add` (HTTP POST): a series the push leaves out keeps its value, so a failed run, which pushes no
`crm_crew_last_success_timestamp_seconds`, never erases the last success. A push that fails warns once on
stderr and never fails the run.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import pushadd_to_gateway

from crm_crew.observability.metrics_run import RunState, run_registry
from crm_crew.observability.metrics_tally import RunTally, rule_names
from crm_crew.observability.metrics_totals import Totals, load_totals, save_totals, totals_path

JOB = "crm-crew"
PUSH_TIMEOUT_S = 5.0


RUN_LEVEL = "run"          # the route label of the run's own model calls (not an interaction's)


def run_name_of(config: Any) -> str:
    """The `run` grouping label: metrics.run_name, else the config folder's name (a closed, small set)."""
    name = config.settings.metrics.run_name or config.directory.resolve().name
    return "".join(c if c.isalnum() or c in "_.-" else "_" for c in name)[:64] or "default"


class RunPusher:
    """Counts a run's records as they come and pushes; `finish` pushes the figures the summary counts."""

    def __init__(self, url: str, config: Any, home: Path, run_id: str | None, interval_s: float,
                 warn: Callable[[str], None] | None = None) -> None:
        self.url, self.interval_s = url, interval_s
        self.run_name = run_name_of(config)
        self._rules = rule_names(config.settings)
        self._path = totals_path(home, self.run_name)
        self._totals: Totals = load_totals(self._path, run_id or "", self._rules)
        self._tally = RunTally(self._rules)
        self._state = RunState(started_at=time.time())
        self._lock = threading.Lock()
        self._warn = warn or (lambda text: print(text, file=sys.stderr, flush=True))
        self._warned = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> RunPusher:
        self._push(self._snapshot())
        self._thread = threading.Thread(target=self._every_interval, name="crm-crew-metrics-push", daemon=True)
        self._thread.start()
        return self

    def observe(self, record: dict[str, Any]) -> None:
        with self._lock:
            self._tally.add(record)

    def finish(self, run_id: str, summary: dict[str, Any], records: list[dict[str, Any]], store: Any) -> None:
        """The run ended with `summary`; `records` are the journal's (what the summary counted)."""
        tally = RunTally(self._rules)
        for record in records:
            tally.add(record)
        tally.add_usage(summary.get("run_level_llm") or {}, RUN_LEVEL)   # the analytics step's calls
        success = summary.get("exit_code") == 0
        duration = summary.get("duration_s")
        self._end(run_id, tally, success, float(duration) if isinstance(duration, (int, float)) else None, store)

    def failed(self, run_id: str | None, store: Any) -> None:
        """The run stopped (interrupted or an error): what it counted so far, and no success."""
        with self._lock:
            tally = self._tally
        self._end(run_id or "", tally, False, time.time() - self._state.started_at, store)

    def _end(self, run_id: str, tally: RunTally, success: bool, duration_s: float | None, store: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=PUSH_TIMEOUT_S * 2)
        outcome = "success" if success else "failed"
        runs = dict(self._totals.runs)
        runs[outcome] = runs.get(outcome, 0) + 1
        with self._lock:
            self._tally = tally
            self._state.ended_at, self._state.success, self._state.duration_s = time.time(), success, duration_s
            self._state.runs = {"success": runs.get("success", 0), "failed": runs.get("failed", 0)}
        self._state.review_depth, self._state.review_oldest = _review_queue(store)
        self._push(self._snapshot())
        try:
            save_totals(self._path, self._totals, run_id, tally, outcome)
        except OSError as exc:
            self._warn_once(f"warning: metrics totals not saved to {self._path}: {exc.strerror or exc}")

    def _every_interval(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._push(self._snapshot())

    def _snapshot(self) -> Any:
        from crm_crew.llm.governors import open_breakers

        with self._lock:
            self._state.breaker_open = open_breakers()
            return run_registry(self._totals.base.merge(self._tally), self._state)

    def _push(self, registry: Any) -> None:
        try:
            pushadd_to_gateway(self.url, job=JOB, grouping_key={"run": self.run_name}, registry=registry,
                               timeout=PUSH_TIMEOUT_S)
        except Exception as exc:    # an unreachable or refusing gateway never fails the run
            self._warn_once(f"warning: pushing metrics to {_safe(self.url)} failed ({type(exc).__name__}); "
                            "the run goes on without them")

    def _warn_once(self, text: str) -> None:
        if not self._warned:
            self._warned = True
            self._warn(text)


def _review_queue(store: Any) -> tuple[int | None, float | None]:
    try:
        pending = store.list_reviews("pending")
    except Exception:       # the journal is unreadable: the metric is left out, the run's own error says why
        return None, None
    stamps = [_epoch(item.created_at) for item in pending]
    known = [s for s in stamps if s is not None]
    return len(pending), (min(known) if known else None)


def _epoch(iso: str) -> float | None:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except (TypeError, ValueError):
        return None


def _safe(url: str) -> str:
    """The URL without a user or password it may carry."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=f"{host}:{parts.port}" if parts.port else host)) if parts.netloc else url

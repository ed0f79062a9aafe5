"""Per-stage latency of a long-lived process (`crm-crew worker --metrics-port`), timed at the choke points:
the security screen, the lean route's model call, the crew, CRM reads and CRM writes.

Off until `enable()`: then `timed(stage)` observes into one histogram in the default registry; before, it is
a shared no-op context manager, so a run without a metrics port pays one global lookup per stage.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

STAGES = ("screen", "lean_call", "crew", "crm_read", "crm_write")
CRM_READS = frozenset({"find_contact_by_email", "search_contacts", "get_contact", "recent_activities", "get"})
CRM_WRITES = frozenset({"create", "create_many", "update", "delete"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

_NOTHING = nullcontext()
_histogram: Any = None
_errors: Any = None


def enable() -> None:
    """Start timing stages into the default registry (idempotent)."""
    global _histogram, _errors
    if _histogram is not None:
        return
    from prometheus_client import Counter, Histogram

    _histogram = Histogram("crm_crew_stage_duration_seconds", "Time spent in one stage of an interaction",
                           ["stage"], buckets=BUCKETS)
    _errors = Counter("crm_crew_stage_errors", "Stage calls that raised (e.g. a CRM request that failed)",
                      ["stage"])
    for stage in STAGES:
        _histogram.labels(stage)
        _errors.labels(stage)


def enabled() -> bool:
    return _histogram is not None


def timed(stage: str) -> AbstractContextManager[None]:
    return _NOTHING if _histogram is None else _observe(stage)


@contextmanager
def _observe(stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        _errors.labels(stage).inc()
        raise
    finally:
        _histogram.labels(stage).observe(time.perf_counter() - started)


class TimedConnector:
    """A connector whose reads and writes are timed as crm_read / crm_write; everything else passes through."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        stage = "crm_read" if name in CRM_READS else "crm_write" if name in CRM_WRITES else None
        if stage is None or not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with timed(stage):
                return attr(*args, **kwargs)

        return call


def time_connector(connector: Any) -> Any:
    """The connector, timed when stage metrics are on."""
    return TimedConnector(connector) if enabled() else connector

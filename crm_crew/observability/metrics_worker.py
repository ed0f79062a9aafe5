"""`/metrics` of `crm-crew worker --metrics-port N`: jobs, stage latencies, the queue and its workers.

One worker process: prometheus_client's HTTP server in that process. `--concurrency N`: the parent serves
one endpoint for all N, in prometheus_client's multiprocess mode (each child writes its counters, gauges and
histograms to files in a private folder the parent aggregates at every scrape), so Prometheus scrapes one
port per machine whatever N is; the queue's figures are read from Redis by the parent at scrape time.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from crm_crew.observability import metrics_stages

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

_jobs: Any = None


def instrument() -> None:
    """Count this process's jobs and time its stages (idempotent). In a child of a multiprocess worker the
    values go to the parent's folder (PROMETHEUS_MULTIPROC_DIR, inherited)."""
    global _jobs
    if _jobs is not None:
        return
    from prometheus_client import Counter, Gauge

    metrics_stages.enable()
    _jobs = {
        "in_progress": Gauge("crm_crew_worker_jobs_in_progress", "Jobs being worked now",
                             multiprocess_mode="livesum"),
        "ended": Counter("crm_crew_worker_jobs", "Jobs worked, by outcome (done, failed: raised, retried "
                         "or dead-lettered)", ["outcome"]),
        "last": Gauge("crm_crew_worker_last_job_timestamp_seconds", "When the latest job ended (Unix time)",
                      multiprocess_mode="max"),
    }
    for outcome in ("done", "failed"):
        _jobs["ended"].labels(outcome)


def job() -> AbstractContextManager[None]:
    """Around one queued job: in progress, then done or failed."""
    return nullcontext() if _jobs is None else _counted()


@contextmanager
def _counted() -> Iterator[None]:
    _jobs["in_progress"].inc()
    outcome = "failed"
    try:
        yield
        outcome = "done"
    finally:
        _jobs["in_progress"].dec()
        _jobs["ended"].labels(outcome).inc()
        _jobs["last"].set(time.time())


class QueueCollector:
    """The queue's depth, dead letters, live workers and their latest heartbeat, read from Redis per scrape."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._queue: Any = None

    def describe(self) -> list[Any]:
        """Nothing up front: registering reads no Redis (collect does, at each scrape)."""
        return []

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        from crm_crew.pipeline.rq_rescue import live_workers
        from crm_crew.pipeline.rq_runner import open_queue, queue_counts

        up = GaugeMetricFamily("crm_crew_queue_up", "1 when the queue's Redis answered this scrape")
        try:
            if self._queue is None:
                self._queue = open_queue(self.url)
            counts = queue_counts(self._queue)
            workers = live_workers(self._queue)
        except Exception:     # Redis is down: say so, and the worker's own log tells why
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        depth = GaugeMetricFamily("crm_crew_queue_jobs", "Jobs in the queue by state", labels=["state"])
        for state in ("queued", "started", "scheduled"):
            depth.add_metric([state], counts[state])
        yield depth
        yield GaugeMetricFamily("crm_crew_queue_dead_letters", "Jobs that failed every retry",
                                value=counts["dead_letters"])
        yield GaugeMetricFamily("crm_crew_workers", "Live workers on the queue (every machine)", value=len(workers))
        beats = [w.last_heartbeat.timestamp() for w in workers if w.last_heartbeat is not None]
        yield GaugeMetricFamily("crm_crew_worker_heartbeat_timestamp_seconds",
                                "The latest heartbeat of any live worker on the queue (Unix time)",
                                value=max(beats) if beats else 0)


def serve_single(host: str, port: int, url: str) -> None:
    """This process serves its own metrics and the queue's."""
    from prometheus_client import REGISTRY, start_http_server

    instrument()
    start_http_server(port, addr=host, registry=REGISTRY)
    REGISTRY.register(QueueCollector(url))


class MultiprocessServer:
    """The parent of `--concurrency N` workers: a metrics folder for the children, one endpoint for all."""

    def __init__(self, host: str, port: int, url: str) -> None:
        self.folder = tempfile.mkdtemp(prefix="crm-crew-metrics-")
        os.environ[MULTIPROC_ENV] = self.folder      # the spawned children inherit it
        from prometheus_client import CollectorRegistry, start_http_server
        from prometheus_client.multiprocess import MultiProcessCollector

        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.folder)
        registry.register(QueueCollector(url))
        try:
            self._server, self._thread = start_http_server(port, addr=host, registry=registry)
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def child_ended(self, pid: int | None) -> None:
        from prometheus_client.multiprocess import mark_process_dead

        if pid is not None:
            mark_process_dead(pid, self.folder)

    def close(self) -> None:
        self._server.shutdown()
        shutil.rmtree(self.folder, ignore_errors=True)

"""`crm-crew worker` (process queued runs) and `crm-crew workers` (who is processing them)."""

from __future__ import annotations

import json
import multiprocessing
import signal
import sys
from datetime import datetime, timezone
from types import FrameType
from collections.abc import Callable
from typing import Annotated, Any, Optional, TypeVar

import typer

from crm_crew.cli.common import ConfigOption, JsonOption, err, out
from crm_crew.errors import UsageError

T = TypeVar("T")

QueueOption = Annotated[str, typer.Option("--queue", metavar="URL", show_default=False,
                                          help="The Redis of the queue: redis://[:PASSWORD@]HOST:PORT/DB.")]


def worker(
    queue: QueueOption,
    burst: Annotated[bool, typer.Option("--burst", help="Exit when no job is queued and no retry waits.")] = False,
    concurrency: Annotated[int, typer.Option("--concurrency", min=1, help="Worker processes to run.")] = 1,
    verbose: Annotated[bool, typer.Option("--verbose", help="Log every job (rq's INFO log) on stderr.")] = False,
    metrics_port: Annotated[Optional[int], typer.Option("--metrics-port", min=1, max=65535, show_default=False,
                                                        help="Serve Prometheus metrics on this port at /metrics "
                                                             "(one endpoint for all --concurrency processes).")] = None,
    metrics_host: Annotated[str, typer.Option("--metrics-host", metavar="HOST",
                                              help="Address the metrics endpoint listens on.")] = "127.0.0.1",
    config: ConfigOption = None,
) -> int:
    """Process queued runs' interactions (`crm-crew run --queue URL`) with this machine's config and store."""
    level = "INFO" if verbose else "WARNING"
    if concurrency == 1:
        if metrics_port is not None:
            _serve_metrics(lambda: _single_metrics(metrics_host, metrics_port, queue), metrics_host, metrics_port)
        return _work(queue, config, burst, level)
    server = None
    if metrics_port is not None:
        from crm_crew.observability.metrics_worker import MultiprocessServer

        server = _serve_metrics(lambda: MultiprocessServer(metrics_host, metrics_port, queue), metrics_host,
                                metrics_port)
    try:
        return _work_many(queue, config, burst, level, concurrency, server)
    finally:
        if server is not None:
            server.close()


def _single_metrics(host: str, port: int, queue: str) -> None:
    from crm_crew.observability.metrics_worker import serve_single

    serve_single(host, port, queue)


def _serve_metrics(start: Callable[[], T], host: str, port: int) -> T:
    try:
        return start()
    except OSError as exc:
        raise UsageError(f"--metrics-port {port}: cannot listen on {host}:{port} ({exc.strerror or exc}); "
                         "choose a free port") from None


def _work_many(queue: str, config: str | None, burst: bool, level: str, concurrency: int, server: Any) -> int:
    spawn = multiprocessing.get_context("spawn")
    processes = [spawn.Process(target=_work_and_exit, args=(queue, config, burst, level, server is not None),
                               daemon=False) for _ in range(concurrency)]
    for process in processes:
        process.start()

    def stop(signum: int, frame: FrameType | None) -> None:
        for process in processes:     # a warm shutdown: each finishes its current job
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # a terminal's Ctrl-C reaches the workers themselves
    for process in processes:
        process.join()
        if server is not None:
            server.child_ended(process.pid)
    return 1 if any(process.exitcode for process in processes) else 0


def _work(url: str, config: str | None, burst: bool, level: str) -> int:
    from crm_crew.pipeline import rq_jobs

    from crm_crew.errors import SharedStateUnavailable

    rq_jobs.configure(config)
    try:
        rq_jobs.work(url, burst, level)
    except SharedStateUnavailable as exc:
        raise exc.then("start the worker again (what it journaled is kept)") from exc
    return 0


def _work_and_exit(url: str, config: str | None, burst: bool, level: str, metrics: bool) -> None:
    from crm_crew.cli.main import main

    if metrics:
        from crm_crew.observability.metrics_worker import instrument

        instrument()

    argv = ["worker", "--queue", url, *(["--burst"] if burst else []), *(["--config", config] if config else [])]
    if level == "INFO":
        argv.append("--verbose")
    sys.exit(main(argv))


def workers(queue: QueueOption, as_json: JsonOption = False) -> int:
    """List live workers: state, current job, jobs done and failed, throughput; and the queue's counts."""
    from crm_crew.pipeline.rq_rescue import live_workers
    from crm_crew.pipeline.rq_runner import open_queue, queue_counts, where
    from crm_crew.shared.client import guarded

    q = open_queue(queue)
    with guarded(q.connection, "listing the workers"):
        listing = [_describe(w) for w in live_workers(q)]
    counts = queue_counts(q)
    report: dict[str, Any] = {"queue": where(q), "counts": counts, "workers": listing}
    if as_json:
        print(json.dumps(report, indent=2))
        return 0
    from rich.table import Table

    table = Table("worker", "host", "pid", "state", "current job", "done", "failed", "jobs/s", "up since",
                  title=f"workers of {report['queue']}")
    for w in listing:
        table.add_row(w["name"], w["hostname"], str(w["pid"]), w["state"], w["current_job"] or "-",
                      str(w["successful"]), str(w["failed"]), f"{w['throughput_per_s']:.2f}", w["birth"] or "-")
    out.print(table)
    out.print(f"{len(listing)} worker(s); queued {counts['queued']}, running {counts['started']}, "
              f"waiting to retry {counts['scheduled']}, dead letters {counts['dead_letters']}")
    if not listing:
        err.print(f"no live worker: start one with `crm-crew worker --queue {report['queue']}`")
    return 0


def _describe(w: Any) -> dict[str, Any]:
    done = w.successful_job_count + w.failed_job_count
    return {"name": w.name, "hostname": w.hostname, "pid": w.pid, "state": str(getattr(w.get_state(), "value", w.get_state())),
            "current_job": w.get_current_job_id(), "successful": w.successful_job_count,
            "failed": w.failed_job_count, "working_s": round(w.total_working_time, 2),
            "throughput_per_s": round(done / w.total_working_time, 2) if w.total_working_time else 0.0,
            "birth": _iso(w.birth_date), "last_heartbeat": _iso(w.last_heartbeat)}


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(timezone.utc).isoformat(timespec="seconds") if when else None


def register(app: Any) -> None:
    app.command()(worker)
    app.command()(workers)

"""crm-crew on the RQ runner, for `scripts/bench.py --runner rq --workers N [--store sqlite|postgres]`.

    queue_servers(args) -> context of {"queue": URL[, "DATABASE_URL": URL]}   its own redis-server (and PostgreSQL)
    run_queued(run_cmd, worker_cmd, env, url, n, workers, work) -> (follower Child, worker Children)
    job_timings(url, run_id, interaction_ids) -> list[Timing]                 the run's finished jobs, from Redis
    queue_figures(timings) -> dict                                            hand-off latency and worker throughput

The follower (`crm-crew run ... --queue URL`) starts first; once it has queued the jobs, N `crm-crew worker
--queue URL --burst` processes start side by side, all with the same config and CRM_CREW_HOME (with the default
SQLite store: one shared state folder). Every child's peak RSS is its own.

Hand-off is rq's Job.started_at - Job.enqueued_at of each finished job: with a whole batch queued at once it
is mostly time spent waiting behind other jobs (and for the workers to boot). Pick-up is the queue's own
share: started_at - max(enqueued_at, the end of that worker's previous job), over every job but a worker's
first. A job that ran twice counts with its last run. Worker throughput is jobs per
second between a worker's first start and its last end, per worker and in total (first start to last end).
The job hashes are read right after the run, well within their result TTL.
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import redis
from bench_measure import Child, Running, log, percentile, start_child, wait_child
from rq.job import Job
from rq.worker import Worker

from crm_crew.pipeline.rq_runner import ENQUEUE_CHUNK, QUEUE_NAME, job_id
from crm_crew.shared.client import text
from crm_crew.testing.servers import PostgresServer, RedisServer

QUEUED_TIMEOUT_S = 300


@contextmanager
def queue_servers(args: argparse.Namespace) -> Iterator[dict[str, str]]:
    """Nothing for the in-process runner; else a fresh redis-server (and PostgreSQL with --store postgres)."""
    if args.runner != "rq":
        yield {}
        return
    with ExitStack() as stack:
        servers = {"queue": stack.enter_context(RedisServer()).url}
        if args.store == "postgres":
            servers["DATABASE_URL"] = stack.enter_context(PostgresServer()).url
        log(f"rq: own servers started ({', '.join(sorted(servers))})")
        yield servers


def run_queued(run_cmd: list[str], worker_cmd: list[str], env: dict[str, str], url: str, n: int, workers: int,
               work: Path) -> tuple[Child, list[Child]]:
    """The follower, then `workers` burst workers once the jobs are queued; waits for all of them."""
    follower = start_child(run_cmd, env, work / "crm_crew_summary.json", work / "crm_crew.stderr")
    try:
        _wait_queued(url, min(n, ENQUEUE_CHUNK), follower)
    except BaseException:
        _stop(follower)
        raise
    log(f"rq: {workers} worker(s) start on a queue of {_queued(url)} job(s)")
    running = [start_child(worker_cmd, env, work / f"worker_{i}.stdout", work / f"worker_{i}.stderr")
               for i in range(workers)]
    children = [wait_child(child) for child in running]
    if any(child.returncode != 0 for child in children):
        _stop(follower)       # nobody is left to finish its jobs
    return wait_child(follower), children


def _queued(url: str) -> int:
    return int(redis.Redis.from_url(url).llen(f"rq:queue:{QUEUE_NAME}"))


def _wait_queued(url: str, expected: int, follower: Running) -> None:
    deadline = time.monotonic() + QUEUED_TIMEOUT_S
    while _queued(url) < expected:
        if follower.process.poll() is not None:
            raise SystemExit(f"crm-crew run exited with {follower.process.returncode} before queuing its jobs")
        if time.monotonic() > deadline:
            raise SystemExit(f"crm-crew run queued fewer than {expected} jobs in {QUEUED_TIMEOUT_S} s")
        time.sleep(0.05)


def _stop(running: Running) -> None:
    """SIGTERM without reaping (Popen.send_signal would): wait_child collects the exit."""
    try:
        os.kill(running.process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass


@dataclass
class Timing:
    worker: str
    enqueued: datetime
    started: datetime
    ended: datetime


def job_timings(url: str, run_id: str, interaction_ids: Sequence[str]) -> list[Timing]:
    """When each finished job of the run was last queued, started and ended, and on which worker process."""
    client = redis.Redis.from_url(url)
    jobs = Job.fetch_many([job_id(run_id, key) for key in interaction_ids], connection=client)
    timings = [Timing(job.worker_name or "?", job.enqueued_at, job.started_at, job.ended_at) for job in jobs
               if job is not None and job.enqueued_at and job.started_at and job.ended_at]
    process = {name: _process(client, name) for name in {timing.worker for timing in timings}}
    for timing in timings:
        timing.worker = process[timing.worker]
    return timings


def _process(client: redis.Redis, worker_name: str) -> str:
    """HOST:PID of an rq worker (kept 60 s after its death): a burst worker process that waited for a retry
    names a new rq worker for the rest of its jobs."""
    host, pid = client.hmget(f"{Worker.redis_worker_namespace_prefix}{worker_name}", ["hostname", "pid"])
    return f"{text(host)}:{text(pid)}" if host and pid else worker_name


def queue_figures(timings: list[Timing]) -> dict[str, Any]:
    """Hand-off and pick-up percentiles (ms) and jobs per second, in total and per worker (fastest first)."""
    by_worker: dict[str, list[Timing]] = {}
    for timing in timings:
        by_worker.setdefault(timing.worker, []).append(timing)
    pickup, per_worker = [], []
    for own in by_worker.values():
        own.sort(key=lambda timing: timing.started)
        for previous, timing in zip(own, own[1:]):      # a worker's first job waited for it to boot
            pickup.append(max(0, _ms(timing.started, max(timing.enqueued, previous.ended))))
        per_worker.append(_rate(len(own), own[0].started, own[-1].ended))
    handoff = [_ms(timing.started, timing.enqueued) for timing in timings]
    total = _rate(len(timings), min(t.started for t in timings), max(t.ended for t in timings)) if timings else 0.0
    return {"jobs": len(timings), "handoff_p50_ms": percentile(handoff, 50),
            "handoff_p95_ms": percentile(handoff, 95), "pickup_p50_ms": percentile(pickup, 50),
            "pickup_p95_ms": percentile(pickup, 95), "jobs_per_s": total,
            "jobs_per_s_per_worker": sorted(per_worker, reverse=True)}


def _ms(later: datetime, earlier: datetime) -> int:
    return round((later - earlier).total_seconds() * 1000)


def _rate(count: int, first: datetime, last: datetime) -> float:
    seconds = (last - first).total_seconds()
    return round(count / seconds, 3) if seconds > 0 else 0.0

"""Jobs whose worker died: taken from it and run again, so a killed worker loses and repeats nothing.

A worker that dies (SIGKILL, OOM, a lost machine) can leave a job in one of two places: rq's
StartedJobRegistry (it was running) or the queue's intermediate list (it was dequeued, not yet started: the
worker died between the two steps). rq itself cleans both only in a long-running worker's periodic
maintenance, a minute or more later; burst workers and the run's follower call `rescue_orphans` instead.
"""

from __future__ import annotations

import os
import socket
import time

from rq import Queue
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from rq.worker import BaseWorker, Worker

from crm_crew.shared.client import text

STUCK_S = 10.0      # a dequeued job not started after this long lost its worker (a live one takes milliseconds)


def worker_alive(worker: BaseWorker) -> bool:
    """False when the worker ran on this host and its process is gone; others live until their key expires."""
    if worker.hostname != socket.gethostname() or not worker.pid:
        return True
    try:
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_workers(queue: Queue) -> list[BaseWorker]:
    return [w for w in Worker.all(queue=queue) if worker_alive(w)]


def rescue_orphans(queue: Queue) -> int:
    """Hand the jobs of workers that died to rq's abandoned-job handling (each is retried, or becomes a dead
    letter when its retries are spent) and put jobs lost between dequeue and start back on the queue.
    Returns how many were rescued."""
    stuck = _requeue_stuck(queue)
    client = queue.connection
    registry = StartedJobRegistry(queue=queue)
    orphans = []
    for jid, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        name = client.hget(f"rq:execution:{jid}:{execution_id}", "worker_name")   # rq 2: Execution.key
        worker = Worker.find_by_key(Worker.redis_worker_namespace_prefix + (text(name) or ""), connection=client) \
            if name else None
        if worker is None or not worker_alive(worker):
            orphans.append(f"{jid}:{execution_id}")
    if orphans:
        client.zadd(registry.key, dict.fromkeys(orphans, 0), xx=True)   # expired now: rq's cleanup takes them
        registry.cleanup()
    for worker in Worker.all(queue=queue):
        if not worker_alive(worker):
            worker.register_death()
    return len(orphans) + stuck


def _stuck(queue: Queue) -> dict[str, float]:
    """Dequeued jobs that did not start: job id -> seconds since first seen so (marking new ones seen now)."""
    between = queue.intermediate_queue
    started = set(StartedJobRegistry(queue=queue).get_job_ids(cleanup=False))
    ages: dict[str, float] = {}
    for jid in between.get_job_ids():
        if jid in started:
            continue
        between.set_first_seen(jid)
        first = between.get_first_seen(jid)
        ages[jid] = time.time() - first.timestamp() if first else 0.0
    return ages


def _requeue_stuck(queue: Queue) -> int:
    """Stuck jobs back on the queue (they never ran, so no retry is spent); the one process whose LREM
    takes a job off the intermediate list enqueues it."""
    requeued = 0
    for jid, age in _stuck(queue).items():
        if age < STUCK_S or not queue.connection.lrem(queue.intermediate_queue.key, 1, jid):
            continue
        job = queue.fetch_job(jid)
        if job is not None:
            queue.enqueue_job(job)
            requeued += 1
    return requeued


def waiting_retries(queue: Queue) -> float | None:
    """Seconds until the next scheduled retry or stuck job of this queue is due (0: now), None when none waits."""
    registry = ScheduledJobRegistry(queue=queue)
    first = queue.connection.zrange(registry.key, 0, 0, withscores=True)
    waits = [max(0.0, float(first[0][1]) - time.time())] if first else []
    waits += [max(0.0, STUCK_S - age) for age in _stuck(queue).values()]
    return min(waits) if waits else None

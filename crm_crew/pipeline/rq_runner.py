"""The RQ runner: one job per item on the Redis queue `crm-crew`, processed by `crm-crew worker` on any machine.

Jobs are named after GROUP and KEY (a run id and an interaction id, see job_id), so enqueuing is idempotent: a
job already queued, running or waiting for a retry is left alone, a dead letter is requeued with fresh
retries, a finished or expired one is enqueued again (its job returns at once when its work is journaled).
Each job reports its end on a Redis list that the follower pops (callbacks below). A job whose retries are
exhausted lands in rq's FailedJobRegistry: the dead-letter registry.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import redis
from rq import Callback, Queue, Retry
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
from rq.worker import Worker

from crm_crew.errors import SharedStateUnavailable
from crm_crew.pipeline.rq_rescue import rescue_orphans
from crm_crew.shared.client import connect, describe, guarded

T = TypeVar("T")
R = TypeVar("R")

QUEUE_NAME = "crm-crew"
RETRY_INTERVALS_S = [2, 10, 30]      # a failed job runs again after 2, 10, 30, 30... s; then it is a dead letter
JOB_TIMEOUT_S = 900                  # a worker that dies on another machine frees its job after this + 60 s
RESULT_TTL_S = 600
FAILURE_TTL_S = 30 * 24 * 3600       # dead letters are kept 30 days
DONE_TTL_S = 7 * 24 * 3600
ENQUEUE_CHUNK = 500
LEAVE_ALONE = {"queued", "started", "scheduled", "deferred"}


def open_queue(url: str) -> Queue:
    """The `crm-crew` queue on the Redis at `url`; SharedStateUnavailable (exit 1) when it cannot be reached."""
    client = connect(url)
    with guarded(client, "connecting to the queue"):
        client.ping()
    return Queue(QUEUE_NAME, connection=client)


def redacted(url: str) -> str:
    """`url` without credentials (connects to nothing)."""
    return describe(connect(url))


def resume_command(run_id: str, url: str) -> str:
    """The command that finishes run `run_id` on the queue at `url` (shown without its password)."""
    option, secret = queue_option(url)
    return f"`crm-crew run --resume {shlex.quote(run_id)} {option}`{secret}"


def queue_option(url: str) -> tuple[str, str]:
    """`--queue URL` without the URL's credentials, and a note to add them back when it had any."""
    parts = urlsplit(url)
    return f"--queue {redacted(url)}", " (with the URL's password)" if parts.password or parts.username else ""


def where(queue: Queue) -> str:
    """The queue's Redis as a URL without credentials."""
    return describe(queue.connection)


def job_id(group: str, key: str) -> str:
    return group_prefix(group) + _digest(key, 32)


def group_prefix(group: str) -> str:
    """rq job ids allow only letters, digits, '_' and '-': the group (run id) as far as it fits, and a digest."""
    return f"{re.sub(r'[^A-Za-z0-9-]', '-', group)[:80]}_{_digest(group, 8)}_"


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


class RqRunner:
    """The Runner protocol on RQ: `job` must be a module-level function the workers can import, and items
    plain data. Yields the jobs' return values as they finish; exhausted jobs are listed in `dead`."""

    def __init__(self, queue: Queue, group: str, key: Callable[[Any], str], retries: int = len(RETRY_INTERVALS_S),
                 notice: Callable[[str], None] | None = None, meta: dict[str, str] | None = None) -> None:
        self.queue = queue
        self.meta = meta or {}           # added to every job's meta (e.g. the run's W3C traceparent)
        self.retries = retries
        self.group = group
        self.key = key
        self.notice = notice
        self.dead: list[str] = []
        self._done_key = f"crm-crew:done:{group_prefix(group)}"

    def map(self, job: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        pending: set[str] = set()
        with guarded(self.queue.connection, f"running jobs on the queue '{QUEUE_NAME}'"):
            iterator = iter(items)
            while chunk := list(islice(iterator, ENQUEUE_CHUNK)):
                pending |= self._enqueue(job, chunk)
                yield from self._collect(pending, block_s=0)
            if pending and not Worker.count(queue=self.queue) and self.notice is not None:
                self.notice(f"no worker is listening: start `crm-crew worker --queue {where(self.queue)}`")
            maintained = time.monotonic()
            while pending:
                yield from self._collect(pending, block_s=1)
                if time.monotonic() - maintained > max(2.0, len(pending) / 1000):
                    rescue_orphans(self.queue)
                    yield from self._reconcile(pending)
                    maintained = time.monotonic()

    def _enqueue(self, job: Callable[[T], R], chunk: list[T]) -> set[str]:
        ids = [job_id(self.group, self.key(item)) for item in chunk]
        existing = Job.fetch_many(ids, connection=self.queue.connection)
        fresh = []
        for jid, item, found in zip(ids, chunk, existing):
            status = found.get_status(refresh=False) if found is not None else None
            if status in LEAVE_ALONE:
                continue
            if status == "failed" and found is not None:
                found.retries_left = self.retries
                FailedJobRegistry(queue=self.queue).requeue(found)
                continue
            fresh.append(Queue.prepare_data(
                job, args=(item,), job_id=jid, timeout=JOB_TIMEOUT_S, result_ttl=RESULT_TTL_S,
                failure_ttl=FAILURE_TTL_S, retry=_retry(self.retries),
                on_success=Callback(report_success), on_failure=Callback(report_failure),
                meta={**self.meta, "done": self._done_key, "key": self.key(item)}))
        if fresh:
            self.queue.enqueue_many(fresh)
        return set(ids)

    def _collect(self, pending: set[str], block_s: float) -> Iterator[Any]:
        client = self.queue.connection
        notes = client.lpop(self._done_key, ENQUEUE_CHUNK) or []
        if not notes and block_s:
            popped = client.blpop([self._done_key], timeout=block_s)
            notes = [popped[1]] if popped else []
        for raw in notes:
            note = json.loads(cast(bytes, raw))
            if note["job_id"] not in pending:
                continue    # a job run twice (at-least-once delivery) reports twice
            pending.discard(note["job_id"])
            if note["dead"]:
                self.dead.append(note["job_id"])
            else:
                yield note["result"]

    def _reconcile(self, pending: set[str]) -> Iterator[Any]:
        """Jobs that ended without a note (their callback died with their worker) or vanished from Redis."""
        ids = sorted(pending)
        with self.queue.connection.pipeline(transaction=False) as pipe:
            for jid in ids:
                pipe.hget(Job.key_for(jid), "status")
            statuses = pipe.execute()
        vanished = [jid for jid, status in zip(ids, statuses) if status is None]
        if vanished:
            raise QueueLost(f"{len(vanished)} job(s) vanished from the queue at {where(self.queue)} "
                            "(was Redis restarted without persistence?); resuming the run enqueues them again")
        for jid, status in zip(ids, statuses):
            if status == b"failed":
                pending.discard(jid)
                self.dead.append(jid)
            elif status == b"finished":
                pending.discard(jid)
                yield Job.fetch(jid, connection=self.queue.connection).return_value()


def _retry(retries: int) -> Retry | None:
    """rq picks a job's next interval counting from the end of the list: give it exactly `retries` of them."""
    intervals = [RETRY_INTERVALS_S[min(i, len(RETRY_INTERVALS_S) - 1)] for i in range(retries)]
    return Retry(max=retries, interval=intervals) if retries else None


class QueueLost(SharedStateUnavailable):
    """Queued jobs are gone from Redis: the run must be resumed to enqueue them again."""


def _note(job: Job, connection: redis.Redis, dead: bool, result: Any = None, error: str | None = None) -> None:
    done_key = job.meta.get("done")
    if not done_key:
        return
    note = json.dumps({"job_id": job.id, "dead": dead, "result": result, "error": error})
    with connection.pipeline() as pipe:
        pipe.rpush(done_key, note)
        pipe.expire(done_key, DONE_TTL_S)
        pipe.execute()


def report_success(job: Job, connection: redis.Redis, result: Any, *args: Any, **kwargs: Any) -> None:
    _note(job, connection, False, result=result)


def report_failure(job: Job, connection: redis.Redis, exc_type: Any, value: Any, traceback: Any) -> None:
    """Called on every failed attempt (and for jobs whose worker died): only the last one is a dead letter."""
    if not (job.retries_left and job.retries_left > 0):
        _note(job, connection, True, error=f"{getattr(exc_type, '__name__', exc_type)}: {value}")


def dead_letters(queue: Queue, group: str) -> list[dict[str, Any]]:
    """The group's exhausted jobs: key (interaction id), when, and the last error line."""
    prefix = group_prefix(group)
    with guarded(queue.connection, "reading the dead letters"):
        ids = [jid for jid in FailedJobRegistry(queue=queue).get_job_ids() if jid.startswith(prefix)]
        letters = []
        for job in Job.fetch_many(ids, connection=queue.connection):
            if job is None:
                continue
            result = job.latest_result()
            error = (result.exc_string if result is not None else "") or ""
            lines = [line for line in error.strip().splitlines() if line.strip()]
            letters.append({"job_id": job.id, "interaction_id": job.meta.get("key"),
                            "failed_at": job.ended_at.isoformat(timespec="seconds") if job.ended_at else None,
                            "error": lines[-1] if lines else "(no error recorded)"})
    return letters


def queue_counts(queue: Queue) -> dict[str, int]:
    with guarded(queue.connection, "reading the queue"):
        return {"queued": queue.count, "started": StartedJobRegistry(queue=queue).count,
                "scheduled": ScheduledJobRegistry(queue=queue).count,
                "dead_letters": FailedJobRegistry(queue=queue).count}

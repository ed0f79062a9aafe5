"""What an RQ worker runs: one interaction of a queued run, on the worker's own config, state folder and store.

`crm-crew worker` calls `configure(--config)`; a bare `rq worker` gets $CRM_CREW_CONFIG or the shipped
config. Each worker process keeps, per run, the CRM connector, the reply templates and the run's token meter,
so consecutive jobs of one run pay for them once.
"""

from __future__ import annotations

import json
import socket
import sys
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rq import Queue, SimpleWorker, get_current_job

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.base import Connector
from crm_crew.llm.meter import Meter
from crm_crew.llm.pricing import PriceTable
from crm_crew.mail.replies_out import RepliesOut
from crm_crew.models import Interaction, Reject
from crm_crew.observability import tracing
from crm_crew.pipeline.duplicates import Duplicate
from crm_crew.pipeline.replies import ReplyTemplates
from crm_crew.pipeline.rq_rescue import rescue_orphans, waiting_retries
from crm_crew.pipeline.rq_runner import RqRunner, open_queue, where
from crm_crew.shared.client import guarded
from crm_crew.shared.state import SharedState, sharing, use_shared_state
from crm_crew.store.base import APPLICABLE_STATUSES, Store
from crm_crew.store.trail import Trail, is_embedded

if TYPE_CHECKING:
    from crm_crew.pipeline.flow import RunContext
    from crm_crew.pipeline.run import _Rejects
    from crm_crew.pipeline.run_setup import RunOptions

RUNS_KEPT = 4


@dataclass
class _Setup:
    config: CrewConfig
    home: Path
    store: Store                   # the shared PostgreSQL store, or the SQLite journal in the state folder
    trail: Trail | None            # the audit key, checked against the store (None: no key set)
    mail_out: RepliesOut           # this worker's replies out (its SMTP / IMAP sessions kept between jobs)


@dataclass
class _Run:
    connector: Connector
    replies: ReplyTemplates
    meter: Meter


_config_option: str | None = None
_setup: _Setup | None = None
_runs: OrderedDict[str, _Run] = OrderedDict()


def configure(config_option: str | None) -> None:
    """The config folder this worker process loads (None: $CRM_CREW_CONFIG, else the shipped config)."""
    global _config_option, _setup
    _config_option, _setup = config_option, None


def payload(run_id: str, mode: str, model: str | None, max_tokens: int | None, actor: str,
            interaction: Interaction) -> dict[str, Any]:
    """One job's argument: plain data, so any worker (any machine, any Python) can read it."""
    return {"run_id": run_id, "mode": mode, "model": model, "max_tokens": max_tokens, "actor": actor,
            "interaction": interaction.to_dict()}


def payload_key(item: dict[str, Any]) -> str:
    return str(item["interaction"]["id"])


def process_queued(item: dict[str, Any]) -> dict[str, Any]:
    """THE job: process one interaction of run `item["run_id"]` and journal it; returns its status.
    An interaction already journaled for the run (a job delivered twice) returns at once."""
    from crm_crew.observability.metrics_worker import job

    with job():
        return _process(item)


def _process(item: dict[str, Any]) -> dict[str, Any]:
    from crm_crew.pipeline.apply import Applier
    from crm_crew.pipeline.flow import RunContext, process_interaction
    from crm_crew.store.key_source import require_key
    from crm_crew.store.seals import require_sealed

    setup = _environment()
    run_id, interaction = item["run_id"], Interaction(**item["interaction"])
    store = setup.store
    run = _run(setup, store, run_id)
    applier = None
    if item["mode"] == "apply":
        key = setup.trail.key if setup.trail else \
            require_key(setup.config.settings.audit.key_env, setup.home, is_embedded(store)).key
        applier = Applier(store, run.connector, run_id, key, item["actor"], setup.mail_out)
    if store.has_result(run_id, interaction.id):
        # Delivered again: the worker before may have died between journaling and writing; the claims and
        # idempotency keys make finishing its writes here a no-op for what it did write.
        rows = store.actions(run_id, interaction.id)
        if applier is not None and any(r.status in APPLICABLE_STATUSES for r in rows):
            require_sealed(applier.audit_key, rows, f"finish interaction {interaction.id} of run {run_id}")
            applier.apply_interaction(rows)
        return {"interaction_id": interaction.id, "status": "journaled", "intent": None, "error": None,
                "source": interaction.source, "position": interaction.position}   # a mailbox's cursor moves
    info = store.get_run(run_id)
    ctx = RunContext(run_id, setup.config, run.connector, store, run.replies, applier, item["model"],
                     setup.home, run.meter, item["max_tokens"], info.started_at if info else None)
    job = get_current_job()
    with tracing.continued(job.meta.get(tracing.TRACEPARENT) if job is not None else None):
        record, _ = process_interaction(ctx, interaction)
    return {key: record.get(key) for key in ("interaction_id", "status", "intent", "error", "source", "position")}


def run_queued(url: str, ctx: RunContext, options: RunOptions, items: Iterable[Interaction | Reject | Duplicate],
               local_job: Callable[[Reject | Duplicate], dict[str, Any]], out: TextIO | None,
               on_record: Callable[[dict[str, Any]], None] | None, rejects: _Rejects,
               summarize: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A run's interactions as jobs on the queue at `url` (rejects handled here, as in process); follows them
    to the end and returns the run's summary, with the queue and its dead letters."""
    from crm_crew.store.owners import os_user

    def report(record: dict[str, Any]) -> None:
        if on_record is not None:
            on_record(record)

    def jobs() -> Iterator[dict[str, Any]]:
        for item in items:
            if isinstance(item, (Reject, Duplicate)):
                report(local_job(item))
            else:
                yield payload(ctx.run_id, "apply" if options.apply else "shadow", options.model_override,
                              ctx.max_tokens, options.actor or os_user(), item)

    queue = open_queue(url)
    with sharing(url):    # the run summary's analytics obeys the shared model limits
        parent = tracing.traceparent()       # the workers continue the run's trace
        runner = RqRunner(queue, ctx.run_id, payload_key, options.retries,
                          notice=lambda text: print(text, file=sys.stderr, flush=True),
                          meta={tracing.TRACEPARENT: parent} if parent else None)
        for note in runner.map(process_queued, jobs()):
            if note["status"] == "failed":
                rejects.add(Reject(note.get("source") or "", note.get("position") or "", note.get("error") or "",
                                   note["interaction_id"]))
            report(note)
        if ctx.applier is not None:     # a safety net: writes a dead worker journaled but never made
            from crm_crew.pipeline.apply_run import finish_pending

            finish_pending(ctx.applier, ctx.store, ctx.run_id)
        if out is not None:
            for record in ctx.store.results(ctx.run_id):
                out.write(json.dumps(record) + "\n")
        summary = summarize()
        summary.update(queue=where(queue), dead_letters=len(runner.dead))
        if runner.dead:
            summary["exit_code"] = 3
        return summary


def _environment() -> _Setup:
    global _setup
    if _setup is None:
        from crm_crew.cli.common import load, state_home, store_url
        from crm_crew.crew.environment import prepare_crewai_environment
        from crm_crew.store.registry import open_store

        config = load(_config_option)
        tracing.configure(config.settings.tracing)
        home = state_home(config)
        prepare_crewai_environment(home)
        store = open_store(home, store_url(config))
        _setup = _Setup(config, home, store, Trail.open_if_set(config.settings.audit.key_env, home, store),
                        RepliesOut(config.settings, config.directory, store))
    return _setup


def _run(setup: _Setup, store: Store, run_id: str) -> _Run:
    from crm_crew.connectors.registry import open_crm
    from crm_crew.observability.metrics_stages import time_connector
    from crm_crew.pipeline.replies import load_reply_templates
    from crm_crew.pipeline.run import count_spent

    if run_id in _runs:
        _runs.move_to_end(run_id)
        return _runs[run_id]
    meter = Meter(prices=PriceTable(setup.config.settings.llm.prices))
    count_spent(meter, store, run_id)   # this worker's view of the run's token budget
    run = _Run(time_connector(open_crm(setup.config.settings.crm, setup.home)),
               load_reply_templates(setup.config.directory.resolve()), meter)
    _runs[run_id] = run
    while len(_runs) > RUNS_KEPT:
        _runs.popitem(last=False)[1].connector.close()
    return run


class PromptWorker(SimpleWorker):
    """rq's SimpleWorker whose command listener (`rq` shutdown/kill commands on its pubsub channel) reads in
    one-second slices instead of 60 s ones: stopping the worker waits for that read to end (redis-py 8 joins
    the listener thread), so a SIGTERMed worker now exits within a second or two of its job at hand."""

    LISTEN_SLICE_S = 1.0

    def subscribe(self) -> None:
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=self.LISTEN_SLICE_S, daemon=True,
                                                       exception_handler=self._pubsub_exception_handler)

    def unsubscribe(self) -> None:
        """rq's own unsubscribe joins for 1 s and then closes the pubsub while the listener, at the end of its
        1 s slice, may be closing it too (redis-py 7: 'NoneType' has no 'deregister_connect_callback'). The
        listener closes the pubsub itself when it stops; close it here only if it did not stop in time. The
        server drops the subscription with the connection, so no UNSUBSCRIBE is sent across the listener."""
        thread = self.pubsub_thread
        if thread is None or self.pubsub is None:
            return
        thread.stop()
        thread.join(timeout=self.LISTEN_SLICE_S * 3)
        if thread.is_alive():
            self.pubsub.close()


def work(url: str, burst: bool, logging_level: str = "WARNING") -> None:
    """One worker process: a SimpleWorker (no fork per job) on the `crm-crew` queue until stopped, or with
    `burst` until nothing is queued and no retry waits."""
    from crm_crew.crew.environment import import_crewai

    import_crewai()   # now, not inside the first record's latency

    try:
        _work(url, burst, logging_level)
    finally:
        tracing.shutdown()   # the spans of the last jobs leave before the worker does


def _work(url: str, burst: bool, logging_level: str) -> None:
    _environment()
    use_shared_state(SharedState.open(url))    # limits, lookup cache and record locks shared by all workers
    queue = open_queue(url)
    while True:
        with guarded(queue.connection, "starting a worker"):
            rescue_orphans(queue)
            worker = PromptWorker([queue], connection=queue.connection,
                                  name=f"{socket.gethostname()}.{uuid.uuid4().hex[:8]}")
        with guarded(queue.connection, "working the queue"):
            worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)
            if not burst:
                return
            if not _retry_waits(queue):
                return


def _retry_waits(queue: Queue) -> bool:
    """Burst mode: wait while a retry is scheduled; True once it (or a new job) is due, False when none waits."""
    while not queue.count:
        wait = waiting_retries(queue)
        if wait is None:
            return False
        if wait <= 0:
            return True
        time.sleep(min(wait, 1.0))
    return True

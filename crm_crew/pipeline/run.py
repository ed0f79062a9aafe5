"""A whole run: read inputs, process each interaction on the runner, journal, summarize."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.registry import open_crm
from crm_crew.errors import RunInterrupted, SharedStateUnavailable, StorageError, UserError
from crm_crew.llm.batches import PollReport
from crm_crew.mail.inputs import MailInputs
from crm_crew.mail.replies_out import RepliesOut
from crm_crew.llm.meter import Meter
from crm_crew.llm.pricing import PriceTable
from crm_crew.models import Interaction, Reject
from crm_crew.observability import tracing
from crm_crew.observability.notify import Notifier, open_notifier
from crm_crew.observability.tracing_crewai import close_under
from crm_crew.observability.tracing_names import ANALYTICS, WORKFLOW, analytics_attributes, run_attributes
from crm_crew.pipeline.apply import Applier
from crm_crew.pipeline.apply_run import finish_pending, require_same_target
from crm_crew.pipeline.caching import caching_note
from crm_crew.pipeline.duplicates import Deduplicator, Duplicate
from crm_crew.pipeline.flow import RunContext, process_interaction, rejected_record
from crm_crew.mail.urls import MailboxUrl, RunInput, source_name
from crm_crew.pipeline.readers import read_interactions
from crm_crew.pipeline.readers.common import Limits
from crm_crew.pipeline.replies import load_reply_templates
from crm_crew.pipeline.run_lock import RunLock, run_folder
from crm_crew.pipeline.run_setup import PreparedRun, RunOptions, agent_models
from crm_crew.pipeline.runner import InProcessRunner
from crm_crew.pipeline.summary import add_run_level, run_figures
from crm_crew.storage import ensure_folder, storage_error
from crm_crew.store.base import RunInfo, Store
from crm_crew.store.owners import os_user
from crm_crew.store.trail import Trail
from crm_crew.tools.spec import ToolContext

OFFLINE_NOTE = "offline model: deterministic rules and templates, no network (see README: The offline model)"


@dataclass
class RunOutcome:
    run_id: str
    summary: dict[str, Any]
    exit_code: int
    rejects_path: Path | None = None


@dataclass
class _Rejects:
    path: Path
    count: int = 0
    _file: TextIO | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, reject: Reject) -> None:
        with self._lock:
            try:
                if self._file is None:
                    ensure_folder(self.path.parent)
                    self._file = self.path.open("a", encoding="utf-8")
                self._file.write(json.dumps(reject.to_dict()) + "\n")
                self._file.flush()
            except OSError as exc:
                raise storage_error(exc, self.path) from exc
            self.count += 1

    def close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass   # a full disk: the write that failed already stopped the run


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("run-%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def execute_run(config: CrewConfig, home: Path, store: Store, options: RunOptions, prepared: PreparedRun,
                on_record: Callable[[dict[str, Any]], None] | None = None,
                on_batch_poll: PollReport | None = None) -> RunOutcome:
    """The run `prepare_run` checked: crewai loads only now."""
    models, trail = prepared.models, prepared.trail
    run_id = options.run_id or new_run_id()
    tracing.configure(config.settings.tracing)
    with RunLock(home, run_id):
        try:
            with tracing.span(f"run {WORKFLOW}", run_attributes(run_id, "apply" if options.apply else "shadow",
                                                               config.settings.crm.type)) as run:
                outcome = _execute(config, home, store, options, run_id, models, trail, on_record, on_batch_poll,
                                   prepared.mail, prepared.replies)
                run.set_attribute("crm_crew.exit_code", outcome.exit_code)
                return outcome
        except SharedStateUnavailable as exc:
            if not options.queue:
                raise
            from crm_crew.pipeline.rq_runner import resume_command

            raise exc.then(f"finish run {run_id} with {resume_command(run_id, options.queue)}; nothing "
                           "journaled is lost") from exc
        except StorageError as exc:
            raise StorageError(f"{exc}. Run {run_id} stopped; nothing journaled is lost: free space or make the "
                               f"state folder writable, then finish it with `crm-crew run --resume {run_id}`") from exc
        except KeyboardInterrupt:
            raise _interrupted(store, run_id, options.apply) from None
        finally:
            tracing.flush()


def _interrupted(store: Store, run_id: str, apply: bool) -> RunInterrupted:
    try:
        journaled = len(store.result_ids(run_id))
        applied = sum(1 for row in store.actions(run_id) if row.status == "applied") if apply else None
    except StorageError:
        journaled, applied = 0, None
    return RunInterrupted(run_id, journaled, applied)


@dataclass
class Resumed:
    """What the interrupted part(s) of a resumed run did: the summary counts the whole run."""

    records_before: int
    seconds_before: float | None     # None: the run was killed before it could record its time


def _resumed(info: RunInfo | None, done: set[str]) -> Resumed:
    seconds = (info.summary if info is not None else {}).get("duration_s")
    return Resumed(len(done), float(seconds) if isinstance(seconds, (int, float)) else None)


def _execute(config: CrewConfig, home: Path, store: Store, options: RunOptions, run_id: str,
             models: dict[str, str], trail: Trail | None,
             on_record: Callable[[dict[str, Any]], None] | None, on_batch_poll: PollReport | None,
             mail: MailInputs | None = None, mail_out: RepliesOut | None = None) -> RunOutcome:
    settings = config.settings
    connector = open_crm(settings.crm, home)
    try:
        target = connector.target
        replies = load_reply_templates(config.directory.resolve())
        done: set[str] = set()
        resumed: Resumed | None = None
        if options.resume:
            info = store.get_run(run_id)
            if info is not None:
                require_same_target(info, target, "resume")
            store.reopen_run(run_id)
            done = store.result_ids(run_id)
            resumed = _resumed(info, done)
        else:
            store.create_run(RunInfo(run_id, datetime.now(timezone.utc).isoformat(timespec="seconds"), None,
                                     "running", "apply" if options.apply else "shadow",
                                     [source_name(p) for p in options.inputs], str(config.directory),
                                     settings.crm.type, target=target))
    except BaseException:
        connector.close()
        raise
    if options.queue:
        store.update_summary(run_id, {"run_id": run_id, **_queue_info(options)})
    applier = None
    if options.apply and trail is not None:
        applier = Applier(store, connector, run_id, trail.key, options.actor or os_user(), mail_out)
    max_tokens = options.max_tokens or settings.llm.max_tokens_per_run
    run_meter = Meter(prices=PriceTable(settings.llm.prices))
    if options.resume:
        count_spent(run_meter, store, run_id)
    started_info = store.get_run(run_id)
    ctx = RunContext(run_id, config, connector, store, replies, applier, options.model_override, home,
                     run_meter, max_tokens, started_info.started_at if started_info else None)
    rejects = _Rejects(run_folder(home.absolute(), run_id) / "rejects.jsonl")
    out = _open_out(options.out)
    dedup = Deduplicator(store, run_id, target, done, trail.key if trail else None)
    notifier = open_notifier(settings.notify, run_id, store, settings.urgency.levels)
    on_record = _then(notifier.record if notifier is not None else None, on_record)
    on_record = _then(mail.journaled if mail is not None else None, on_record)
    from crm_crew.crew.environment import import_crewai

    import_crewai()   # now, not inside the first record's latency

    started = time.perf_counter()
    try:
        if applier is not None and done:
            finish_pending(applier, store, run_id)   # journaled before the interruption, not yet written

        def job(item: Interaction | Reject | Duplicate) -> dict[str, Any]:
            if isinstance(item, Duplicate):
                return item.record()     # the first one is journaled: this one is only reported
            if isinstance(item, Reject):
                record = rejected_record(item)
                rejects.add(item)       # before the journal: a crash in between repeats a line, never loses one
                store.save_result(run_id, record, [])
                return record
            record, reject = process_interaction(ctx, item)
            if reject is not None:
                rejects.add(reject)
            return record

        inputs = [p.absolute() if isinstance(p, Path) else p for p in options.inputs]
        concurrency = options.concurrency or settings.runner.concurrency
        if not options.queue and (options.batch or settings.llm.batch or store.llm_batches(run_id)):
            from crm_crew.llm.batches import BatchClient
            from crm_crew.pipeline.batch_run import prepare_batches

            pending = Deduplicator(store, run_id, target, set(done), trail.key if trail else None)
            ctx.batch = prepare_batches(ctx, (i for i in pending.sort(_stream(inputs, settings.limits, mail))
                                              if isinstance(i, Interaction)),
                                        BatchClient(settings, on_batch_poll), concurrency)
        items = dedup.sort(_stream(inputs, settings.limits, mail))
        todo = (i for i in items if isinstance(i, Duplicate) or _not_done(i, done, mail))
        if options.queue:
            from crm_crew.pipeline.rq_jobs import run_queued

            summary = run_queued(options.queue, ctx, options, todo, job, out, on_record, rejects,
                                 lambda: _summarize(ctx, options, models, time.perf_counter() - started, rejects,
                                                    dedup, resumed))
        else:
            runner = InProcessRunner(concurrency)
            for record in runner.map(job, todo):
                if out is not None:
                    _write_out(out, options.out, record)
                if on_record is not None:
                    on_record(record)
            summary = _summarize(ctx, options, models, time.perf_counter() - started, rejects, dedup, resumed)
        if mail is not None:
            summary["mailboxes"] = mail.summary()
        if trail is not None:
            head = trail.checkpoint()
            summary["audit_head"] = {"seq": head.seq, "hash": head.hash} if head else None
        if notifier is not None:
            summary["notifications"] = notifier.close()
        store.finish_run(run_id, "finished", summary)
    except BaseException:
        _record_death(store, run_id, options, trail, _seconds_so_far(resumed, time.perf_counter() - started))
        raise
    finally:
        if notifier is not None:
            notifier.close(wait_s=0)   # a run that died leaves its notices to the daemon thread, unwaited
        rejects.close()
        if out is not None:
            _close_quietly(out)
        connector.close()
        if mail is not None:
            mail.close()
        if mail_out is not None:
            mail_out.close()
    return RunOutcome(run_id, summary, summary["exit_code"], rejects.path if rejects.count else None)


def _then(first: Callable[[dict[str, Any]], None] | None, on_record: Callable[[dict[str, Any]], None] | None
          ) -> Callable[[dict[str, Any]], None] | None:
    """Each finished record, journaled (in this process or by a worker), goes to `first`, then on: the
    notifier, and the run's mailboxes (mail.imap.after and the folder's cursor)."""
    if first is None:
        return on_record

    def seen(record: dict[str, Any]) -> None:
        first(record)
        if on_record is not None:
            on_record(record)

    return seen


def _not_done(item: Interaction | Reject, done: set[str], mail: MailInputs | None) -> bool:
    if _item_id(item) not in done:
        return True
    if mail is not None:
        mail.skipped(item)       # journaled before the resume: its message is done
    return False


def _seconds_so_far(resumed: Resumed | None, elapsed: float) -> float | None:
    if resumed is not None and resumed.seconds_before is None and resumed.records_before:
        return None    # an earlier part's time is unknown: a figure would understate the whole
    return round(elapsed + ((resumed.seconds_before or 0.0) if resumed else 0.0), 2)


def _record_death(store: Store, run_id: str, options: RunOptions, trail: Trail | None,
                  seconds: float | None) -> None:
    """Mark the run died (and anchor what it wrote); when the journal itself cannot be written the run
    stays `running`, resumable all the same. The time it ran is kept for the resumed run's summary."""
    timing = {"duration_s": seconds} if seconds is not None else {}
    try:
        store.finish_run(run_id, "died", {"run_id": run_id, **timing, **_queue_info(options)})
        if trail is not None:
            trail.checkpoint()
    except StorageError:
        pass


def _open_out(path: Path | None) -> TextIO | None:
    if path is None:
        return None
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write --out {path}: {exc.strerror or exc}") from None


def _close_quietly(out: TextIO) -> None:
    try:
        out.close()
    except OSError:
        pass   # a full disk: the write that failed already stopped the run


def _write_out(out: TextIO, path: Path | None, record: dict[str, Any]) -> None:
    try:
        out.write(json.dumps(record) + "\n")
        out.flush()
    except OSError as exc:
        raise storage_error(exc, path) from exc


def _queue_info(options: RunOptions) -> dict[str, Any]:
    if not options.queue:
        return {}   # an in-process run never imports redis: not even on its way down
    from crm_crew.pipeline.rq_runner import redacted

    return {"queue": redacted(options.queue)}


def count_spent(meter: Meter, store: Store, run_id: str) -> None:
    """What the interrupted part of a resumed run spent, so its token budget holds across the resume."""
    for record in store.results(run_id):
        llm = record.get("llm") or {}
        paid = [m for m in llm.get("models") or {} if m != "offline"]
        meter.add(paid[0] if paid else "offline", input_tokens=int(llm.get("input_tokens") or 0),
                  output_tokens=int(llm.get("output_tokens") or 0))


def _item_id(item: Interaction | Reject) -> str:
    if isinstance(item, Reject):
        return item.interaction_id or f"{item.source}#{item.position}"
    return item.id


def _timing(interactions: int, elapsed: float, resumed: Resumed | None) -> dict[str, Any]:
    """Time and throughput of the whole run; after a resume, the rate is that of this part (what it did
    over the time it took) and the time adds the earlier parts' when they recorded it."""
    if resumed is None:
        return {"duration_s": round(elapsed, 2),
                "throughput_per_s": round(interactions / elapsed, 2) if elapsed > 0 else 0.0}
    this_part = max(0, interactions - resumed.records_before)
    return {"duration_s": _seconds_so_far(resumed, elapsed),
            "throughput_per_s": round(this_part / elapsed, 2) if elapsed > 0 else 0.0,
            "resumed": {"records_before": resumed.records_before, "seconds_before": resumed.seconds_before,
                        "records_this_part": this_part, "seconds_this_part": round(elapsed, 2)}}


def _summarize(ctx: RunContext, options: RunOptions, models: dict[str, str],
               elapsed: float, rejects: _Rejects, dedup: Deduplicator, resumed: Resumed | None) -> dict[str, Any]:
    config, store, run_id = ctx.config, ctx.store, ctx.run_id
    figures = run_figures(store.results(run_id))
    summary: dict[str, Any] = {
        "run_id": run_id, "mode": "apply" if options.apply else "shadow", "crm": config.settings.crm.type,
        "config": str(config.directory.absolute()), "models": models, "routing": config.settings.routing.enabled, **figures,
        "token_budget": ctx.max_tokens,
        **({"llm_batches": batches} if (batches := store.llm_batches(run_id)) else {}),
        **_timing(figures["interactions"], elapsed, resumed),
        "duplicates": dedup.count,
        "duplicate_records": dedup.duplicates,
        "rejects_file": str(rejects.path) if rejects.count else None,
        "out_file": str(options.out) if options.out else None,
    }
    if "offline" in models.values():
        summary["offline_model"] = OFFLINE_NOTE
    summary["insights"], summary["analytics_llm"] = _analytics(ctx, figures["interactions"])
    add_run_level(summary, summary["analytics_llm"])
    summary["caching"] = caching_note(config, ctx.model_override, summary, ctx.batch is not None)
    failed = figures["by_status"].get("failed", 0) + figures["by_status"].get("rejected", 0)
    summary["exit_code"] = 3 if failed else 0
    return summary


def _stream(inputs: list[RunInput], limits: Any, mail: MailInputs | None) -> Iterator[Interaction | Reject]:
    for path in inputs:
        if isinstance(path, MailboxUrl):
            if mail is not None:
                yield from mail.items(path, Limits(limits.max_body_chars, limits.max_subject_chars,
                                                   limits.max_file_bytes))
            continue
        yield from read_interactions(path, max_body_chars=limits.max_body_chars,
                                     max_subject_chars=limits.max_subject_chars,
                                     max_file_bytes=limits.max_file_bytes)


def _analytics(ctx: RunContext, interactions: int) -> tuple[str, dict[str, Any]]:
    """The analytics agent's report on the run; a failure here never fails the run."""
    config, store, run_id = ctx.config, ctx.store, ctx.run_id
    if not config.run_tasks():
        return "", {}
    from crm_crew.crew.builder import LlmSource, build_crew

    context = ToolContext("analytics", run_statistics=lambda: run_figures(store.results(run_id)))
    override = ctx.model_override or ("offline" if ctx.budget_spent() else None)
    meter = Meter(parent=ctx.run_meter, prices=ctx.run_meter.prices)
    with tracing.span(f"invoke_workflow {ANALYTICS}", analytics_attributes(run_id)) as scope:
        try:
            crew = build_crew(config, "run", context, LlmSource(meter, agent_models(config, override), ctx.home))
            output = crew.kickoff(inputs={"run_id": run_id, "interaction_count": str(interactions)})
            return str(getattr(output, "raw", output)).strip(), meter.snapshot()
        except Exception as exc:
            tracing.fail(scope, exc)
            return f"(the analytics summary failed: {type(exc).__name__}: {exc})", meter.snapshot()
        finally:
            close_under(scope)

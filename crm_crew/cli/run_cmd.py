"""`crm-crew run` and `crm-crew apply`."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from crm_crew.cli.common import (
    ActorOption,
    ConfigOption,
    JsonOption,
    actor_name,
    load,
    open_store_for,
    out,
    state_home,
    state_home_source,
)
from crm_crew.errors import RunInterrupted


def run(
    inputs: Annotated[Optional[list[str]], typer.Argument(
        metavar="INPUT", help="Interaction files: .jsonl, .csv, .eml, .mbox, a Maildir or a folder of .eml files; "
                              "or a mailbox: imaps://USER@HOST[:PORT]/FOLDER (imap:// with STARTTLS), its secret "
                              "from the variable mail.imap names.", show_default=False)] = None,
    apply: Annotated[bool, typer.Option("--apply", help="Write the plan to the CRM (default: shadow mode, write nothing).")] = False,
    run_id: Annotated[Optional[str], typer.Option("--run-id", help="Name the run (default: a generated id).")] = None,
    out_file: Annotated[Optional[Path], typer.Option("--out", metavar="FILE", help="Write one JSON result record per interaction to FILE.")] = None,
    as_json: JsonOption = False,
    concurrency: Annotated[Optional[int], typer.Option("--concurrency", min=1, help="Interactions processed at once (default: runner.concurrency).")] = None,
    llm: Annotated[Optional[str], typer.Option("--llm", metavar="MODEL", help="Model for every agent and route in this run: offline or anthropic/<model>.")] = None,
    max_tokens: Annotated[Optional[int], typer.Option("--max-tokens", min=1, help="Token budget of this run (default: llm.max_tokens_per_run). When spent, the remaining interactions run on the offline model and are marked so.")] = None,
    resume: Annotated[Optional[str], typer.Option("--resume", metavar="RUN_ID", show_default=False,
                                                  help="Finish an interrupted run: same inputs and mode; what is "
                                                       "journaled is not redone, what was planned is applied.")] = None,
    queue: Annotated[Optional[str], typer.Option("--queue", metavar="URL", show_default=False,
                                                 help="Process on `crm-crew worker`s through the RQ queue at "
                                                      "redis://HOST:PORT/DB instead of in this process.")] = None,
    retries: Annotated[int, typer.Option("--retries", min=0, help="With --queue: times a failed job runs again "
                                         "(after 2, 10, 30, 30... s) before it is a dead letter.")] = 3,
    batch: Annotated[bool, typer.Option("--batch", help="Send the lean route's model requests as Message "
                                        "Batches: half price, results within 24 h (usually minutes). "
                                        "Default: llm.batch.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="For cron: no progress, and no summary when "
                                        "the run is clean (exit 0); a run that needs a look prints it.")] = False,
    log_file: Annotated[Optional[Path], typer.Option("--log-file", metavar="FILE", show_default=False,
                                                     help="Append progress, messages and the summary to FILE.")] = None,
    report: Annotated[Optional[Path], typer.Option("--report", metavar="FILE", show_default=False,
                                                   help="At the end, write the run report to FILE (HTML; Markdown "
                                                        "for a .md file), as `crm-crew report` makes it.")] = None,
    push_metrics: Annotated[Optional[str], typer.Option("--push-metrics", metavar="URL", show_default=False,
                                                        help="Push the run's metrics to this Prometheus Pushgateway "
                                                             "(default: metrics.pushgateway_url).")] = None,
    actor: ActorOption = None,
    config: ConfigOption = None,
) -> int:
    """Run the crew over a batch of interactions; plan (or --apply) the CRM changes."""
    from crm_crew.cli.progress import RunProgress
    from crm_crew.cli.run_output import RunOutput
    from crm_crew.errors import UsageError
    from crm_crew.llm.registry import model_string_problem
    from crm_crew.pipeline.run_setup import RunOptions, check_before_state, check_inputs, prepare_run

    if llm and (problem := model_string_problem(llm)):
        raise UsageError(f"--llm: {problem}")
    if resume and (inputs or run_id or apply):
        raise UsageError("--resume RUN_ID takes the run's own inputs, id and mode: give no inputs, --run-id or --apply")
    if not resume and not inputs:
        raise UsageError("give the interaction files to process (or --resume RUN_ID)")
    if report is not None:
        from crm_crew.observability.report.output import check_writable

        check_writable(report)       # before an hour of work, not after
    from crm_crew.mail.urls import parse_input

    parsed = [parse_input(text) for text in inputs or []]    # a password in a mailbox URL stops here
    check_inputs(parsed)       # before reading the config: a mistyped path fails at once
    cfg = load(config)
    options = RunOptions(parsed, apply, resume or run_id, concurrency, out_file, llm,
                         resume=bool(resume), actor=actor_name(actor), max_tokens=max_tokens, queue=queue,
                         retries=retries, batch=batch)
    check_before_state(cfg, options)   # a typo in a path creates no state folder
    home = state_home(cfg)
    store = open_store_for(cfg)
    prepared = prepare_run(cfg, home, store, options)   # credentials, the audit key, the resumed run
    estimate, journaled = _expected(store, resume, options.inputs, cfg.settings.limits.max_file_bytes)
    if estimate is not None and prepared.mail is not None:
        estimate += sum(m["new"] for m in prepared.mail.summary())
    from crm_crew.crew.environment import prepare_crewai_environment

    prepare_crewai_environment(home)
    from crm_crew.pipeline.run import execute_run   # imports crewai: seconds, so after every check

    with RunOutput(quiet, log_file) as output:
        pusher = start_run_pusher(push_metrics, cfg, home, options, output.message)
        try:
            with RunProgress(output.progress, estimate, journaled) as progress:
                outcome = execute_run(cfg, home, store, options, prepared,
                                      on_record=progress.advance if pusher is None else _both(progress.advance,
                                                                                              pusher.observe),
                                      on_batch_poll=progress.batch_polled)
        except RunInterrupted as stop:
            if pusher is not None:
                pusher.failed(stop.run_id, store)
            output.message(interrupted_message(stop, config, queue))
            _report(report, store, home, cfg, stop.run_id, quiet)
            return stop.exit_code
        except BaseException:
            if pusher is not None:
                pusher.failed(options.run_id, store)
            raise
        if pusher is not None:
            pusher.finish(outcome.run_id, outcome.summary, list(store.results(outcome.run_id)), store)
        outcome.summary["state_folder"] = {"path": str(home.absolute()), "from": state_home_source(cfg)}
        output.summary(outcome.summary, as_json, outcome.rejects_path)
    _report(report, store, home, cfg, outcome.run_id, quiet)
    return outcome.exit_code


def _report(path: Path | None, store: Any, home: Path, cfg: Any, run_id: str, quiet: bool) -> None:
    if path is not None:
        from crm_crew.cli.report_cmd import format_for, write_report

        write_report(store, home, cfg.settings.audit.key_env, run_id, path, format_for(path), quiet)


def start_run_pusher(url: str | None, cfg: Any, home: Path, options: Any, warn: Any) -> Any:
    """The run's metrics pusher, started, when a Pushgateway is named (--push-metrics, metrics.pushgateway_url)."""
    metrics = cfg.settings.metrics
    url = url or metrics.pushgateway_url
    if not url:
        return None
    from crm_crew.observability.metrics_push import RunPusher

    return RunPusher(url, cfg, home, options.run_id, metrics.push_interval_s, warn).start()


def _both(first: Any, second: Any) -> Any:
    def call(record: dict[str, Any]) -> None:
        first(record)
        second(record)

    return call


def _expected(store: Any, resume: str | None, inputs: list[Any], max_file_bytes: int) -> tuple[int | None, int]:
    """The records the run will count in all (its files'; a mailbox's new messages are added by the caller),
    and how many a resumed run journaled before."""
    from crm_crew.pipeline.counting import estimate_records

    files = [p for p in inputs if isinstance(p, Path)]
    if not resume:
        return (estimate_records(files, max_file_bytes) or 0) if len(files) < len(inputs) else \
            estimate_records(files, max_file_bytes), 0
    info = store.get_run(resume)
    if info is None:
        return None, 0
    return estimate_records(files, max_file_bytes), len(store.result_ids(resume))


def interrupted_message(stop: "RunInterrupted", config: str | None, queue: str | None = None) -> str:
    """What an interrupted run kept and the command that finishes it (on the queue it used, if any)."""
    saved = f"{stop.journaled} record{'s' if stop.journaled != 1 else ''} journaled"
    if stop.applied is not None:
        saved += f", {stop.applied} CRM write{'s' if stop.applied != 1 else ''} applied"
    config_part = f" --config {shlex.quote(config)}" if config else ""
    queue_part = ""
    if queue:
        from crm_crew.pipeline.rq_runner import queue_option

        option, secret = queue_option(queue)
        queue_part = f" {option}{secret}"
    return (f"interrupted: run {stop.run_id} stopped; kept {saved} (not redone on resume). "
            f"Finish it with: crm-crew run --resume {shlex.quote(stop.run_id)}{config_part}{queue_part}")


def apply(
    run_id: Annotated[str, typer.Argument(help="The run whose plan to apply.", show_default=False)],
    as_json: JsonOption = False,
    actor: ActorOption = None,
    config: ConfigOption = None,
) -> int:
    """Apply a shadow run's plan to the CRM; skips what is applied and what is held for review."""
    from crm_crew.cli.render import render_apply
    from crm_crew.pipeline.apply_run import apply_run

    cfg = load(config)
    store = open_store_for(cfg)
    report = apply_run(cfg, state_home(cfg), store, run_id, actor_name(actor))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        render_apply(out, report)
    return 3 if report["failed"] else 0


def register(app: Any) -> None:
    app.command()(run)
    app.command()(apply)

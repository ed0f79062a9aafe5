"""Everything a run checks before crewai is imported: arguments, inputs, credentials, the audit key.

crewai takes seconds to import; a typo in a path or a missing key must not wait for it. Nothing here
imports crewai (tests/e2e/test_first_errors.py holds it to that).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.errors import NotFoundError, SharedStateUnavailable, UserError
from crm_crew.llm.factory import check_credentials
from crm_crew.mail.urls import MailboxUrl, RunInput, parse_input
from crm_crew.store.base import RunInfo, Store
from crm_crew.store.trail import Trail


@dataclass
class RunOptions:
    inputs: list[RunInput]            # files, folders and mailbox URLs
    apply: bool = False
    run_id: str | None = None
    concurrency: int | None = None
    out: Path | None = None
    model_override: str | None = None
    resume: bool = False              # finish run `run_id`: its sources, mode and journal
    actor: str = ""                   # who ran it (audit trail); default: the OS user
    max_tokens: int | None = None     # token budget of this run (default: llm.max_tokens_per_run)
    queue: str | None = None          # redis:// URL: process on `crm-crew worker`s through RQ, not in process
    retries: int = 3                  # queued: attempts after a job's first failure before it is a dead letter
    batch: bool = False               # the lean route's requests as Message Batches (also llm.batch)


@dataclass
class PreparedRun:
    models: dict[str, str]            # agent id -> model string
    trail: Trail | None               # None: a shadow run without an audit key
    mail: Any = None                  # the run's mailboxes, logged in (crm_crew.mail.inputs.MailInputs)
    replies: Any = None               # an applying run's replies out (crm_crew.mail.replies_out.RepliesOut)


def agent_models(config: CrewConfig, override: str | None) -> dict[str, str]:
    return {agent_id: override or agent.llm for agent_id, agent in config.agents.items()}


def models_in_use(config: CrewConfig, override: str | None) -> set[str]:
    """Every model the run may call: the agents', and the routes' when routing is on."""
    used = set(agent_models(config, override).values())
    routing = config.settings.routing
    if routing.enabled and not override:
        used |= {m for m in (routing.lean.llm, routing.full.llm) if m}
    return used


def check_before_state(config: CrewConfig, options: RunOptions) -> None:
    """What needs no state folder: model credentials, the notify webhook's variable, and a new run's inputs."""
    from crm_crew.observability.notify import webhook_url

    check_credentials(models_in_use(config, options.model_override), config.settings)
    webhook_url(config.settings.notify)
    if options.queue and (options.batch or config.settings.llm.batch):
        raise UserError("Message Batches (--batch, llm.batch) work in one process, not with --queue: drop "
                        "--queue, or run this one without --batch (set llm.batch: false in crm-crew.yaml)")
    if not options.resume:
        check_inputs(options.inputs)
    if any(isinstance(item, MailboxUrl) for item in options.inputs):
        from crm_crew.mail.inputs import check_mail_secrets

        check_mail_secrets(options.inputs, config.settings)


def check_inputs(paths: Iterable[RunInput], resumed: bool = False) -> None:
    """Every input file or folder exists (a mailbox is checked when it is opened)."""
    for path in paths:
        if isinstance(path, Path) and not path.exists():
            raise UserError(f"input {path} does not exist" + (" (the run being resumed read it)" if resumed else ""))


def prepare_run(config: CrewConfig, home: Path, store: Store, options: RunOptions) -> PreparedRun:
    """Check what a run needs, fill in a resumed run's inputs and mode, and open its audit trail."""
    settings = config.settings
    models = agent_models(config, options.model_override)
    check_before_state(config, options)
    if options.resume:
        info = _resumable(store, options.run_id)
        options.inputs, options.apply = [parse_input(s) for s in info.sources], info.mode == "apply"
    elif options.run_id and store.get_run(options.run_id) is not None:
        raise UserError(f"run '{options.run_id}' already exists: pick another --run-id, "
                        f"or finish it with `crm-crew run --resume {options.run_id}`")
    check_inputs(options.inputs, options.resume)
    # a run that applies needs the key; a shadow run seals its plan with it when there is one
    trail = Trail.open(settings.audit.key_env, home, store) if options.apply \
        else Trail.open_if_set(settings.audit.key_env, home, store)
    if options.queue:
        _check_queue(options)
    replies = None
    if options.apply:
        from crm_crew.mail.replies_out import RepliesOut

        replies = RepliesOut(settings, config.directory, store)
        replies.check()      # replies.mode send: a refused SMTP login stops the run before any work
    mail = None
    if any(isinstance(item, MailboxUrl) for item in options.inputs):
        from crm_crew.mail.inputs import MailInputs

        try:
            mail = MailInputs.connect(options.inputs, settings, store, config.directory)
        except BaseException:
            if replies is not None:
                replies.close()
            raise
    return PreparedRun(models, trail, mail, replies)


def _check_queue(options: RunOptions) -> None:
    """An unreachable queue fails before a new run exists (or before a resumed one changes)."""
    from crm_crew.pipeline.rq_runner import open_queue, resume_command

    url = options.queue or ""
    try:
        open_queue(url)
    except SharedStateUnavailable as exc:
        if options.resume and options.run_id:
            raise exc.then(f"finish the run with {resume_command(options.run_id, url)}") from exc
        raise exc.then("start the run again (no run was created: nothing is journaled)") from exc


def _resumable(store: Store, run_id: str | None) -> RunInfo:
    if not run_id:
        raise UserError("--resume needs the run id: crm-crew run --resume RUN_ID")
    info = store.get_run(run_id)
    if info is None:
        raise NotFoundError(f"no run '{run_id}' to resume (see `crm-crew runs`)")
    retry = bool(info.summary.get("dead_letters")) or any(r.get("status") == "failed" for r in store.results(run_id))
    if info.status == "finished" and not retry:   # dead letters are requeued, failed interactions worked again
        then = f" at {info.finished_at}" if info.finished_at else ""
        apply_hint = f"; apply its plan with `crm-crew apply {run_id}`" if info.mode == "shadow" else ""
        raise UserError(f"run '{run_id}' finished{then}: nothing to resume (see it with `crm-crew show {run_id}`"
                        f"{apply_hint})")
    return info

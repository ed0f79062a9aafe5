"""`crm-crew watch`: process a mailbox folder's new mail as it arrives (in this process or on `crm-crew worker`s
through `--queue`), until SIGTERM or Ctrl-C; pushes its runs' metrics and its own when a Pushgateway is named."""

from __future__ import annotations

import json
import signal
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import Annotated, Any, Optional

import typer

from crm_crew.cli.common import ActorOption, ConfigOption, actor_name, err, load, open_store_for, state_home
from crm_crew.errors import RunInterrupted


def watch(
    mailbox: Annotated[str, typer.Argument(metavar="MAILBOX", help="imaps://USER@HOST[:PORT]/FOLDER (or imap:// "
                                           "with STARTTLS); the secret from the variable mail.imap names.",
                                           show_default=False)],
    apply: Annotated[bool, typer.Option("--apply", help="Write each run's plan to the CRM (default: shadow mode).")] = False,
    poll_s: Annotated[float, typer.Option("--poll-s", min=1, metavar="SECONDS", help="Most seconds between looks at the folder: "
                                          "with IDLE too (a backstop), and the only way without it.")] = 60.0,
    queue: Annotated[Optional[str], typer.Option("--queue", metavar="URL", show_default=False,
                                                 help="Process each batch of new mail on `crm-crew worker`s "
                                                      "through the RQ queue at redis://HOST:PORT/DB.")] = None,
    retries: Annotated[int, typer.Option("--retries", min=0, help="With --queue: times a failed job runs again "
                                         "before it is a dead letter.")] = 3,
    push_metrics: Annotated[Optional[str], typer.Option("--push-metrics", metavar="URL", show_default=False,
                                                        help="Push each run's metrics and the watch's own to this "
                                                             "Prometheus Pushgateway (default: "
                                                             "metrics.pushgateway_url).")] = None,
    actor: ActorOption = None,
    config: ConfigOption = None,
) -> int:
    """Watch a mailbox folder: each time new mail arrives (IMAP IDLE, else polling), run the crew over it."""
    from crm_crew.errors import UsageError
    from crm_crew.mail.urls import MailboxUrl, parse_input
    from crm_crew.mail.watch import MailWatcher
    from crm_crew.pipeline.run_setup import RunOptions, check_before_state

    url = parse_input(mailbox)
    if not isinstance(url, MailboxUrl):
        raise UsageError("watch takes a mailbox URL: imaps://USER@HOST[:PORT]/FOLDER or imap://USER@HOST[:PORT]/FOLDER")
    cfg = load(config)
    check_before_state(cfg, RunOptions([url], queue=queue, retries=retries))
    if queue:
        _check_queue(queue)
    stop = threading.Event()
    following = threading.Event()      # a queued run is being followed: SIGTERM interrupts it, as Ctrl-C does

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        if following.is_set():
            following.clear()
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_signal)
    watcher = MailWatcher(url, cfg.settings.mail.imap, cfg.directory, stop)
    store = open_store_for(cfg)
    cycle = _Cycle(cfg, store, url, _Spec(apply, actor_name(actor), queue, retries, push_metrics), following)
    pusher = _watch_pusher(push_metrics, cfg, watcher, cycle)
    try:
        changed = True                       # mail that arrived before the watch began
        while not stop.is_set():
            if changed and cycle.run() and pusher is not None:
                pusher.push()
            changed = watcher.wait(poll_s)
    except RunInterrupted as stopped:
        from crm_crew.cli.run_cmd import interrupted_message

        err.print(interrupted_message(stopped, config, queue))
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if pusher is not None:
            pusher.close()
        watcher.close()
        store.close()
    err.print(f"watch stopped: {cycle.runs} run(s) over {url}")
    return 0


@dataclass
class _Spec:
    apply: bool
    actor: str
    queue: str | None
    retries: int
    push_metrics: str | None


class _Cycle:
    """One look at the folder: a run over its new mail, when there is some."""

    def __init__(self, cfg: Any, store: Any, url: Any, spec: _Spec, following: threading.Event) -> None:
        self.cfg, self.store, self.url, self.spec, self.following = cfg, store, url, spec, following
        self.runs = 0
        self.checked_at: float | None = None

    def run(self) -> bool:
        """True when a run was made (there was new mail); prints the run's figures as one JSON line."""
        from crm_crew.pipeline.run_setup import RunOptions, prepare_run

        cfg, store, spec = self.cfg, self.store, self.spec
        home = state_home(cfg)
        options = RunOptions([self.url], spec.apply, actor=spec.actor, queue=spec.queue, retries=spec.retries)
        prepared = prepare_run(cfg, home, store, options)
        self.checked_at = time.time()
        if not any(m["new"] for m in prepared.mail.summary()):
            prepared.mail.close()
            if prepared.replies is not None:
                prepared.replies.close()
            return False
        from crm_crew.cli.run_cmd import start_run_pusher
        from crm_crew.crew.environment import prepare_crewai_environment
        from crm_crew.pipeline.run import execute_run

        prepare_crewai_environment(home)
        run_pusher = start_run_pusher(spec.push_metrics, cfg, home, options, None)
        try:
            if spec.queue:
                self.following.set()
            outcome = execute_run(cfg, home, store, options, prepared,
                                  on_record=run_pusher.observe if run_pusher is not None else None)
        except BaseException as exc:
            self.following.clear()
            if run_pusher is not None:
                run_pusher.failed(getattr(exc, "run_id", options.run_id), store)
            raise
        self.following.clear()
        self.runs += 1
        if run_pusher is not None:
            run_pusher.finish(outcome.run_id, outcome.summary, list(store.results(outcome.run_id)), store)
        figures = {k: outcome.summary.get(k) for k in ("run_id", "interactions", "by_status", "exit_code")}
        print(json.dumps(figures), flush=True)
        return True


def _check_queue(url: str) -> None:
    """An unreachable queue stops the watch before it watches."""
    from crm_crew.errors import SharedStateUnavailable
    from crm_crew.pipeline.rq_runner import open_queue

    try:
        open_queue(url)
    except SharedStateUnavailable as exc:
        raise exc.then("start the watch again (nothing was read from the mailbox)") from exc


def _watch_pusher(url: str | None, cfg: Any, watcher: Any, cycle: _Cycle) -> Any:
    """The watch's own metrics pusher, started, when a Pushgateway is named (--push-metrics, metrics.pushgateway_url)."""
    metrics = cfg.settings.metrics
    url = url or metrics.pushgateway_url
    if not url:
        return None
    from crm_crew.observability.metrics_watch import WatchPusher, WatchState

    def state() -> WatchState:
        looks = [t for t in (watcher.checked_at, cycle.checked_at) if t is not None]
        return WatchState(cycle.runs, watcher.reconnects, max(looks) if looks else None,
                          watcher.idle if watcher.checked_at is not None else None)

    return WatchPusher(url, cfg, metrics.push_interval_s, state, lambda text: err.print(text)).start()


def register(app: Any) -> None:
    app.command()(watch)

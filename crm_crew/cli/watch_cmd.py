"""`crm-crew watch`: process a mailbox folder's new mail as it arrives, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import json
import signal
import threading
from types import FrameType
from typing import Annotated, Any

import typer

from crm_crew.cli.common import ActorOption, ConfigOption, actor_name, err, load, open_store_for, state_home


def watch(
    mailbox: Annotated[str, typer.Argument(metavar="MAILBOX", help="imaps://USER@HOST[:PORT]/FOLDER (or imap:// "
                                           "with STARTTLS); the secret from the variable mail.imap names.",
                                           show_default=False)],
    apply: Annotated[bool, typer.Option("--apply", help="Write each run's plan to the CRM (default: shadow mode).")] = False,
    poll_s: Annotated[float, typer.Option("--poll-s", min=1, help="Seconds between looks when the server has no "
                                          "IDLE, and at most between IDLE renewals.")] = 60.0,
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
    check_before_state(cfg, RunOptions([url]))
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    watcher = MailWatcher(url, cfg.settings.mail.imap, cfg.directory, stop)
    store = open_store_for(cfg)
    runs = 0
    try:
        changed = True                       # mail that arrived before the watch began
        while not stop.is_set():
            if changed:
                runs += _one_run(cfg, store, url, apply, actor_name(actor))
            changed = watcher.wait(poll_s)
    except KeyboardInterrupt:
        pass
    finally:
        watcher.close()
        store.close()
        signal.signal(signal.SIGTERM, previous)
    err.print(f"watch stopped: {runs} run(s) over {url}")
    return 0


def _one_run(cfg: Any, store: Any, url: Any, apply: bool, actor: str) -> int:
    """Run over the folder's new mail; 0 when there was none (no run is made)."""
    from crm_crew.pipeline.run_setup import RunOptions, prepare_run

    home = state_home(cfg)
    options = RunOptions([url], apply, actor=actor)
    prepared = prepare_run(cfg, home, store, options)
    if not any(m["new"] for m in prepared.mail.summary()):
        prepared.mail.close()
        return 0
    from crm_crew.crew.environment import prepare_crewai_environment
    from crm_crew.pipeline.run import execute_run

    prepare_crewai_environment(home)
    outcome = execute_run(cfg, home, store, options, prepared)
    figures = {k: outcome.summary.get(k) for k in ("run_id", "interactions", "by_status", "exit_code")}
    print(json.dumps(figures), flush=True)
    return 1


def register(app: Any) -> None:
    app.command()(watch)

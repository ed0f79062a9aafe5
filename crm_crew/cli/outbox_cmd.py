"""`crm-crew outbox list|resolve`: the replies crm-crew handed to a mail server, and the ones in doubt.

Exit codes: 0 done; 1 no such reply, or it is not in doubt; 2 usage error.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Annotated, Optional

import typer

from crm_crew.cli.common import ActorOption, ConfigOption, JsonOption, actor_name, load, open_store_for, out, state_home

outbox_app = typer.Typer(help="Replies handed to the SMTP server or the Drafts folder (README: Replies out).",
                         no_args_is_help=True)


class OutboxStatus(str, Enum):
    sending = "sending"
    accepted = "accepted"
    all = "all"


@outbox_app.command("list")
def list_(
    status: Annotated[OutboxStatus, typer.Option(
        "--status", help="sending: replies in doubt (a process stopped while handing them over); accepted: taken "
                         "by the server; all.")] = OutboxStatus.sending,
    run_id: Annotated[Optional[str], typer.Option("--run", metavar="RUN_ID", help="Only this run's replies.",
                                                  show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", metavar="N", min=1, help="At most N replies, oldest first.")] = 100,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """List replies in the outbox (default: the ones in doubt), with the Message-ID to look for."""
    from crm_crew.mail.outbox_decisions import outbox_view

    cfg = load(config)
    store = open_store_for(cfg)
    try:
        rows = store.outbox_rows(None if status is OutboxStatus.all else status.value, run_id, limit)
    finally:
        store.close()
    listing = [outbox_view(r) for r in rows]
    if as_json:
        print(json.dumps(listing, indent=2))
        return 0
    if not listing:
        out.print("no replies in doubt" if status is OutboxStatus.sending else "no replies")
        return 0
    for r in listing:
        out.print(f"{r['message_id']}  {r['status']:<8} {r['mode']:<5} {r['recipient'] or '':<28} "
                  f"run {r['run_id']}  {r['updated_at']}")
    if status is OutboxStatus.sending:
        out.print("Look for each Message-ID in the SMTP server's log or the Sent folder, then: "
                  "crm-crew outbox resolve MESSAGE_ID --delivered|--not-delivered --reason TEXT")
    return 0


@outbox_app.command("resolve")
def resolve(
    message_id: Annotated[str, typer.Argument(metavar="MESSAGE_ID", help="The reply's Message-ID (as `outbox list` "
                                              "shows it).", show_default=False)],
    delivered: Annotated[Optional[bool], typer.Option(
        "--delivered/--not-delivered", show_default=False,
        help="--delivered: the server has it (the action is recorded sent, no second copy); --not-delivered: it "
             "never left (the next `apply` sends it once).")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", metavar="TEXT", show_default=False,
                                                  help="What you checked (required; audited).")] = None,
    as_json: JsonOption = False,
    actor: ActorOption = None,
    config: ConfigOption = None,
) -> int:
    """Settle a reply in doubt, after checking the mail server; then `crm-crew apply RUN_ID` finishes it."""
    from crm_crew.errors import UsageError
    from crm_crew.mail.outbox_decisions import resolve as settle

    if delivered is None:
        raise UsageError("say what you found: --delivered (the server has the mail) or --not-delivered")
    cfg = load(config)
    store = open_store_for(cfg)
    try:
        result = settle(cfg, state_home(cfg), store, message_id, delivered, actor_name(actor), reason)
    finally:
        store.close()
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        out.print(f"reply {result['message_id']} resolved as {result['resolved'].replace('_', ' ')} by "
                  f"{result['by']}. Run `{result['next']}`: the reply {result['then']}.")
    return 0

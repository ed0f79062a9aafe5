"""`crm-crew review list|show|approve|reject`: the human review queue of escalated interactions.

Exit codes: 0 done; 1 no such item, or a decision that is not allowed any more; 2 usage error;
3 approved, but some of its actions failed to write (approve again to retry them).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

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
)

if TYPE_CHECKING:
    from crm_crew.store.base import ReviewItem, Store

review_app = typer.Typer(
    help="Review escalated interactions: their CRM actions are held until someone approves them "
         "(they are then written) or rejects them (they never are).",
    no_args_is_help=True)

IdArgument = Annotated[int, typer.Argument(metavar="ID", help="The review item's id (see `crm-crew review list`).",
                                           show_default=False)]


class StatusFilter(str, Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    all = "all"


def _summary(item: "ReviewItem") -> dict[str, Any]:
    data = {k: v for k, v in asdict(item).items() if k != "context"}
    interaction = item.context.get("interaction") or {}
    data["sender_email"] = interaction.get("sender_email")
    data["subject"] = interaction.get("subject")
    return data


@review_app.command("list")
def list_(
    status: Annotated[StatusFilter, typer.Option("--status", help="Which items to list.")] = StatusFilter.pending,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Only items whose escalation reason contains TEXT.",
                                                  metavar="TEXT", show_default=False)] = None,
    intent: Annotated[Optional[str], typer.Option("--intent", help="Only items with this intent.",
                                                  show_default=False)] = None,
    run_id: Annotated[Optional[str], typer.Option("--run", metavar="RUN_ID", help="Only items of this run.",
                                                  show_default=False)] = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """List review items (default: the pending ones), oldest first."""
    from crm_crew.cli.render_ledger import render_reviews

    store = open_store_for(load(config))
    try:
        items = store.list_reviews(None if status is StatusFilter.all else status.value, reason, intent, run_id)
    finally:
        store.close()
    listing = [_summary(i) for i in items]
    if as_json:
        print(json.dumps(listing, indent=2))
    else:
        render_reviews(out, listing)
    return 0


def review_view(store: "Store", review_id: int) -> dict[str, Any]:
    """Everything a reviewer needs about one item, as plain data."""
    from crm_crew.pipeline.review import get_item

    item = get_item(store, review_id)
    context = item.context
    actions = [{"seq": a.seq, "type": a.type, "object": a.object, "fields": a.fields, "record_id": a.record_id,
                "status": a.status, "note": a.note}
               for a in store.actions(item.run_id, item.interaction_id)]
    decision = None
    if item.status != "pending":
        decision = {"status": item.status, "by": item.decided_by, "at": item.decided_at,
                    "note": item.decision_note, "reply": item.reply}
    return {"review": _summary(item), "interaction": context.get("interaction") or {},
            "reasoning": context.get("reasoning") or {}, "reply_draft": context.get("reply"),
            "actions": actions, "decision": decision}


@review_app.command("show")
def show(review_id: IdArgument, as_json: JsonOption = False, config: ConfigOption = None) -> int:
    """Show one item: the interaction (redacted), the crew's reasoning, the held actions, the reply draft."""
    from crm_crew.cli.render_ledger import render_review

    store = open_store_for(load(config))
    try:
        view = review_view(store, review_id)
    finally:
        store.close()
    if as_json:
        print(json.dumps(view, indent=2))
    else:
        render_review(out, view)
    return 0


@review_app.command("approve")
def approve(
    review_id: IdArgument,
    edit_reply: Annotated[Optional[Path], typer.Option(
        "--edit-reply", metavar="FILE", show_default=False,
        help="Approve with this reply instead of the draft: an optional first line `Subject: ...`, "
             "a blank line, then the body.")] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """Approve an item: its held actions are written to the CRM now (and audited as you)."""
    from crm_crew.cli.render_ledger import render_approve
    from crm_crew.pipeline import review

    reply = review.read_reply_file(edit_reply) if edit_reply is not None else None
    cfg = load(config)
    store = open_store_for(cfg)
    try:
        report = review.approve(cfg, state_home(cfg), store, review_id, actor_name(actor), reply)
    finally:
        store.close()
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        render_approve(out, report)
    return 3 if report["failed"] else 0


@review_app.command("reject")
def reject(
    review_id: IdArgument,
    reason: Annotated[Optional[str], typer.Option("--reason", metavar="TEXT", show_default=False,
                                                  help="Why (required; kept in the audit trail).")] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """Reject an item: its held actions are never written."""
    from crm_crew.cli.render_ledger import render_reject
    from crm_crew.pipeline import review

    cfg = load(config)
    store = open_store_for(cfg)
    try:
        report = review.reject(cfg, state_home(cfg), store, review_id, actor_name(actor), reason)
    finally:
        store.close()
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        render_reject(out, report)
    return 0

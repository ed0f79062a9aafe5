"""`crm-crew review list|show|approve|reject`: the human review queue of escalated interactions.

Exit codes: 0 done; 1 no such item or run, a decision that is not allowed any more, or a batch
declined at its prompt; 2 usage error (a batch with no terminal to confirm on and no --yes);
3 approved, but some of its actions failed to write (approve again to retry them), or some
items of a batch could not be decided.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from crm_crew.cli.common import (
    ActorOption,
    ConfigOption,
    JsonOption,
    actor_name,
    err,
    load,
    open_store_for,
    out,
    state_home,
)

if TYPE_CHECKING:
    from crm_crew.pipeline.review_bulk import Decision
    from crm_crew.store.base import ReviewItem, Store

review_app = typer.Typer(
    help="Review escalated interactions: their CRM actions are held until someone approves them "
         "(they are then written) or rejects them (they never are).",
    no_args_is_help=True)

IdArgument = Annotated[int, typer.Argument(metavar="ID", help="The review item's id (see `crm-crew review list`).",
                                           show_default=False)]
OptionalIdArgument = Annotated[Optional[int], typer.Argument(
    metavar="ID", show_default=False, help="The review item's id (see `crm-crew review list`); or use --run.")]
BulkRunOption = Annotated[Optional[str], typer.Option(
    "--run", metavar="RUN_ID", show_default=False,
    help="Decide every pending item of this run (listed first, then confirmed).")]
BulkIntentOption = Annotated[Optional[str], typer.Option(
    "--intent", metavar="INTENT", show_default=False, help="With --run: only the items of this intent.")]
ReasonOption = Annotated[Optional[str], typer.Option(
    "--reason", metavar="TEXT", show_default=False,
    help="Why, kept in the audit trail: required to reject, and to decide a whole run (--run).")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="With --run: decide without asking (for scripts).")]


class SortOrder(str, Enum):
    urgency = "urgency"
    age = "age"
    run = "run"


class StatusFilter(str, Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    all = "all"


def _summary(item: "ReviewItem", now: datetime | None = None) -> dict[str, Any]:
    from crm_crew.pipeline.review_queue import age_seconds

    data = {k: v for k, v in asdict(item).items() if k != "context"}
    interaction = item.context.get("interaction") or {}
    data["sender_email"] = interaction.get("sender_email")
    data["subject"] = interaction.get("subject")
    data["age_seconds"] = age_seconds(item, now or datetime.now(timezone.utc))
    return data


def _duration(text: Optional[str]) -> Optional[timedelta]:
    from crm_crew.pipeline.review_queue import parse_duration

    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@review_app.command("list")
def list_(
    status: Annotated[StatusFilter, typer.Option("--status", help="Which items to list.")] = StatusFilter.pending,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Only items whose escalation reason contains TEXT.",
                                                  metavar="TEXT", show_default=False)] = None,
    intent: Annotated[Optional[str], typer.Option("--intent", help="Only items with this intent.",
                                                  show_default=False)] = None,
    run_id: Annotated[Optional[str], typer.Option("--run", metavar="RUN_ID", help="Only items of this run.",
                                                  show_default=False)] = None,
    urgency: Annotated[Optional[str], typer.Option(
        "--urgency", metavar="LEVEL", show_default=False,
        help="Only items of this urgency or above (levels from the config, lowest first: low, medium, high, "
             "critical).")] = None,
    older_than: Annotated[Optional[timedelta], typer.Option(
        "--older-than", metavar="AGE", parser=_duration, show_default=False,
        help="Only items that have waited in the queue longer than AGE: 30m, 2h, 1d, 1w.")] = None,
    sort: Annotated[Optional[SortOrder], typer.Option(
        "--sort", show_default=False,
        help="urgency: most urgent first; age: oldest first; run: grouped by run. Default: queue order.")] = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """List review items (default: the pending ones, in queue order), with how long each has waited."""
    from crm_crew.cli.render_ledger import render_reviews
    from crm_crew.pipeline.review_queue import ordered, select

    cfg = load(config)
    levels = cfg.settings.urgency.levels
    now = datetime.now(timezone.utc)
    store = open_store_for(cfg)
    try:
        items = store.list_reviews(None if status is StatusFilter.all else status.value, reason, intent, run_id)
    finally:
        store.close()
    items = select(items, levels, urgency, older_than, now)
    if sort is not None:
        items = ordered(items, levels, sort.value)
    listing = [_summary(i, now) for i in items]
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


def _bulk_args(review_id: Optional[int], run_id: Optional[str], intent: Optional[str], reason: Optional[str],
               yes: bool, verb: str) -> None:
    """One item (ID) or a run's pending items (--run); a batch is confirmed on a terminal or given --yes."""
    from crm_crew.errors import UsageError

    if (review_id is None) == (run_id is None):
        raise UsageError(f"give the review item ID, or --run RUN_ID to {verb} every pending item of a run (not both)")
    if run_id is None:
        if intent is not None or yes:
            raise UsageError("--intent and --yes go with --run RUN_ID (a single item needs neither)")
        return
    if not (reason or "").strip():
        raise UsageError(f"--reason is required with --run: say why these items are {verb}d")
    if not yes and not sys.stdin.isatty():
        raise UsageError(f"`review {verb} --run` asks for confirmation and there is no terminal to ask on: add "
                         f"--yes to {verb} without asking (scripts). Nothing was decided")


def _decide_run(decision: "Decision", run_id: str, intent: Optional[str], reason: str, actor: str, yes: bool,
                as_json: bool, config: Optional[str]) -> int:
    """Decide every pending item of a run through the single decision; exit 3 when any failed."""
    from crm_crew.cli.render_ledger import render_bulk_plan, render_bulk_report
    from crm_crew.pipeline.review_bulk import BulkReport, decide_run, pending_of_run

    cfg = load(config)
    home = state_home(cfg)
    store = open_store_for(cfg)
    try:
        items = pending_of_run(store, run_id, intent)
        report = BulkReport(decision, run_id, intent)
        if items:
            render_bulk_plan(err, decision, run_id, intent, [_summary(i) for i in items])
            if not yes and not typer.confirm(f"{decision} these {len(items)} item(s)?", default=False, err=True):
                err.print("nothing was decided", markup=False)
                return 1
            decide_run(cfg, home, store, report, items, actor, reason)
    finally:
        store.close()
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        render_bulk_report(out, report.to_dict())
    return 0 if report.clean else 3


@review_app.command("approve")
def approve(
    review_id: OptionalIdArgument = None,
    run_id: BulkRunOption = None,
    intent: BulkIntentOption = None,
    reason: ReasonOption = None,
    yes: YesOption = False,
    edit_reply: Annotated[Optional[Path], typer.Option(
        "--edit-reply", metavar="FILE", show_default=False,
        help="Approve with this reply instead of the draft: an optional first line `Subject: ...`, "
             "a blank line, then the body (one item only).")] = None,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """Approve an item, or every pending item of a run: the held actions are written to the CRM now (audited as you)."""
    from crm_crew.cli.render_ledger import render_approve
    from crm_crew.errors import UsageError
    from crm_crew.pipeline import review

    _bulk_args(review_id, run_id, intent, reason, yes, "approve")
    if run_id is not None:
        if edit_reply is not None:
            raise UsageError("--edit-reply is for one item: approve it by its ID")
        return _decide_run("approve", run_id, intent, (reason or "").strip(), actor_name(actor), yes, as_json, config)
    assert review_id is not None
    reply = review.read_reply_file(edit_reply) if edit_reply is not None else None
    cfg = load(config)
    store = open_store_for(cfg)
    try:
        report = review.approve(cfg, state_home(cfg), store, review_id, actor_name(actor), reply,
                                (reason or "").strip() or None)
    finally:
        store.close()
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        render_approve(out, report)
    return 3 if report["failed"] else 0


@review_app.command("reject")
def reject(
    review_id: OptionalIdArgument = None,
    run_id: BulkRunOption = None,
    intent: BulkIntentOption = None,
    reason: ReasonOption = None,
    yes: YesOption = False,
    actor: ActorOption = None,
    as_json: JsonOption = False,
    config: ConfigOption = None,
) -> int:
    """Reject an item, or every pending item of a run: the held actions are never written."""
    from crm_crew.cli.render_ledger import render_reject
    from crm_crew.pipeline import review

    _bulk_args(review_id, run_id, intent, reason, yes, "reject")
    if run_id is not None:
        return _decide_run("reject", run_id, intent, (reason or "").strip(), actor_name(actor), yes, as_json, config)
    assert review_id is not None
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

"""Human review of escalated interactions: approve (write the held actions) or reject them.

An escalated interaction's actions are journaled `held`; neither `run --apply` nor
`apply RUN_ID` touches them. Approving decides the review item first, then turns the held
actions into `planned` together with a `review_approve` audit entry (one transaction), then
applies them through the one write path. Each step can be redone: approving an approved item
again finishes whatever a crash left undone and changes nothing else.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.base import Connector
from crm_crew.errors import CrmUnavailableError, NotFoundError, UsageError, UserError
from crm_crew.mail.replies_out import RepliesOut
from crm_crew.pipeline.apply import CLAIM_LEASE_S, CLAIM_POLL_S, Applier
from crm_crew.pipeline.apply_run import require_same_target
from crm_crew.pipeline.summary import run_figures
from crm_crew.store.audit import AuditEntry, AuditKey
from crm_crew.store.base import APPLICABLE_STATUSES, ActionRow, Outcome, ReviewItem, Store
from crm_crew.store.owners import process_owner
from crm_crew.store.seals import require_sealed
from crm_crew.store.trail import Trail

APPROVE_OP = "review_approve"
REJECT_OP = "review_reject"
MAX_REPLY_FILE_BYTES = 1_000_000
STORE_WIDE = ""   # the target of claims that lock something of the store, not of a CRM


def get_item(store: Store, review_id: int) -> ReviewItem:
    item = store.get_review(review_id)
    if item is None:
        raise NotFoundError(f"no review item {review_id} (see `crm-crew review list --status all`)")
    return item


def _decided(item: ReviewItem) -> str:
    return f"by {item.decided_by or 'someone'} at {item.decided_at or 'an unknown time'}"


@contextmanager
def _exclusive(store: Store, item: ReviewItem) -> Iterator[None]:
    """One decision on one review item at a time, across processes (a claim in the store)."""
    key, owner = f"review:{item.review_id}", process_owner()
    while store.claim(key, item.run_id, owner, CLAIM_LEASE_S, STORE_WIDE).state == "busy":
        time.sleep(CLAIM_POLL_S)
    try:
        yield
    finally:
        store.release(key, owner, STORE_WIDE)


def _has_entry(store: Store, item: ReviewItem, operation: str) -> bool:
    return any(e.operation == operation for e in store.audit_entries(item.run_id, item.interaction_id))


def _drafted(item: ReviewItem) -> dict[str, Any] | None:
    reply = item.context.get("reply")
    return dict(reply) if isinstance(reply, dict) else None


def _edited_reply(item: ReviewItem, edit: dict[str, str]) -> dict[str, Any]:
    """The draft with the reviewer's body (and subject, when the file gives one)."""
    draft = _drafted(item) or {}
    subject = edit.get("subject") or draft.get("subject")
    if not subject:
        original = (item.context.get("interaction") or {}).get("subject") or ""
        subject = f"Re: {original}".strip() if original else "Re:"
    return {**draft, "subject": subject, "body": edit["body"]}


def _refresh_summary(store: Store, run_id: str) -> None:
    """The run's action figures after a decision (left to the run itself while it is running)."""
    info = store.get_run(run_id)
    if info is None or info.status == "running" or "by_status" not in info.summary:
        return
    summary = dict(info.summary)
    summary.update(run_figures(store.results(run_id)))
    store.update_summary(run_id, summary)


def approve(config: CrewConfig, home: Path, store: Store, review_id: int, actor: str,
            reply: dict[str, str] | None, note: str | None = None) -> dict[str, Any]:
    """Approve a review item: its held actions are written to the CRM, as `actor` (`note`: why, for the audit)."""
    from crm_crew.connectors.registry import open_crm

    settings = config.settings
    trail = Trail.open(settings.audit.key_env, home, store)
    key = trail.key
    item = get_item(store, review_id)
    if item.status == "rejected":
        raise UserError(f"review item {review_id} was rejected {_decided(item)}"
                        + (f" ({item.decision_note})" if item.decision_note else "") + ": it cannot be approved")
    connector = open_crm(settings.crm, home)   # a CRM that cannot be opened fails before anything changes
    mail_out = RepliesOut(settings, config.directory, store)
    try:
        if any(r.type == "send_reply" and r.status != "applied" for r in store.actions(item.run_id, item.interaction_id)):
            mail_out.check()     # replies.mode send: a refused SMTP login stops before the decision
        run = store.get_run(item.run_id)
        if run is not None:
            require_same_target(run, connector.target, "approve actions of")
        with _exclusive(store, item):
            item = get_item(store, review_id)
            require_sealed(key, store.actions(item.run_id, item.interaction_id), f"approve review item {review_id}")
            already = item.status == "approved"
            if item.status == "pending":
                approved_reply = _edited_reply(item, reply) if reply is not None else _drafted(item)
                if not store.decide_review(review_id, "approved", actor, note, approved_reply):
                    item = get_item(store, review_id)
                    already = True
                else:
                    item = get_item(store, review_id)
            if item.status == "rejected":
                raise UserError(f"review item {review_id} was rejected {_decided(item)}: it cannot be approved")
            if already and reply is not None and item.reply != _edited_reply(item, reply):
                raise UserError(f"review item {review_id} was already approved {_decided(item)} with its reply: "
                                "the reply can no longer be edited")
            reply_edited = item.reply is not None and item.reply != _drafted(item)
            rows = store.actions(item.run_id, item.interaction_id)
            held = [r for r in rows if r.status == "held"]
            for row in held:
                row.status, row.note = "planned", None
                if row.type == "send_reply" and reply_edited and item.reply:
                    row.fields = {**row.fields, "subject": str(item.reply.get("subject") or row.fields["subject"]),
                                  "body": str(item.reply.get("body") or row.fields["body"])}   # the text approved
            outcomes = [Outcome(row) for row in held]
            if not _has_entry(store, item, APPROVE_OP):
                outcomes.append(Outcome(None, AuditEntry(
                    item.run_id, item.interaction_id, actor, "", connector.name, APPROVE_OP, "interaction",
                    item.interaction_id, None,
                    {"review_id": item.review_id, "actions": [r.type for r in rows if r.status == "planned"],
                     "reply_edited": reply_edited},
                    "approved", item.decision_note)))
            if outcomes:
                store.record(outcomes, key)
            try:
                counts = _apply(mail_out, store, connector, item, key, actor, rows)
            except CrmUnavailableError as exc:
                raise UserError(f"{exc}; review item {review_id} is approved: run `crm-crew review approve "
                                f"{review_id}` again to write its actions once the CRM is back") from exc
            changes: dict[str, Any] = {"review": {"id": item.review_id, "status": "approved",
                                                  "by": item.decided_by, "at": item.decided_at}}
            if item.decision_note:
                changes["review"]["reason"] = item.decision_note
            if reply_edited:
                changes["reply"] = item.reply
            store.update_record(item.run_id, item.interaction_id, changes)
    finally:
        connector.close()
        mail_out.close()
    _refresh_summary(store, item.run_id)
    trail.checkpoint()
    return {"review_id": item.review_id, "run_id": item.run_id, "interaction_id": item.interaction_id,
            "status": "approved", "by": item.decided_by, "at": item.decided_at, "already_approved": already,
            "reason": item.decision_note, "applied": counts["applied"], "skipped": counts["skipped"],
            "failed": counts["failed"], "reply_edited": reply_edited}


def _apply(mail_out: RepliesOut, store: Store, connector: Connector, item: ReviewItem, key: AuditKey, actor: str,
           rows: list[ActionRow]) -> Counter[str]:
    """Write the interaction's pending actions; count what became of them."""
    pending = {r.seq for r in rows if r.status in APPLICABLE_STATUSES}
    if pending:
        Applier(store, connector, item.run_id, key, actor, mail_out).apply_interaction(rows)
    return Counter(r.status for r in rows if r.seq in pending)


def reject(config: CrewConfig, home: Path, store: Store, review_id: int, actor: str, reason: str | None) -> dict[str, Any]:
    """Reject a review item: its held actions are never written."""
    reason = (reason or "").strip()
    if not reason:
        raise UsageError("--reason is required: say why the actions must not be written")
    trail = Trail.open(config.settings.audit.key_env, home, store)
    key = trail.key
    item = get_item(store, review_id)
    with _exclusive(store, item):
        item = get_item(store, review_id)
        if item.status == "approved":
            raise UserError(f"review item {review_id} was approved {_decided(item)}: its actions were written "
                            "to the CRM, it cannot be rejected any more")
        already = item.status == "rejected"
        if not already and not store.decide_review(review_id, "rejected", actor, reason, None):
            already = True
        item = get_item(store, review_id)
        if item.status == "approved":
            raise UserError(f"review item {review_id} was approved {_decided(item)}: it cannot be rejected")
        by, why = item.decided_by or actor, item.decision_note or reason
        rows = store.actions(item.run_id, item.interaction_id)
        held = [r for r in rows if r.status == "held"]
        for row in held:
            row.status, row.note = "rejected", f"rejected by {by}: {why}"
        outcomes = [Outcome(row) for row in held]
        if not _has_entry(store, item, REJECT_OP):
            outcomes.append(Outcome(None, AuditEntry(
                item.run_id, item.interaction_id, by, "", config.settings.crm.type, REJECT_OP, "interaction",
                item.interaction_id, None,
                {"review_id": item.review_id, "actions": [r.type for r in rows if r.status == "rejected"]},
                "rejected", why)))
        if outcomes:
            store.record(outcomes, key)
        if not already or outcomes:
            store.update_record(item.run_id, item.interaction_id,
                                {"review": {"id": item.review_id, "status": "rejected", "by": by,
                                            "at": item.decided_at, "reason": why}})
    if not already or outcomes:
        _refresh_summary(store, item.run_id)
    trail.checkpoint()
    return {"review_id": item.review_id, "run_id": item.run_id, "interaction_id": item.interaction_id,
            "status": "rejected", "by": by, "at": item.decided_at, "reason": why, "already_rejected": already,
            "rejected": sum(1 for r in rows if r.status == "rejected")}


def read_reply_file(path: Path) -> dict[str, str]:
    """The reviewer's reply: an optional first line `Subject: ...`, a blank line, then the body."""
    try:
        if path.stat().st_size > MAX_REPLY_FILE_BYTES:
            raise UserError(f"reply file {path} is larger than {MAX_REPLY_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"reply file {path} does not exist") from None
    except IsADirectoryError:
        raise UserError(f"reply file {path} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise UserError(f"reply file {path} is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"cannot read reply file {path}: {exc.strerror or exc}") from None
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    reply: dict[str, str] = {}
    if lines and lines[0].lower().startswith("subject:"):
        subject = lines[0][len("subject:"):].strip()
        if subject:
            reply["subject"] = subject
        lines = lines[1:]
    body = "\n".join(line.rstrip() for line in lines).strip("\n")
    if not body.strip():
        raise UserError(f"reply file {path} has no body: write the reply text (after an optional "
                        "`Subject: ...` line and a blank line)")
    reply["body"] = body
    return reply

"""A person settles a reply left `sending` (`crm-crew outbox resolve`).

A process that died (or lost its connection) while handing a reply to the SMTP server leaves its outbox row
`sending`: nobody knows whether the server took the mail, so crm-crew never sends it again by itself (see
crm_crew/mail/replies_out.py). Whoever checked the server's log or the Sent folder says what happened:
`delivered` turns the row `accepted`, so the next `apply` / `run --resume` records the action applied without a
second copy; `not delivered` forgets the row, so the next one sends the reply once. Each decision is audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.errors import NotFoundError, UsageError, UserError
from crm_crew.mail.outbox import SENDING, OutboxRow
from crm_crew.observability.notify import masked_email
from crm_crew.store.audit import AuditEntry
from crm_crew.store.base import Outcome, Store
from crm_crew.store.trail import Trail

RESOLVE_OP = "outbox_resolve"


def outbox_view(row: OutboxRow) -> dict[str, Any]:
    """A row as `outbox list` shows it: the recipient masked to its domain (the Message-ID finds the mail)."""
    return {"message_id": row.message_id, "status": row.status, "mode": row.mode, "run_id": row.run_id,
            "interaction_id": row.interaction_id, "recipient": masked_email(row.recipient),
            "created_at": row.created_at, "updated_at": row.updated_at}


def resolve(config: CrewConfig, home: Path, store: Store, message_id: str, delivered: bool, actor: str,
            reason: str | None) -> dict[str, Any]:
    """Settle the `sending` row of `message_id`; the command that finishes its action comes back."""
    reason = (reason or "").strip()
    if not reason:
        raise UsageError("--reason is required: say what you checked (the server's log, the Sent folder ...)")
    message_id = message_id.strip()
    if not (message_id.startswith("<") and message_id.endswith(">")):
        message_id = f"<{message_id}>"
    row = store.outbox_row(message_id)
    if row is None:
        raise NotFoundError(f"no reply {message_id} in the outbox: `crm-crew outbox list --status all` lists them")
    trail = Trail.open(config.settings.audit.key_env, home, store)
    if row.status != SENDING or not store.settle_outbox(message_id, delivered):
        raise UserError(f"reply {message_id} is not in doubt: the server accepted it (outbox status "
                        f"'{(store.outbox_row(message_id) or row).status}'); nothing to resolve")
    outcome = "delivered" if delivered else "not_delivered"
    store.record([Outcome(None, AuditEntry(
        row.run_id, row.interaction_id, actor, "", config.settings.crm.type, RESOLVE_OP, "reply", message_id,
        {"status": SENDING}, {"status": "accepted" if delivered else "forgotten"}, outcome, reason))], trail.key)
    trail.checkpoint()
    then = ("is recorded as sent, with no second copy" if delivered else "is sent once")
    return {"message_id": message_id, "run_id": row.run_id, "interaction_id": row.interaction_id,
            "resolved": outcome, "by": actor, "reason": reason,
            "next": f"crm-crew apply {row.run_id}", "then": then}

"""propose_change: an MCP client's proposed CRM change becomes a held action in the review queue.

The proposal goes through the write path's planning half (crm_crew.pipeline.proposals) as the agent
`mcp`, whose permissions are `mcp.propose` in crm-crew.yaml: a type not listed there is refused. Every
accepted proposal is held: nothing reaches the CRM until a human runs `crm-crew review approve`.
Each proposal is journaled as a one-interaction shadow run (its id starts with `mcp-`) so that review, approve, reject,
audit and rollback treat it like any other escalation.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from crm_crew.errors import PermissionDenied, UserError
from crm_crew.mcp.context import ServerContext

PROPOSER = "mcp"
CHANNELS = ("email", "web_form", "chat", "call", "ticket", "other")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def propose_change(ctx: ServerContext, change: dict[str, Any], client: str) -> dict[str, Any]:
    from crm_crew.models import Interaction
    from crm_crew.pipeline.flow import review_context
    from crm_crew.pipeline.matching import match_contact
    from crm_crew.pipeline.proposals import ProposalRefused, propose
    from crm_crew.pipeline.session import InteractionSession
    from crm_crew.security.screen import screen
    from crm_crew.store.base import ActionRow, RunInfo
    from crm_crew.store.trail import Trail

    settings = ctx.settings
    action_type = str(change.get("action_type") or "")
    email = str(change.get("contact_email") or "").strip()
    if not email:
        raise UserError("give contact_email: the address of the contact the change is about")
    channel = str(change.get("channel") or "other")
    if channel not in CHANNELS:
        raise UserError(f"channel must be one of: {', '.join(CHANNELS)}")
    allowed = {PROPOSER: list(settings.mcp.propose)}
    scoped = settings.model_copy(update={"permissions": allowed})
    stamp = _now()
    run_id = f"mcp-{datetime.now(timezone.utc).strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    interaction = Interaction(f"{run_id}-1", channel, email, "", str(change.get("subject") or ""),
                              str(change.get("description") or ""), stamp, source="mcp", position="proposal",
                              metadata={"proposed_by": client})
    screened = screen(interaction, settings.security, settings.limits)
    with ctx.crm() as crm, ctx.store() as store:
        session = InteractionSession(interaction, screened, scoped, crm, run_started_at=stamp)
        session.match = match_contact(crm, email, "", "", settings.matching)
        args = {k: v for k, v in change.items() if k in ("first_name", "last_name", "company", "reason",
                                                          "kind", "note", "status")}
        try:
            action = propose(session, PROPOSER, action_type, args)
        except PermissionDenied:
            raise PermissionDenied(f"permission denied: MCP clients may not propose '{action_type}'; mcp.propose in "
                                   f"crm-crew.yaml allows {', '.join(allowed[PROPOSER]) or 'nothing'}") from None
        except ProposalRefused as exc:
            raise UserError(f"proposal refused: {exc}") from None
        trail = Trail.open(settings.audit.key_env, ctx.home, store)   # seals the held action
        del trail
        reason = f"proposed over MCP by {client}: held until a human approves it"
        record: dict[str, Any] = {
            "interaction_id": interaction.id, "status": "escalated", "source": "mcp", "position": "proposal",
            "channel": channel, "subject": screened.subject,
            "contact": {"id": session.match.contact.id if session.match.contact else None,
                        "email": email, "match": session.match.how if session.match.contact else "none"},
            "intent": None, "sentiment": None, "urgency": None, "confidence": None, "language": None,
            "reply": None, "escalation": {"reason": reason}, "security": session.security_record(),
            "route": "mcp", "route_reason": "proposed over MCP",
            "llm": {"calls": 0, "input_tokens": 0, "output_tokens": 0}, "duration_ms": 0, "error": None}
        row = ActionRow(run_id, interaction.id, 1, action.type, action.object, action.fields,
                        action.idempotency_key, PROPOSER, action.record_id, action.contact_ref, "held",
                        f"held for review: {reason}" + (f"; {action.hold}" if action.hold else ""), action.expected)
        store.create_run(RunInfo(run_id, stamp, None, "running", "shadow", ["mcp"], str(ctx.config.directory),
                                 settings.crm.type, target=crm.target))
        store.save_result(run_id, record, [row], review_context(session, record))
        review = store.list_reviews("pending", None, None, run_id)
        store.finish_run(run_id, "finished", {"run_id": run_id, "interactions": 1, "escalated": 1,
                                              "proposed_by": client})
    review_id = review[0].review_id if review else None
    return {"held": True, "review_id": review_id, "run_id": run_id,
            "action": {"type": action.type, "object": action.object, "fields": action.fields,
                       "record_id": action.record_id},
            "next": f"a human approves it with `crm-crew review approve {review_id}` (or rejects it); "
                    "nothing is written to the CRM before that"}

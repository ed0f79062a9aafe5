"""Data-agent tools: sender details, contact matching, contact history (CRM reads only)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_crew.pipeline.matching import match_contact
from crm_crew.pipeline.signature import extract_sender
from crm_crew.security.addresses import same_address
from crm_crew.tools.spec import NoArgs, ToolContext, ToolSpec


class FindContactArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field("", description="The sender's own email (the default); no other address can be looked up")
    name: str = Field("", description="Full name for a fuzzy match when the email is unknown")
    company: str = Field("", description="Company for a fuzzy match")


class HistoryArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact_id: str = Field(..., description="CRM id returned by find_contact")
    limit: int = Field(5, ge=1, le=20)


def _extract_signature(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    session = ctx.require_session()
    session.sender = extract_sender(session.interaction, session.screen, session.settings.matching.free_mail_domains)
    return session.sender_view() or {}


def _find_contact(ctx: ToolContext, args: FindContactArgs) -> dict[str, Any]:
    session = ctx.require_session()
    sender = session.sender
    email = session.interaction.sender_email
    if args.email and not same_address(args.email, email, session.settings.matching.strip_plus_tags):
        return {"error": "only the sender's own address can be looked up: leave `email` empty"}
    name = args.name or (sender.full_name if sender else "")
    company = args.company or (sender.company if sender else "")
    result = match_contact(session.connector, email, name, company, session.settings.matching)
    session.match = result
    if result.contact is None:
        return {"found": False, "match": "none", "best_fuzzy_score": result.score}
    c = result.contact
    return {
        "found": True,
        "match": result.how,
        "sender_is_this_contact": result.how == "email",
        "score": result.score,
        "contact": {"id": c.id, "name": c.full_name, "company": c.company, "tier": c.tier,
                    "lead_status": c.lead_status, "opted_out": c.opted_out},
    }


def _history(ctx: ToolContext, args: HistoryArgs) -> dict[str, Any]:
    session = ctx.require_session()
    if session.match is None or session.match.contact is None or session.match.contact.id != args.contact_id:
        return {"error": "only the matched contact of this interaction can be read; call find_contact first"}
    session.history = session.connector.recent_activities(args.contact_id, args.limit)
    return {"activities": [
        {"subject": a.subject, "kind": a.kind, "occurred_at": a.occurred_at, "intent": a.intent, "sentiment": a.sentiment}
        for a in session.history
    ]}


SPECS = [
    ToolSpec("extract_signature", "Extract the sender's name, company, title and phone from the "
             "From header, the signature block and the email domain.", NoArgs, _extract_signature,
             deterministic=True),
    ToolSpec("find_contact", "Find the CRM contact: the sender's own address first, then a look-alike of a "
             "contact's address, then fuzzy name + company. Only an address match lets the message change the "
             "contact; other matches link the interaction for context and hold changes for review.",
             FindContactArgs, _find_contact, deterministic=True),
    ToolSpec("get_contact_history", "Recent CRM activities of the matched contact, newest first.",
             HistoryArgs, _history, deterministic=True),
]

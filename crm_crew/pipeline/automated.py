"""Automated mail in code, with no model call: an auto-reply or a bounce gets no reply, case, task or
escalation (answering an auto-reply is how mail loops start); only an activity on an existing contact.
A bounce is logged on the contact whose address bounced, when that address is in the CRM."""

from __future__ import annotations

from crm_crew.config.loader import CrewConfig
from crm_crew.pipeline.lean import call_tool, plan_changes, read_sender
from crm_crew.pipeline.matching import MatchResult
from crm_crew.security.addresses import identity_address
from crm_crew.pipeline.session import InteractionSession
from crm_crew.triage.automated import BOUNCE, Automated

NO_REPLY = "no reply to automated mail: answering auto-replies and bounces starts mail loops"


def handle_automated(config: CrewConfig, session: InteractionSession, mail: Automated) -> None:
    settings = config.settings
    read_sender(config, session)
    if session.crm_error is not None:
        raise session.crm_error
    if mail.kind == BOUNCE:
        session.match = _bounced_contact(session, mail.bounced_address, settings.matching.strip_plus_tags)
    what = "delivery failure" if mail.kind == BOUNCE else "automatic reply"
    call_tool(config, session, "record_assessment", intent="other", urgency=settings.urgency.levels[0],
              sentiment="neutral", sentiment_score=0.0, confidence=1.0,
              rationale=f"{what} ({mail.evidence}): no reply, case, task or escalation")
    session.reply, session.reply_declined = None, NO_REPLY     # not even the template for "other"
    if session.match is not None and session.match.contact is not None and session.match.how == "email":
        plan_changes(config, session, [{"type": "log_activity"}])


def _bounced_contact(session: InteractionSession, address: str, strip_plus_tags: bool) -> MatchResult | None:
    if not address:
        return None
    contact = session.connector.find_contact_by_email(identity_address(address, strip_plus_tags))
    return MatchResult(contact, "email", 100.0) if contact is not None else None

"""The planning half of the write path: every CRM change an agent proposes passes here.

It enforces the permissions in crm-crew.yaml, confines changes to this interaction's own
contact, holds for review what the identity rule does not let the sender do (see
crm_crew.pipeline.identity), and gives each change a stable idempotency key. Nothing here
writes to the CRM.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from crm_crew.errors import PermissionDenied
from crm_crew.mail.reply_policy import reply_fields
from crm_crew.pipeline.identity import expected_identity, hold_reason
from crm_crew.triage.wording import says_unsubscribe
from crm_crew.pipeline.plan import ACTION_OBJECTS, NEW_CONTACT, PlannedAction, idempotency_key
from crm_crew.pipeline.senders import is_automated
from crm_crew.pipeline.session import InteractionSession
from crm_crew.pipeline.signature import SenderDetails
from crm_crew.security.contact_fields import Checked, company_name, person_name
from crm_crew.security.injection import detector_for
from crm_crew.security.addresses import identity_address

EXCERPT_CHARS = 1000


class ProposalRefused(Exception):
    """The proposal is not allowed; the message says why (shown to the proposing model)."""


def _check_permission(session: InteractionSession, agent_id: str, action_type: str) -> None:
    allowed = session.settings.permissions.get(agent_id, [])
    if action_type not in allowed:
        raise PermissionDenied(f"agent '{agent_id}' may not plan '{action_type}' (see permissions.{agent_id} in crm-crew.yaml)")


NO_UNSUBSCRIBE_WORDING = "an opt-out, but the message has no unsubscribe wording: check before opting the contact out"


def _wording_hold(session: InteractionSession, action_type: str) -> str | None:
    """An opt-out the message's own words do not ask for waits for a person (whichever route proposed it)."""
    if action_type != "opt_out":
        return None
    text = f"{session.screen.subject}\n{session.screen.body}"
    return None if says_unsubscribe(text, session.settings, session.language) else NO_UNSUBSCRIBE_WORDING


def _excerpt(session: InteractionSession) -> str:
    body = session.screen.body
    return body if len(body) <= EXCERPT_CHARS else body[:EXCERPT_CHARS] + " ..."


def _proposed(session: InteractionSession, agent_id: str, args: dict[str, Any], key: str,
              check: Callable[[str], Checked], fallback: str) -> str:
    """An agent's value for a contact field when it reads as one; else the extracted value, noted."""
    raw = str(args.get(key) or "")
    if not raw:
        return fallback
    checked = check(raw)
    problem = checked.problem
    if problem is None and detector_for(session.settings.security).signals(checked.value):
        problem = "carries a prompt-injection signal"
    if problem:
        session.dropped.append(f"{key} (proposed by {agent_id}): {problem}")
        return fallback
    return checked.value


def _aware(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat((text or "").replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _due_date(session: InteractionSession) -> str:
    """`task_due_days` after the later of the message's date and the run's start: a task from an old
    inbox is not created overdue, one from a message dated ahead waits for that date."""
    run_start = _aware(session.run_started_at) or datetime.now(timezone.utc)
    received = _aware(session.interaction.received_at)
    start = max(run_start, received) if received is not None else run_start
    return (start + timedelta(days=session.settings.actions.task_due_days)).date().isoformat()


def propose(session: InteractionSession, agent_id: str, action_type: str, args: dict[str, Any]) -> PlannedAction:
    """Validate one proposed change and add it to the plan; raise ProposalRefused or PermissionDenied."""
    _check_permission(session, agent_id, action_type)
    it = session.interaction
    email = identity_address(it.sender_email, session.settings.matching.strip_plus_tags)
    contact = session.match.contact if session.match else None
    intent = session.assessment.intent if session.assessment else ""

    if action_type == "create_contact":
        if contact is not None:
            raise ProposalRefused(f"the sender already is CRM contact {contact.id}")
        if intent == "spam":
            raise ProposalRefused("spam creates no contact")
        if is_automated(it, session.settings.matching.non_human_senders):
            raise ProposalRefused(f"{it.sender_email} is an automated sender, not a person")
        sender = session.sender or SenderDetails()
        fields = {
            "email": email,
            "first_name": _proposed(session, agent_id, args, "first_name", person_name, sender.first_name),
            "last_name": _proposed(session, agent_id, args, "last_name", person_name, sender.last_name),
            "company": _proposed(session, agent_id, args, "company", company_name, sender.company),
            "phone": sender.phone,
            "lead_status": "New",
        }
        action = PlannedAction(action_type, "contact", fields, idempotency_key(action_type, email),
                               agent_id, contact_ref=NEW_CONTACT)
    else:
        if contact is None and not session.plan.has("create_contact"):
            raise ProposalRefused("no contact to attach this to: plan_create_contact first (or the sender is unknown)")
        contact_id = contact.id if contact else None
        ref = None if contact else NEW_CONTACT
        fields, key_parts = _fields_for(session, action_type, args, contact_id)
        updates_contact = ACTION_OBJECTS[action_type] == "contact"
        seen = contact.to_dict() if contact is not None and updates_contact else None
        expected = {**{k: seen.get(k) for k in fields}, **expected_identity(seen["email"])} if seen else None
        action = PlannedAction(action_type, ACTION_OBJECTS[action_type], fields,
                               idempotency_key(action_type, *key_parts), agent_id,
                               record_id=contact_id if updates_contact else None, contact_ref=ref,
                               expected=expected)
    action.hold = hold_reason(session, action_type) or _wording_hold(session, action_type)
    if not session.plan.add(action):
        raise ProposalRefused(f"{action_type} is already planned for this interaction")
    return action


def _fields_for(session: InteractionSession, action_type: str, args: dict[str, Any],
                contact_id: str | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    it = session.interaction
    a = session.assessment
    settings = session.settings
    subject = session.screen.subject or "(no subject)"
    if action_type == "log_activity":
        return ({"contact_id": contact_id, "subject": subject, "kind": it.channel,
                 "occurred_at": it.received_at, "description": _excerpt(session),
                 "intent": a.intent if a else "", "sentiment": a.sentiment_label if a else "",
                 "interaction_id": it.id}, (it.id,))
    if action_type == "create_case":
        urgency = a.urgency if a else "medium"
        return ({"contact_id": contact_id, "subject": subject, "description": _excerpt(session),
                 "priority": settings.actions.case_priority.get(urgency, "Medium"), "status": "New",
                 "origin": it.channel, "reason": str(args.get("reason") or (a.intent if a else ""))[:200]},
                (it.id,))
    if action_type == "create_task":
        kind = str(args.get("kind", ""))
        if kind not in settings.actions.task_triggers:
            raise ProposalRefused(f"task kind must be one of: {', '.join(settings.actions.task_triggers)}")
        return ({"contact_id": contact_id, "subject": f"{kind.capitalize()} requested: {subject}"[:250],
                 "kind": kind, "due_date": _due_date(session), "status": "Open",
                 "description": str(args.get("note") or "")[:500]}, (it.id, kind))
    if action_type == "update_lead_status":
        status = str(args.get("status", "")).strip()
        if not status:
            raise ProposalRefused("give the new lead status")
        current = session.match.contact.lead_status if session.match and session.match.contact else ""
        if status == current:
            raise ProposalRefused(f"lead status already is {status}")
        return {"lead_status": status}, (it.id, status)
    if action_type == "opt_out":
        return {"opted_out": True}, (identity_address(it.sender_email, settings.matching.strip_plus_tags),)
    if action_type == "send_reply":
        if session.reply is None:
            raise ProposalRefused("no reply was drafted")
        return reply_fields(session)
    raise ProposalRefused(f"unknown action type '{action_type}'")

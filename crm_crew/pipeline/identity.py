"""Identity is a rule of the write path: a message changes only its own sender's record.

A message may change a contact's state (lead status, opt-out, contact fields, cases and tasks
on their behalf) only when it comes from that contact's own address. A contact found another
way (fuzzy name + company, a look-alike address) may have the interaction logged on it for
context; any state change is planned `held`, for a person to approve. A message asking to
change someone else's record ("unsubscribe my colleague") changes nothing without review.

The planner (`proposals.propose`) asks `hold_reason` for every action, whichever route or
agent proposes it; the applier re-checks the contact's address at write time (see
`expected_identity`).
"""

from __future__ import annotations

from typing import Any

from crm_crew.security.addresses import is_lookalike, same_address
from crm_crew.security.third_party import asks_about_someone_else

DIFFERENT_SENDER = "sender address differs from the matched contact's"
LOOKALIKE_SENDER = f"{DIFFERENT_SENDER} (a look-alike of it)"
ABOUT_SOMEONE_ELSE = "the message asks to change another person's record, not the sender's own"

# Actions that change a contact's state or act on their behalf; logging an activity only records
# that the interaction happened.
STATE_CHANGES: frozenset[str] = frozenset(
    {"update_contact", "update_lead_status", "opt_out", "create_case", "create_task"})


def sender_owns(contact_email: str, sender_email: str, strip_plus_tags: bool) -> bool:
    return same_address(contact_email, sender_email, strip_plus_tags)


def _about_someone_else(session: Any) -> bool:
    cached: bool | None = session.about_someone_else
    if cached is None:
        it = session.interaction
        text = "\n".join(part for part in (it.subject, it.metadata.get("customer_text") or it.body) if part)
        names = [n for n in (it.sender_name, session.sender.full_name if session.sender else "") if n]
        cached = session.about_someone_else = asks_about_someone_else(text, it.sender_email, names)
    return cached


def hold_reason(session: Any, action_type: str) -> str | None:
    """Why this action must wait for a person under the identity rule, or None when the sender may do it."""
    if _about_someone_else(session):
        return ABOUT_SOMEONE_ELSE
    if action_type not in STATE_CHANGES:
        return None
    contact = session.match.contact if session.match else None
    if contact is None:
        return None          # the plan's own new contact, made from the sender's address
    strip = session.settings.matching.strip_plus_tags
    sender = session.interaction.sender_email
    if sender_owns(contact.email, sender, strip):
        return None
    return LOOKALIKE_SENDER if is_lookalike(sender, contact.email, strip) else DIFFERENT_SENDER


def expected_identity(contact_email: str) -> dict[str, str]:
    """What an update of a contact expects of it besides its changed fields: the address it was planned
    for. The connectors refuse the write when the contact's address changed in the meantime."""
    return {"email": contact_email}

"""Contact matching: the sender's own address first, then a look-alike of a contact's address, then
fuzzy name + company.

Only an `email` match is the sender's own record (see crm_crew.pipeline.identity); the others
link the interaction to a contact for context and never authorize a change to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_crew.connectors.base import Connector
from crm_crew.models import Contact
from crm_crew.security.addresses import canonical_address, identity_address, imitated_address, same_address


@dataclass
class MatchResult:
    contact: Contact | None
    how: str            # email | lookalike | fuzzy | none
    score: float = 0.0


def _by_address(connector: Connector, email: str, strip_plus_tags: bool) -> Contact | None:
    """The contact stored under this address (with or without its plus tag), verified character for
    character: a CRM whose lookup folds more than we do never hands back someone else's record."""
    for probe in dict.fromkeys((identity_address(email, strip_plus_tags), canonical_address(email))):
        contact = connector.find_contact_by_email(probe)
        if contact is not None and same_address(contact.email, email, strip_plus_tags):
            return contact
    return None


def match_contact(connector: Connector, email: str, name: str, company: str, matching: Any) -> MatchResult:
    """Find the CRM contact for a sender. `matching` is the validated settings section."""
    strip = matching.strip_plus_tags
    if email:
        contact = _by_address(connector, email, strip)
        if contact is not None:
            return MatchResult(contact, "email", 100.0)
        imitated = imitated_address(email, strip)
        if imitated is not None:
            contact = _by_address(connector, imitated, strip)
            if contact is not None:
                return MatchResult(contact, "lookalike", 0.0)
    if not name.strip() or not company.strip():
        return MatchResult(None, "none")
    from rapidfuzz import fuzz

    best: tuple[float, Contact | None] = (0.0, None)
    for candidate in connector.search_contacts(name, company):
        name_score = fuzz.token_sort_ratio(name.lower(), candidate.full_name.lower())
        company_score = fuzz.token_set_ratio(company.lower(), candidate.company.lower())
        score = min(name_score, company_score)
        if score > best[0]:
            best = (score, candidate)
    if best[1] is not None and best[0] >= matching.fuzzy_threshold:
        return MatchResult(best[1], "fuzzy", round(best[0], 1))
    return MatchResult(None, "none", round(best[0], 1))

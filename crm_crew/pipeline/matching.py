"""Contact matching: normalized email first, then fuzzy name + company."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_crew.connectors.base import Connector
from crm_crew.models import Contact


def normalize_email(email: str, strip_plus_tags: bool = True) -> str:
    email = email.strip().lower()
    local, sep, domain = email.partition("@")
    if strip_plus_tags and "+" in local:
        local = local.split("+", 1)[0]
    return f"{local}{sep}{domain}"


@dataclass
class MatchResult:
    contact: Contact | None
    how: str            # email | fuzzy | none
    score: float = 0.0


def match_contact(connector: Connector, email: str, name: str, company: str, matching: Any) -> MatchResult:
    """Find the CRM contact for a sender. `matching` is the validated settings section."""
    if email:
        contact = connector.find_contact_by_email(normalize_email(email, matching.strip_plus_tags))
        if contact is None and matching.strip_plus_tags:
            contact = connector.find_contact_by_email(email.strip().lower())
        if contact is not None:
            return MatchResult(contact, "email", 100.0)
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

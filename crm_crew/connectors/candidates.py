"""Fuzzy-match candidates, ranked the same way by every connector.

A connector asks its CRM for contacts sharing a name or company token with the query
(`search_probes` gives the 3-letter prefixes to ask for); `rank_candidates` keeps those
that really share a token and orders them by how many, then by id. Tokens match when
equal or, from 3 characters on, when one is a prefix of the other ("Sam" finds "Samuel").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from crm_crew.models import Contact

_TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> set[str]:
    return {t.casefold() for t in _TOKEN.findall(text) if len(t) >= 2}


def query_tokens(name: str, company: str) -> set[str]:
    return tokens(f"{name} {company}")


def search_probes(query: set[str]) -> list[str]:
    return sorted({t[:3] for t in query})


def _token_match(query: str, record: str) -> bool:
    if query == record:
        return True
    return min(len(query), len(record)) >= 3 and (query.startswith(record) or record.startswith(query))


def rank_candidates(query: set[str], contacts: Iterable[Contact], limit: int) -> list[Contact]:
    scored: list[tuple[int, str, Contact]] = []
    for contact in contacts:
        record = tokens(f"{contact.first_name} {contact.last_name} {contact.company}")
        shared = sum(1 for q in query if any(_token_match(q, r) for r in record))
        if shared:
            scored.append((-shared, contact.id, contact))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [contact for _, _, contact in scored[:limit]]

"""Personal-data redaction of text before any model sees it.

Every enabled kind proposes spans of the original text, each one checked by a maintained
validator where there is one (`phonenumbers` for international phone numbers, `python-stdnum`
for IBAN checksums, Luhn and SSN rules). Overlapping spans are settled before anything is
replaced, longest first, so a value becomes exactly one `[KIND]` token: never `+49 [PHONE]`
or `AT61-[CARD]`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from crm_crew.security.pii_finders import FINDERS

# The order kinds are reported in, and which kind wins a tie between spans of equal length.
KINDS: tuple[str, ...] = ("email", "iban", "card", "ssn", "phone")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


def find_pii(text: str, kinds: Iterable[str]) -> list[Span]:
    """Non-overlapping spans of personal data of the given kinds, in text order."""
    enabled = [kind for kind in KINDS if kind in set(kinds)]
    candidates = [Span(start, end, kind) for kind in enabled for start, end in FINDERS[kind](text)]
    candidates.sort(key=lambda s: (-(s.end - s.start), KINDS.index(s.kind), s.start))
    chosen: list[Span] = []       # kept in text order, never overlapping
    starts: list[int] = []
    for span in candidates:
        index = bisect.bisect_left(starts, span.start)
        if (index == 0 or chosen[index - 1].end <= span.start) and \
                (index == len(chosen) or span.end <= chosen[index].start):
            chosen.insert(index, span)
            starts.insert(index, span.start)
    return chosen


def redact(text: str, kinds: Iterable[str]) -> tuple[str, list[str]]:
    """Replace personal data of the given kinds with `[KIND]`; return the text and kinds found."""
    spans = find_pii(text, kinds)
    if not spans:
        return text, []
    return "".join(_pieces(text, spans)), [kind for kind in KINDS if any(s.kind == kind for s in spans)]


def _pieces(text: str, spans: list[Span], token: bool = True) -> Iterator[str]:
    """The text between the spans, with a `[KIND]` token for each span (or nothing)."""
    position = 0
    for span in spans:
        yield text[position:span.start]
        if token:
            yield f"[{span.kind.upper()}]"
        position = span.end
    yield text[position:]


def remove_pii(text: str) -> str:
    """`text` with every kind of personal data cut out and spaces collapsed: for names, which never hold any."""
    return " ".join("".join(_pieces(text, find_pii(text, KINDS), token=False)).split())


def find_phone(text: str) -> str:
    """The first plausible phone number in `text`, as written, or an empty string."""
    spans = find_pii(text, ["phone"])
    return text[spans[0].start:spans[0].end] if spans else ""


__all__ = ["KINDS", "Span", "find_phone", "find_pii", "redact", "remove_pii"]

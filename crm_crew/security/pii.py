"""Personal-data redaction of text before any model sees it."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b"),
    "card": re.compile(r"\b(?:\d[ -]?){12,18}\d\b"),
    "ssn": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    "phone": re.compile(r"(?<![\w/-])\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){2,5}(?![\w/])"),
}
# Order matters: the most specific kinds are replaced first.
_ORDER: tuple[str, ...] = ("email", "iban", "card", "ssn", "phone")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


_DATE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")


def _is_phone(candidate: str) -> bool:
    if _DATE.match(candidate.strip()):
        return False
    digits = re.sub(r"\D", "", candidate)
    return 7 <= len(digits) <= 15


def redact(text: str, kinds: Iterable[str]) -> tuple[str, list[str]]:
    """Replace personal data of the given kinds with `[KIND]`; return the text and kinds found."""
    found: list[str] = []
    enabled = set(kinds)
    for kind in _ORDER:
        if kind not in enabled:
            continue
        pattern = _PATTERNS[kind]
        hits = 0

        def _sub(match: re.Match[str], kind: str = kind) -> str:
            nonlocal hits
            value = match.group(0)
            if kind == "card" and (not _luhn_ok(re.sub(r"\D", "", value)) or match.string[match.start() - 1:match.start()] == "+"):
                return value  # not a card, or an international phone number
            if kind == "phone" and not _is_phone(value):
                return value
            hits += 1
            return f"[{kind.upper()}]"

        text = pattern.sub(_sub, text)
        if hits:
            found.append(kind)
    return text, found


def find_phone(text: str) -> str:
    """The first plausible phone number in `text`, as written, or an empty string."""
    for match in _PATTERNS["phone"].finditer(text):
        if _is_phone(match.group(0)):
            return match.group(0).strip()
    return ""

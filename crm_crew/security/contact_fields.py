"""Text from a message that may become a CRM field must look like what the field holds.

A display name or signature line is attacker-controlled: it must read as a person's name, a job
title or a company name (allowed characters, bounded length and word count, no URL, address, markup,
line break or long number) or it is dropped. A problem names the rule broken, never the value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_NAME_CHARS = 80
MAX_NAME_WORDS = 6
MAX_NAME_WORD_CHARS = 30
MAX_TITLE_CHARS = 80
MAX_TITLE_WORDS = 10
MAX_COMPANY_CHARS = 80
MAX_COMPANY_WORDS = 8

_URL = re.compile(r"://|\bwww\.|\b[a-z0-9-]+\.(?:com|net|org|io|biz|info|ru|cn|xyz|top|co|app|dev|me)\b", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d[\d\s./()-]{4,}\d")
_MARKUP = re.compile(r"[<>\[\]{}|\\`*_#=~^$]")
_NAME_PUNCTUATION = frozenset(" -'.,")
_TITLE_PUNCTUATION = frozenset(" -'.,&/()+")
_COMPANY_PUNCTUATION = frozenset(" -'.,&/()+!:")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "‐": "-", "‑": "-", "–": "-"})


@dataclass(frozen=True)
class Checked:
    value: str                  # the cleaned value; "" when dropped
    problem: str | None = None  # why it was dropped


def _clean(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).translate(_APOSTROPHES)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(text.split()).strip(" \"'")


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def _mixes_scripts(word: str) -> bool:
    """A word with Latin next to Cyrillic or Greek letters: a look-alike, not a name."""
    scripts = {_script(c) for c in word if c.isalpha()}
    return "LATIN" in scripts and bool(scripts & {"CYRILLIC", "GREEK"})


def _common_problem(raw: str, value: str, max_chars: int, max_words: int) -> str | None:
    if any(c in raw for c in "\r\n\u2028\u2029\x0b\x0c"):
        return "contains a line break"
    if not value:
        return "is empty"
    if len(value) > max_chars:
        return f"is longer than {max_chars} characters"
    if len(value.split()) > max_words:
        return f"has more than {max_words} words"
    if "@" in value:
        return "contains an email address"
    if _URL.search(value):
        return "contains a web address"
    if _MARKUP.search(value):
        return "contains markup or symbols"
    if _LONG_NUMBER.search(value):
        return "contains a long number"
    if not any(c.isalpha() for c in value):
        return "has no letters"
    if any(_mixes_scripts(w) for w in value.split()):
        return "mixes Latin with Cyrillic or Greek look-alike letters"
    return None


def _only(value: str, punctuation: frozenset[str], digits: bool) -> bool:
    for c in value:
        if c.isalpha() or c in punctuation or unicodedata.category(c).startswith("M"):
            continue
        if digits and c.isdigit():
            continue
        return False
    return True


def person_name(raw: str) -> Checked:
    """A person's name: letters, spaces, hyphens, apostrophes, periods (and one comma: "Doe, Jane")."""
    value = _clean(raw)
    problem = _common_problem(raw, value, MAX_NAME_CHARS, MAX_NAME_WORDS)
    if problem is None and any(c.isdigit() for c in value):
        problem = "contains digits"
    if problem is None and (not _only(value, _NAME_PUNCTUATION, digits=False) or value.count(",") > 1):
        problem = "contains characters a name does not have"
    if problem is None and any(len(w) > MAX_NAME_WORD_CHARS for w in value.split()):
        problem = f"has a word longer than {MAX_NAME_WORD_CHARS} characters"
    if problem is None and any(not any(c.isalpha() for c in w) for w in value.replace(",", " ").split()):
        problem = "has a word without letters"
    return Checked("", f"not a person's name: {problem}") if problem else Checked(value)


def job_title(raw: str) -> Checked:
    value = _clean(raw)
    problem = _common_problem(raw, value, MAX_TITLE_CHARS, MAX_TITLE_WORDS)
    if problem is None and not _only(value, _TITLE_PUNCTUATION, digits=True):
        problem = "contains characters a job title does not have"
    return Checked("", f"not a job title: {problem}") if problem else Checked(value)


def company_name(raw: str) -> Checked:
    value = _clean(raw)
    problem = _common_problem(raw, value, MAX_COMPANY_CHARS, MAX_COMPANY_WORDS)
    if problem is None and not _only(value, _COMPANY_PUNCTUATION, digits=True):
        problem = "contains characters a company name does not have"
    return Checked("", f"not a company name: {problem}") if problem else Checked(value)

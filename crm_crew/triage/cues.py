"""Cue phrases from the YAML: words, `*` for any ending ('cancel*' matches 'cancelling'), per language.

Between two words, `..` stands for up to two other words ('close .. account' matches 'close my Pro
account'). A cue list is either a plain list (every language) or a mapping from language code to list, where the key
`any` holds cues for every language. Cues are folded like the text (lowercase, no accents).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from crm_crew.triage.text import Tokens, fold, split_elision

CueList = Sequence[str] | Mapping[str, Sequence[str]]
ANY = "any"
GAP = ".."
_GAP_PATTERN = r"(?:[a-z0-9']+ ){0,2}"


def cues_for(spec: CueList | None, language: str) -> tuple[str, ...]:
    if not spec:
        return ()
    if isinstance(spec, Mapping):
        return tuple(spec.get(ANY, ())) + tuple(spec.get(language, ()))
    return tuple(spec)


def cue_words(cue: str) -> list[str]:
    """A cue's words as the text's tokens come out: folded, hyphens split ('opt-out' = 'opt out')."""
    return [part for word in fold(cue).replace("-", " ").split() for part in split_elision(word)]


def cue_problem(cue: str) -> str | None:
    """Why a cue can never match, or None."""
    words = cue_words(cue)
    if not words:
        return "empty cue"
    if words[0] == GAP or words[-1] == GAP:
        return f"'{GAP}' stands between two words, not at an end"
    for word in words:
        if word == GAP:
            continue
        stem = word[:-1] if word.endswith("*") else word
        if not re.fullmatch(r"[a-z0-9]+(?:'[a-z]*)?", stem):
            return f"'{word}' is not a word (letters, digits, an apostrophe, and '*' at the end only)"
        if word.endswith("*") and len(stem) < 3:
            return f"'{word}': a wildcard needs at least 3 letters before '*'"
    return None


def _word_pattern(word: str) -> str:
    if word.endswith("*"):
        return re.escape(word[:-1]) + r"[a-z0-9']*"
    return re.escape(word)


def _phrase_pattern(cue: str) -> str:
    parts: list[str] = []
    for word in cue_words(cue):
        parts.append(_GAP_PATTERN if word == GAP else _word_pattern(word) + " ")
    return "".join(parts)[:-1]           # the last word's trailing space


@lru_cache(maxsize=1024)
def compile_cues(cues: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation over the cues, matched against words joined by single spaces."""
    alternatives = sorted({_phrase_pattern(c) for c in cues if cue_problem(c) is None},
                          key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"(?<![a-z0-9'])(?:" + "|".join(alternatives) + r")(?![a-z0-9'])")


@dataclass(frozen=True)
class CueHit:
    text: str
    negated: bool


def find_cues(toks: Tokens, cues: tuple[str, ...]) -> list[CueHit]:
    """Distinct matched phrases, each marked negated when a negator stands just before it."""
    pattern = compile_cues(cues)
    if pattern is None or not toks.words:
        return []
    joined, starts = _joined(toks.words)
    hits: dict[str, CueHit] = {}
    for match in pattern.finditer(joined):
        index = _token_index(starts, match.start())
        hit = CueHit(match.group(0), toks.negated[index])
        previous = hits.get(hit.text)
        if previous is None or (previous.negated and not hit.negated):
            hits[hit.text] = hit
    return list(hits.values())


@lru_cache(maxsize=4096)
def _joined(words: tuple[str, ...]) -> tuple[str, tuple[int, ...]]:
    starts, offset = [], 0
    for word in words:
        starts.append(offset)
        offset += len(word) + 1
    return " ".join(words), tuple(starts)


def _token_index(starts: tuple[int, ...], char: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, char) - 1

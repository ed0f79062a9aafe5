"""Text as the triage rules see it: folded, tokenized, with negation marked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Typographic apostrophes become one; ordinal indicators go ("nº" is "number", not the negation "no").
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u00ba": "", "\u00aa": ""})
# Words after which a cue within NEGATION_WINDOW tokens is negated ("no need to cancel", "not urgent").
NEGATORS = frozenset({
    "not", "no", "never", "don't", "dont", "doesn't", "didn't", "won't", "isn't", "without", "nor",  # en
    "nicht", "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne",                      # de
    "nunca", "sin", "tampoco",                                                                    # es (+ no)
    "pas", "jamais", "sans", "aucun", "aucune", "ne", "n'",                                       # fr
    "nao", "nem", "sem", "nenhum", "nenhuma",                                                     # pt
})
NEGATION_WINDOW = 3


def fold(text: str) -> str:
    """Lowercase, compatibility-normalized, accents removed: 'Kündigung' -> 'kundigung'."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Tokens:
    words: tuple[str, ...]
    negated: tuple[bool, ...]        # words[i] follows a negator within the window

    def __len__(self) -> int:
        return len(self.words)


@lru_cache(maxsize=4096)
def tokens(text: str) -> Tokens:
    words = tuple(_split_elisions(_TOKEN.findall(fold(text))))
    negated: list[bool] = []
    last_negator = -NEGATION_WINDOW - 1
    for i, word in enumerate(words):
        negated.append(i - last_negator <= NEGATION_WINDOW)
        if word in NEGATORS:
            last_negator = i
    return Tokens(words, tuple(negated))


def _split_elisions(words: list[str]) -> list[str]:
    return [part for word in words for part in split_elision(word)]


def split_elision(word: str) -> list[str]:
    """French elisions keep their parts apart: "l'annulation" -> "l'", "annulation" (cues are split alike)."""
    head, sep, tail = word.partition("'")
    if sep and tail and len(head) <= 2 and head not in ("don", "can", "isn", "doesn", "won", "didn"):
        return [head + "'", tail]
    return [word]

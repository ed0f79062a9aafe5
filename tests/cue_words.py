"""The shipped config's intent cue words, matched the way its comments describe them, for tests that check
sample text does not lean on them (the synthetic inbox, the labelled set). Independent of the triage code, so
those tests do not move when the classifier does."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import yaml

from crm_crew.config.shipped import default_config_dir


def fold(text: str) -> str:
    """Lower case, accents off, words joined by single spaces: 'Kündigung!' -> 'kundigung'."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'").casefold())
    return " ".join(re.findall(r"[a-z0-9']+", "".join(ch for ch in text if not unicodedata.combining(ch))))


def cue_regex(cues: Iterable[str]) -> re.Pattern[str] | None:
    """The config's cue syntax: `word*` any ending, `..` up to two words between."""
    parts = []
    for cue in cues:
        words = []
        for word in cue.split():
            if word == "..":
                words.append(r"(?:[a-z0-9']+ ){0,2}")
            else:
                words.append(re.escape(fold(word.rstrip("*"))) + (r"[a-z0-9']*" if word.endswith("*") else "") + " ")
        parts.append("".join(words)[:-1])
    return re.compile(r"(?<![a-z0-9'])(?:" + "|".join(parts) + r")(?![a-z0-9'])") if parts else None


@lru_cache(maxsize=1)
def _shipped_intents() -> dict[str, Any]:
    return dict(yaml.safe_load((default_config_dir() / "crm-crew.yaml").read_text(encoding="utf-8"))["intents"])


@lru_cache(maxsize=None)
def intent_cues(intent: str, language: str) -> re.Pattern[str] | None:
    """The intent's `keywords` for that language (plus `any`), or None when it has none."""
    spec = (_shipped_intents().get(intent) or {}).get("keywords") or []
    cues = [*spec.get("any", []), *spec.get(language, [])] if isinstance(spec, dict) else list(spec)
    return cue_regex(cues)


def says_own_cue(text: str, intent: str, language: str) -> bool:
    pattern = intent_cues(intent, language)
    return bool(pattern and pattern.search(fold(text)))

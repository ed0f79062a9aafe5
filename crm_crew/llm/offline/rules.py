"""Keyword rules of the offline model, all read from crm-crew.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=512)
def _pattern(keyword: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(keyword.lower()) + r"(?!\w)")


def count_hits(text: str, keywords: list[str]) -> int:
    lowered = text.lower()
    return sum(1 for k in keywords if _pattern(k).search(lowered))


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    confidence: float
    hits: dict[str, int]


def classify_intent(text: str, settings: Any) -> IntentGuess:
    """The intent with the most keyword hits (ties: the first listed); confidence from the margin."""
    hits = {name: count_hits(text, intent.keywords) for name, intent in settings.intents.items()}
    ranked = sorted(hits.items(), key=lambda kv: -kv[1])  # stable: ties keep taxonomy order
    (best, top), runner_up = ranked[0], (ranked[1][1] if len(ranked) > 1 else 0)
    if top == 0:
        return IntentGuess("other", 0.35, hits)
    if top >= 2 and top > runner_up:
        confidence = 0.9
    elif top > runner_up:
        confidence = 0.75
    else:
        confidence = 0.55
    return IntentGuess(best, confidence, hits)


def classify_urgency(text: str, settings: Any) -> str:
    """The highest level with a keyword hit; otherwise the lowest level."""
    levels = list(settings.urgency.levels)
    for level in reversed(levels):
        if count_hits(text, settings.urgency.keywords.get(level, [])):
            return level
    return levels[0]


def requested_task_kinds(text: str, settings: Any) -> list[str]:
    return [kind for kind, words in settings.actions.task_triggers.items() if count_hits(text, words)]

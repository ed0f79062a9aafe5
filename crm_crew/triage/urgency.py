"""Urgency from what the message says: situations (outage, data loss, deadline) over single words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_crew.triage.cues import cues_for, find_cues
from crm_crew.triage.text import tokens


@dataclass(frozen=True)
class UrgencyGuess:
    level: str
    cues: tuple[str, ...] = ()


def _hits(text: str, spec: Any, language: str) -> list[str]:
    return [h.text for h in find_cues(tokens(text), cues_for(spec, language)) if not h.negated]


def classify_urgency(subject: str, body: str, settings: Any, language: str) -> UrgencyGuess:
    """See `urgency:` in crm-crew.yaml: critical cues win; then high cues against low cues; emphasis in the
    body raises the level by one (to the highest non-top level at most); no cue gives the default."""
    u = settings.urgency
    levels = list(u.levels)
    text = f"{subject}\n{body}"
    by_level = {level: _hits(text, u.keywords.get(level), language) for level in levels}
    top, second = levels[-1], levels[-2] if len(levels) > 1 else levels[-1]
    if by_level.get(top):
        return UrgencyGuess(top, tuple(by_level[top]))
    high, low = by_level.get(second, []), by_level.get(levels[0], [])
    middle = [hit for level in levels[1:-2] for hit in by_level.get(level, [])]
    if len(high) > len(low):
        level = second
    elif low and len(low) > len(high):
        level = levels[0]
    elif high or middle:
        level = levels[1] if len(levels) > 2 else levels[0]
    else:
        level = u.default
    cues = tuple(high + low + middle)
    emphasis = _hits(body, u.emphasis, language)
    if emphasis:
        rank = min(levels.index(level) + 1, levels.index(second))
        level = levels[max(rank, levels.index(level))]
        cues += tuple(emphasis)
    return UrgencyGuess(level, cues)

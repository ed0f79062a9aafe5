"""Whether a message itself says what an irreversible-in-effect change needs it to say.

An opt-out stops every mail to a customer; it should follow words of theirs ("unsubscribe", "take me off
your list", "keine Newsletter mehr"), not a likeness to examples or a model's guess alone. The cue lists
are the `unsubscribe` intent's own (`keywords` and `weak_keywords` in crm-crew.yaml, per language).
"""

from __future__ import annotations

from typing import Any

from crm_crew.triage.cues import cues_for, find_cues
from crm_crew.triage.text import tokens

UNSUBSCRIBE_INTENT = "unsubscribe"


def says_unsubscribe(text: str, settings: Any, language: str) -> bool:
    """True when the text holds an unnegated cue of the unsubscribe intent (or the taxonomy has none)."""
    spec = settings.intents.get(UNSUBSCRIBE_INTENT)
    if spec is None:
        return True
    cues = cues_for(spec.keywords, language) + cues_for(spec.weak_keywords, language)
    if language != "en":      # mail in another language often keeps the English word ("unsubscribe")
        cues += cues_for(spec.keywords, "en")
    return any(not (spec.negatable and hit.negated) for hit in find_cues(tokens(text), cues))

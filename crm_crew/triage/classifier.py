"""Intent from cue phrases and nearest examples, both read from the YAML; confidence calibrated.

Each intent scores its cue hits (a keyword 1, a weak keyword `weak_weight`; negated hits do not count for
intents marked `negatable`) plus `example_weight` times the best cosine to its examples. The highest score
wins; `other` only when no intent has `min_evidence`. (Follow-up tasks come from `actions.task_triggers`
whatever the main intent, so a billing message that asks for a call still raises the call task.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from crm_crew.triage.calibration import calibrated_confidence
from crm_crew.triage.cues import cues_for, find_cues
from crm_crew.triage.language import detect_language
from crm_crew.triage.prototypes import ExampleIndex
from crm_crew.triage.text import tokens

FALLBACK_INTENT = "other"


@dataclass(frozen=True)
class IntentScore:
    intent: str
    score: float
    keywords: tuple[str, ...] = ()
    example_similarity: float = 0.0


@dataclass(frozen=True)
class IntentGuess:
    intent: str
    confidence: float
    language: str
    ranked: tuple[IntentScore, ...] = ()

    @property
    def rationale(self) -> str:
        if not self.ranked or self.ranked[0].score <= 0:
            return "nothing in the message fits a taxonomy intent"
        top = self.ranked[0]
        parts = [f"{top.intent} {top.score:.2f}"]
        if top.keywords:
            parts.append("cues: " + ", ".join(top.keywords[:4]))
        if top.example_similarity:
            parts.append(f"closest example {top.example_similarity:.2f}")
        if len(self.ranked) > 1 and self.ranked[1].score > 0:
            parts.append(f"runner-up {self.ranked[1].intent} {self.ranked[1].score:.2f}")
        return "; ".join(parts)


_indexes: dict[int, tuple[Any, ExampleIndex]] = {}     # id(settings.intents) -> (that dict, its index)
_indexes_lock = threading.Lock()


def _example_index(settings: Any) -> ExampleIndex:
    intents = settings.intents
    with _indexes_lock:
        cached = _indexes.get(id(intents))
        if cached is None or cached[0] is not intents:
            if len(_indexes) > 16:
                _indexes.clear()
            cached = (intents, ExampleIndex({name: spec.examples for name, spec in intents.items()}))
            _indexes[id(intents)] = cached
        return cached[1]


def _evidence(strong: int, weak: int, weak_weight: float) -> float:
    """Diminishing returns: the k-th cue adds 1/k, so a pile of loosely related words does not outvote a
    few that name the topic."""
    weights = sorted([1.0] * strong + [weak_weight] * weak, reverse=True)
    return sum(w / k for k, w in enumerate(weights, start=1))


def classify_intent(text: str, settings: Any, language: str | None = None, subject: str = "") -> IntentGuess:
    """`text` is the whole message (subject included); cues found in `subject` count once more."""
    language = language or detect_language(text)
    tuning = settings.triage
    toks = tokens(text)
    subject_toks = tokens(subject)
    similarity = _example_index(settings).similarity(text, language)
    ranked: list[IntentScore] = []
    for order, (name, spec) in enumerate(settings.intents.items()):
        if name == FALLBACK_INTENT:
            continue
        found = find_cues(toks, cues_for(spec.keywords, language))
        strong = [h for h in found if not (spec.negatable and h.negated)]
        denied = bool(found) and not strong      # every cue of a negatable intent negated: "no need to cancel"
        strong_texts = {h.text for h in strong}
        weak = [h for h in find_cues(toks, cues_for(spec.weak_keywords, language))
                if h.text not in strong_texts and not (spec.negatable and h.negated)]
        in_subject = {h.text for h in find_cues(subject_toks, cues_for(spec.keywords, language))} if subject else set()
        sim = 0.0 if denied else similarity.get(name, 0.0)
        score = _evidence(len(strong) + len(in_subject), len(weak), tuning.weak_weight) + tuning.example_weight * sim
        ranked.append(IntentScore(name, round(score, 4), tuple(h.text for h in strong + weak), round(sim, 3)))
    ranked.sort(key=lambda s: (-s.score, -s.example_similarity))
    if not ranked or ranked[0].score < tuning.min_evidence:
        return IntentGuess(FALLBACK_INTENT, calibrated_confidence(0.0, 0.0, False, tuning), language, tuple(ranked))
    top, runner_up = ranked[0], (ranked[1].score if len(ranked) > 1 else 0.0)
    confidence = calibrated_confidence(top.score, top.score - runner_up, bool(top.keywords), tuning)
    return IntentGuess(top.intent, confidence, language, tuple(ranked))

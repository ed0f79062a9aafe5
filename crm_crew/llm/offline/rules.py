"""The offline model's judgement of one message: the triage rules read from crm-crew.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_crew.triage.classifier import IntentGuess, classify_intent
from crm_crew.triage.cues import cues_for, find_cues
from crm_crew.triage.language import detect_language
from crm_crew.triage.text import tokens
from crm_crew.triage.urgency import classify_urgency


@dataclass(frozen=True)
class Judgement:
    language: str
    intent: IntentGuess
    urgency: str
    task_kinds: list[str]

    @property
    def rationale(self) -> str:
        return self.intent.rationale


def judge(subject: str, body: str, settings: Any, language: str | None = None) -> Judgement:
    """`language`: the one the pipeline detected (it travels in the case file), else detected here."""
    text = f"{subject}\n{body}"
    language = language or detect_language(text)
    guess = classify_intent(text, settings, language, subject)
    urgency = classify_urgency(subject, body, settings, language).level
    return Judgement(language, guess, urgency, requested_task_kinds(text, settings, language))


def requested_task_kinds(text: str, settings: Any, language: str | None = None) -> list[str]:
    language = language or detect_language(text)
    toks = tokens(text)
    return [kind for kind, spec in settings.actions.task_triggers.items()
            if any(not h.negated for h in find_cues(toks, cues_for(spec, language)))]

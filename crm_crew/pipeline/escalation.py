"""Escalation rules from crm-crew.yaml, evaluated in code after the crew has worked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Facts:
    intent: str
    urgency: str
    sentiment: str
    tier: str
    flags: tuple[str, ...]
    confidence: float


def escalation_reason(facts: Facts, escalation: Any) -> str | None:
    """The reason of the first rule whose conditions all hold, or None."""
    low_confidence = facts.confidence < escalation.confidence_threshold
    for rule in escalation.rules:
        when = rule.when
        checks = [
            when.urgency is None or facts.urgency in when.urgency,
            when.intent is None or facts.intent in when.intent,
            when.sentiment is None or facts.sentiment in when.sentiment,
            when.tier is None or facts.tier in when.tier,
            when.flags is None or any(f in facts.flags for f in when.flags),
            when.low_confidence is None or when.low_confidence == low_confidence,
        ]
        if all(checks):
            return rule.reason
    return None

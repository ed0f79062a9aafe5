"""Escalation rules (crm_crew.pipeline.escalation) on the shipped settings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crm_crew.config.models import EscalationRule, EscalationSettings, EscalationWhen
from crm_crew.pipeline.escalation import Facts, escalation_reason
from tests.unit_fixtures import shipped_settings

ESC = shipped_settings().escalation
CALM = Facts(intent="support", urgency="medium", sentiment="neutral", tier="standard", flags=(), confidence=0.9)


def test_nothing_to_escalate() -> None:
    assert escalation_reason(CALM, ESC) is None


@pytest.mark.parametrize(("change", "reason"), [
    ({"urgency": "critical"}, "Urgency is critical."),
    ({"tier": "enterprise", "sentiment": "negative"}, "Enterprise-tier contact with negative sentiment."),
    ({"flags": ("prompt_injection",)}, "The security screen flagged a prompt-injection attempt."),
    ({"flags": ("legal_action",)}, "The message mentions legal action."),
    ({"flags": ("personal_data_request",)}, "The message asks for access to or erasure of personal data."),
    ({"confidence": 0.35}, "The crew's confidence is below the configured threshold."),
])
def test_each_shipped_rule(change: dict, reason: str) -> None:
    assert escalation_reason(replace(CALM, **change), ESC) == reason


@pytest.mark.parametrize("change", [
    {"tier": "enterprise", "sentiment": "neutral"},
    {"tier": "premium", "sentiment": "negative"},
    {"urgency": "high"},
    {"flags": ("something_else",)},
    {"confidence": 0.6},   # at the threshold is not below it
])
def test_near_misses_do_not_escalate(change: dict) -> None:
    assert escalation_reason(replace(CALM, **change), ESC) is None


def test_the_first_matching_rule_wins() -> None:
    facts = replace(CALM, urgency="critical", flags=("legal_action", "prompt_injection"), confidence=0.1)
    assert escalation_reason(facts, ESC) == "Urgency is critical."
    facts = replace(CALM, flags=("legal_action", "prompt_injection"), confidence=0.1)
    assert escalation_reason(facts, ESC) == "The security screen flagged a prompt-injection attempt."


def test_all_conditions_of_a_rule_must_hold() -> None:
    rule = EscalationRule(name="angry_enterprise_complaint", reason="r",
                          when=EscalationWhen(intent=["complaint"], tier=["enterprise"], sentiment=["negative"]))
    settings = EscalationSettings(confidence_threshold=0.5, rules=[rule])
    facts = replace(CALM, intent="complaint", tier="enterprise", sentiment="negative")
    assert escalation_reason(facts, settings) == "r"
    assert escalation_reason(replace(facts, intent="billing"), settings) is None


def test_low_confidence_false_matches_confident_crews_only() -> None:
    settings = EscalationSettings(confidence_threshold=0.8,
                                  rules=[EscalationRule(name="sure", reason="confident",
                                                        when=EscalationWhen(low_confidence=False))])
    assert escalation_reason(replace(CALM, confidence=0.8), settings) == "confident"
    assert escalation_reason(replace(CALM, confidence=0.79), settings) is None


def test_no_rules_never_escalates() -> None:
    assert escalation_reason(replace(CALM, urgency="critical", confidence=0.0),
                             EscalationSettings(rules=[])) is None

"""Pydantic models of the three config files: shapes and types only.

Cross-references (tools, agents, intents, urgency levels, placeholders) are checked in
`crm_crew.config.checks`, which knows where each value sits in its file.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ROLES: tuple[str, ...] = ("coordinator", "security", "data", "communication", "action", "analytics")
MANAGER_ROLE = "coordinator"
ACTION_TYPES: tuple[str, ...] = (
    "create_contact",
    "update_contact",
    "log_activity",
    "create_case",
    "create_task",
    "update_lead_status",
    "opt_out",
)
ActionType = Literal[
    "create_contact",
    "update_contact",
    "log_activity",
    "create_case",
    "create_task",
    "update_lead_status",
    "opt_out",
]
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")
Sentiment = Literal["positive", "neutral", "negative"]
REDACT_KINDS: tuple[str, ...] = ("email", "phone", "card", "iban", "ssn")
RedactKind = Literal["email", "phone", "card", "iban", "ssn"]
Scope = Literal["interaction", "run"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AgentConfig(_Strict):
    role: str
    goal: str
    backstory: str
    llm: str
    tools: list[str] = Field(default_factory=list)
    allow_delegation: bool = False
    max_iter: int = Field(10, ge=1)
    max_rpm: int | None = Field(None, ge=1)
    max_execution_time: int | None = Field(None, ge=1)
    verbose: bool = False
    max_retry_limit: int = Field(2, ge=0)
    respect_context_window: bool = True


class TaskConfig(_Strict):
    description: str
    expected_output: str
    agent: str
    context: list[str] = Field(default_factory=list)
    scope: Scope = "interaction"


# --- crm-crew.yaml -----------------------------------------------------------------------


class CrmSettings(_Strict):
    type: str = "local"
    options: dict[str, Any] = Field(default_factory=dict)


class StateSettings(_Strict):
    home: str = ".crm-crew"


class AnthropicSettings(_Strict):
    api_key_env: str = "ANTHROPIC_API_KEY"
    base_url: str | None = None
    timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(2, ge=0)


class LlmSettings(_Strict):
    anthropic: AnthropicSettings = Field(default_factory=AnthropicSettings)


class RunnerSettings(_Strict):
    concurrency: int = Field(1, ge=1)


class LimitsSettings(_Strict):
    max_body_chars: int = Field(100_000, ge=1)
    max_subject_chars: int = Field(2_000, ge=1)
    model_text_chars: int = Field(4_000, ge=1)
    max_file_bytes: int = Field(104_857_600, ge=1)


class MatchingSettings(_Strict):
    fuzzy_threshold: float = Field(88, ge=0, le=100)
    strip_plus_tags: bool = True
    free_mail_domains: list[str] = Field(default_factory=list)
    non_human_senders: list[str] = Field(default_factory=list)


class IntentConfig(_Strict):
    description: str
    keywords: list[str] = Field(default_factory=list)


def _default_intents() -> dict[str, IntentConfig]:
    return {"other": IntentConfig(description="Anything else.")}


class UrgencySettings(_Strict):
    levels: list[str] = Field(default_factory=lambda: ["low", "medium", "high", "critical"], min_length=1)
    keywords: dict[str, list[str]] = Field(default_factory=dict)


class EscalationWhen(_Strict):
    urgency: list[str] | None = None
    tier: list[str] | None = None
    sentiment: list[Sentiment] | None = None
    intent: list[str] | None = None
    flags: list[str] | None = None
    low_confidence: bool | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in type(self).model_fields)


class EscalationRule(_Strict):
    name: str
    reason: str
    when: EscalationWhen


def _default_rules() -> list[EscalationRule]:
    def rule(name: str, reason: str, **when: Any) -> EscalationRule:
        return EscalationRule(name=name, reason=reason, when=EscalationWhen(**when))

    return [
        rule("critical_urgency", "Urgency is critical.", urgency=["critical"]),
        rule("prompt_injection", "The security screen flagged a prompt-injection attempt.", flags=["prompt_injection"]),
        rule("legal_action", "The message mentions legal action.", flags=["legal_action"]),
        rule("personal_data_request", "The message asks for access to or erasure of personal data.",
             flags=["personal_data_request"]),
        rule("low_confidence", "The crew's confidence is below the configured threshold.", low_confidence=True),
    ]


class EscalationSettings(_Strict):
    confidence_threshold: float = Field(0.5, ge=0, le=1)
    rules: list[EscalationRule] = Field(default_factory=_default_rules)


def _default_permissions() -> dict[str, list[ActionType]]:
    return {"action": ["create_contact", "log_activity", "create_case", "create_task", "update_lead_status", "opt_out"]}


class ActionsSettings(_Strict):
    case_priority: dict[str, str] = Field(
        default_factory=lambda: {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}
    )
    case_intents: list[str] = Field(default_factory=list)
    case_urgencies: list[str] = Field(default_factory=lambda: ["high", "critical"])
    task_due_days: int = Field(2, ge=0)
    task_triggers: dict[str, list[str]] = Field(default_factory=dict)
    lead_status: dict[str, str] = Field(default_factory=dict)


DEFAULT_INJECTION_PATTERNS: tuple[str, ...] = (
    r"ignore (all |any |the )?(previous|prior|above) (instructions|prompts)",
    r"disregard (all |any |your )?(previous |prior )?(instructions|rules)",
    r"you are now",
    r"system prompt",
    r"act as (an? )?(admin|administrator|system|developer)",
    r"(delete|remove|erase|wipe) (all|every) (the )?(records|contacts|accounts|customers)",
    r"(change|reassign|transfer) (the )?(owner|ownership)",
)


class SecuritySettings(_Strict):
    injection_patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_INJECTION_PATTERNS))
    flag_patterns: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "legal_action": ["lawyer", "attorney", "lawsuit", "legal action", "sue you", "court", "solicitor"],
            "personal_data_request": ["gdpr", "right to be forgotten", "erase my data", "delete my data",
                                      "personal data", "data subject access", "dsar", "ccpa"],
        }
    )
    redact: list[RedactKind] = Field(default_factory=lambda: list(REDACT_KINDS))


class Settings(_Strict):
    """crm-crew.yaml. Every section is optional; an empty file gives working defaults."""

    crm: CrmSettings = Field(default_factory=CrmSettings)
    state: StateSettings = Field(default_factory=StateSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    intents: dict[str, IntentConfig] = Field(default_factory=_default_intents)
    urgency: UrgencySettings = Field(default_factory=UrgencySettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    permissions: dict[str, list[ActionType]] = Field(default_factory=_default_permissions)
    actions: ActionsSettings = Field(default_factory=ActionsSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

"""Pydantic models of the three config files: shapes and types only.

Cross-references (tools, agents, intents, urgency levels, placeholders) are checked in
`crm_crew.config.checks`, which knows where each value sits in its file.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from crm_crew.config.mail_models import MailSettings, RepliesSettings, _Strict
from crm_crew.config.shipped import shipped

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
    "send_reply",
)
ActionType = Literal[
    "create_contact",
    "update_contact",
    "log_activity",
    "create_case",
    "create_task",
    "update_lead_status",
    "opt_out",
    "send_reply",
]
SENTIMENTS: tuple[str, ...] = ("positive", "neutral", "negative")
Sentiment = Literal["positive", "neutral", "negative"]
REDACT_KINDS: tuple[str, ...] = ("email", "phone", "card", "iban", "ssn")
RedactKind = Literal["email", "phone", "card", "iban", "ssn"]
Scope = Literal["interaction", "run"]


class McpServerConfig(_Strict):
    """An MCP server whose allow-listed tools an agent may read from (agents.yaml `mcps:`)."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    command: list[str] | None = Field(None, min_length=1)   # stdio: the command that starts the server
    url: str | None = Field(None, pattern=r"^https?://")     # streamable HTTP: http(s)://host:port/mcp
    token_env: str | None = Field(None, min_length=1)        # HTTP: the NAME of the variable holding a bearer token
    tools: list[str] = Field(min_length=1)                   # the allow-list: only these reach the agent
    timeout_s: float = Field(20, gt=0, le=300)

    @model_validator(mode="after")
    def _one_transport(self) -> "McpServerConfig":
        if (self.command is None) == (self.url is None):
            raise PydanticCustomError("mcp_transport", "give either `command` (stdio) or `url` (HTTP), not both")
        if self.token_env is not None and self.url is None:
            raise PydanticCustomError("mcp_token", "`token_env` goes with `url` (a stdio server gets no token)")
        return self


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
    mcps: list[McpServerConfig] = Field(default_factory=list)


class TaskConfig(_Strict):
    description: str
    expected_output: str
    agent: str | None = None          # None: the coordinator chooses whom to delegate to (interaction tasks)
    context: list[str] = Field(default_factory=list)
    scope: Scope = "interaction"


# --- crm-crew.yaml -----------------------------------------------------------------------


class CrmRetrySettings(_Strict):
    max_attempts: int = Field(default_factory=shipped("crm", "retry", "max_attempts"), ge=1)
    base_delay_s: float = Field(default_factory=shipped("crm", "retry", "base_delay_s"), ge=0)
    max_delay_s: float = Field(default_factory=shipped("crm", "retry", "max_delay_s"), ge=0)


class CrmRateLimit(_Strict):
    requests: int | None = Field(default_factory=shipped("crm", "rate_limit", "requests"), ge=1)
    window_s: float = Field(default_factory=shipped("crm", "rate_limit", "window_s"), gt=0)


class CrmSettings(_Strict):
    type: str = Field(default_factory=shipped("crm", "type"))
    options: dict[str, Any] = Field(default_factory=shipped("crm", "options"))
    timeout_s: float = Field(default_factory=shipped("crm", "timeout_s"), gt=0)
    retry: CrmRetrySettings = Field(default_factory=CrmRetrySettings)
    rate_limit: CrmRateLimit = Field(default_factory=CrmRateLimit)

    @model_validator(mode="before")
    @classmethod
    def _options_follow_the_type(cls, data: Any) -> Any:
        """The shipped options belong to the shipped type: another type without options gets none."""
        if isinstance(data, dict) and "options" not in data and data.get("type", shipped("crm", "type")()) \
                != shipped("crm", "type")():
            return {**data, "options": {}}
        return data


class StateSettings(_Strict):
    home: str = Field(default_factory=shipped("state", "home"))


class StoreSettings(_Strict):
    url: str | None = Field(default_factory=shipped("store", "url"))


class AuditSettings(_Strict):
    key_env: str = Field(default_factory=shipped("audit", "key_env"), min_length=1)


class AnthropicSettings(_Strict):
    api_key_env: str = Field(default_factory=shipped("llm", "anthropic", "api_key_env"))
    base_url: str | None = Field(default_factory=shipped("llm", "anthropic", "base_url"))
    timeout_s: float = Field(default_factory=shipped("llm", "anthropic", "timeout_s"), gt=0)
    max_retries: int = Field(default_factory=shipped("llm", "anthropic", "max_retries"), ge=0)
    base_delay_s: float = Field(default_factory=shipped("llm", "anthropic", "base_delay_s"), ge=0)
    max_delay_s: float = Field(default_factory=shipped("llm", "anthropic", "max_delay_s"), ge=0)


class RateLimitSettings(_Strict):
    requests_per_minute: int = Field(default_factory=shipped("llm", "rate_limits", "requests_per_minute"), ge=1)
    input_tokens_per_minute: int = Field(default_factory=shipped("llm", "rate_limits", "input_tokens_per_minute"), ge=1)
    output_tokens_per_minute: int = Field(default_factory=shipped("llm", "rate_limits", "output_tokens_per_minute"), ge=1)


class CircuitBreakerSettings(_Strict):
    failures: int = Field(default_factory=shipped("llm", "circuit_breaker", "failures"), ge=1)
    cooldown_s: float = Field(default_factory=shipped("llm", "circuit_breaker", "cooldown_s"), ge=0)


class ResponseCacheSettings(_Strict):
    enabled: bool = Field(default_factory=shipped("llm", "cache", "enabled"))
    ttl_s: int = Field(default_factory=shipped("llm", "cache", "ttl_s"), ge=0)


class Price(_Strict):
    """USD per million tokens of each billed class; a column left out (None) is derived from input / output
    by Anthropic's multipliers (crm_crew.llm.pricing): cache_read 0.1x, cache_write_5m 1.25x,
    cache_write_1h 2x input, batch_input 0.5x input, batch_output 0.5x output."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(None, ge=0)
    cache_write_5m: float | None = Field(None, ge=0)
    cache_write_1h: float | None = Field(None, ge=0)
    batch_input: float | None = Field(None, ge=0)
    batch_output: float | None = Field(None, ge=0)


class LlmSettings(_Strict):
    anthropic: AnthropicSettings = Field(default_factory=AnthropicSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    circuit_breaker: CircuitBreakerSettings = Field(default_factory=CircuitBreakerSettings)
    cache: ResponseCacheSettings = Field(default_factory=ResponseCacheSettings)
    max_tokens_per_run: int | None = Field(default_factory=shipped("llm", "max_tokens_per_run"), ge=1)
    prices: dict[str, Price] = Field(default_factory=shipped("llm", "prices"))
    batch: bool = Field(default_factory=shipped("llm", "batch"))
    batch_poll_s: float = Field(default_factory=shipped("llm", "batch_poll_s"), gt=0)


class LeanRouteSettings(_Strict):
    llm: str | None = Field(default_factory=shipped("routing", "lean", "llm"))


class FullRouteSettings(_Strict):
    llm: str | None = Field(default_factory=shipped("routing", "full", "llm"))
    flags: list[str] = Field(default_factory=shipped("routing", "full", "flags"))
    tiers: list[str] = Field(default_factory=shipped("routing", "full", "tiers"))
    min_confidence: float = Field(default_factory=shipped("routing", "full", "min_confidence"), ge=0, le=1)
    intents: list[str] = Field(default_factory=shipped("routing", "full", "intents"))
    urgencies: list[str] = Field(default_factory=shipped("routing", "full", "urgencies"))
    escalation_rules: bool = Field(default_factory=shipped("routing", "full", "escalation_rules"))


class RoutingSettings(_Strict):
    enabled: bool = Field(default_factory=shipped("routing", "enabled"))
    lean: LeanRouteSettings = Field(default_factory=LeanRouteSettings)
    full: FullRouteSettings = Field(default_factory=FullRouteSettings)


class RunnerSettings(_Strict):
    concurrency: int = Field(default_factory=shipped("runner", "concurrency"), ge=1)


class MetricsSettings(_Strict):
    pushgateway_url: str | None = Field(default_factory=shipped("metrics", "pushgateway_url"))
    push_interval_s: float = Field(default_factory=shipped("metrics", "push_interval_s"), gt=0)
    run_name: str | None = Field(default_factory=shipped("metrics", "run_name"), pattern=r"^[A-Za-z0-9_.-]{1,64}$")


class LimitsSettings(_Strict):
    max_body_chars: int = Field(default_factory=shipped("limits", "max_body_chars"), ge=1)
    max_subject_chars: int = Field(default_factory=shipped("limits", "max_subject_chars"), ge=1)
    model_text_chars: int = Field(default_factory=shipped("limits", "model_text_chars"), ge=1)
    max_file_bytes: int = Field(default_factory=shipped("limits", "max_file_bytes"), ge=1)


class MatchingSettings(_Strict):
    fuzzy_threshold: float = Field(default_factory=shipped("matching", "fuzzy_threshold"), ge=0, le=100)
    strip_plus_tags: bool = Field(default_factory=shipped("matching", "strip_plus_tags"))
    free_mail_domains: list[str] = Field(default_factory=shipped("matching", "free_mail_domains"))
    non_human_senders: list[str] = Field(default_factory=shipped("matching", "non_human_senders"))


# A cue list: a plain list (every language) or {language: list}, where `any` holds cues for every language.
CueList = list[str] | dict[str, list[str]]


class IntentConfig(_Strict):
    description: str
    keywords: CueList = Field(default_factory=list)
    weak_keywords: CueList = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list)
    negatable: bool = False          # "no need to cancel": a negated cue does not count for this intent


class UrgencySettings(_Strict):
    levels: list[str] = Field(default_factory=shipped("urgency", "levels"), min_length=1)
    default: str = Field(default_factory=shipped("urgency", "default"))
    keywords: dict[str, CueList] = Field(default_factory=shipped("urgency", "keywords"))
    emphasis: CueList = Field(default_factory=shipped("urgency", "emphasis"))


class CalibrationSettings(_Strict):
    bias: float = Field(default_factory=shipped("triage", "calibration", "bias"))
    margin: float = Field(default_factory=shipped("triage", "calibration", "margin"))
    score: float = Field(default_factory=shipped("triage", "calibration", "score"))
    cues: float = Field(default_factory=shipped("triage", "calibration", "cues"))


class TriageSettings(_Strict):
    example_weight: float = Field(default_factory=shipped("triage", "example_weight"), ge=0)
    weak_weight: float = Field(default_factory=shipped("triage", "weak_weight"), ge=0)
    min_evidence: float = Field(default_factory=shipped("triage", "min_evidence"), ge=0)
    calibration: CalibrationSettings = Field(default_factory=CalibrationSettings)


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


class EscalationSettings(_Strict):
    confidence_threshold: float = Field(default_factory=shipped("escalation", "confidence_threshold"), ge=0, le=1)
    rules: list[EscalationRule] = Field(default_factory=shipped("escalation", "rules"))


class ActionsSettings(_Strict):
    case_priority: dict[str, str] = Field(default_factory=shipped("actions", "case_priority"))
    case_intents: list[str] = Field(default_factory=shipped("actions", "case_intents"))
    case_urgencies: list[str] = Field(default_factory=shipped("actions", "case_urgencies"))
    task_due_days: int = Field(default_factory=shipped("actions", "task_due_days"), ge=0)
    task_triggers: dict[str, CueList] = Field(default_factory=shipped("actions", "task_triggers"))
    lead_status: dict[str, str] = Field(default_factory=shipped("actions", "lead_status"))


class SecuritySettings(_Strict):
    # Language (or any other key) -> RE2 patterns; checks.py compiles each and reports the ones refused.
    injection_patterns: dict[str, list[str]] = Field(default_factory=shipped("security", "injection_patterns"))
    flag_patterns: dict[str, list[str]] = Field(default_factory=shipped("security", "flag_patterns"))
    redact: list[RedactKind] = Field(default_factory=shipped("security", "redact"))

    @field_validator("injection_patterns", mode="before")
    @classmethod
    def _over_the_shipped_languages(cls, value: Any) -> Any:
        """The languages given replace the shipped ones of the same name; the other shipped languages stay."""
        if isinstance(value, list):
            raise PydanticCustomError("patterns_by_language",
                                      "must map a language (en, de, ... or a name of yours, e.g. custom) to a list "
                                      "of patterns")
        if isinstance(value, dict):
            return {**shipped("security", "injection_patterns")(), **value}
        return value


class NotifySettings(_Strict):
    # The NAME of the environment variable that holds the webhook URL (a secret: never the URL in YAML).
    webhook_url_env: str | None = Field(default_factory=shipped("notify", "webhook_url_env"))
    mode: Literal["each", "digest"] = Field(default_factory=shipped("notify", "mode"))
    format: Literal["json", "slack"] = Field(default_factory=shipped("notify", "format"))
    min_urgency: str | None = Field(default_factory=shipped("notify", "min_urgency"))
    timeout_s: float = Field(default_factory=shipped("notify", "timeout_s"), gt=0)
    max_attempts: int = Field(default_factory=shipped("notify", "max_attempts"), ge=1, le=10)


class TracingSettings(_Strict):
    otlp_endpoint: str | None = Field(default_factory=shipped("tracing", "otlp_endpoint"))
    include_content: bool = Field(default_factory=shipped("tracing", "include_content"))


class McpSettings(_Strict):
    token_env: str = Field(default_factory=shipped("mcp", "token_env"), min_length=1)
    host: str = Field(default_factory=shipped("mcp", "host"), min_length=1)
    port: int = Field(default_factory=shipped("mcp", "port"), ge=1, le=65535)
    propose: list[ActionType] = Field(default_factory=shipped("mcp", "propose"))
    max_page: int = Field(default_factory=shipped("mcp", "max_page"), ge=1, le=10000)


class Settings(_Strict):
    """crm-crew.yaml. Every key is optional: what is left out comes from the shipped file."""

    crm: CrmSettings = Field(default_factory=CrmSettings)
    state: StateSettings = Field(default_factory=StateSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    audit: AuditSettings = Field(default_factory=AuditSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    runner: RunnerSettings = Field(default_factory=RunnerSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)
    matching: MatchingSettings = Field(default_factory=MatchingSettings)
    triage: TriageSettings = Field(default_factory=TriageSettings)
    intents: dict[str, IntentConfig] = Field(default_factory=shipped("intents"))
    urgency: UrgencySettings = Field(default_factory=UrgencySettings)
    escalation: EscalationSettings = Field(default_factory=EscalationSettings)
    permissions: dict[str, list[ActionType]] = Field(default_factory=shipped("permissions"))
    actions: ActionsSettings = Field(default_factory=ActionsSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    notify: NotifySettings = Field(default_factory=NotifySettings)
    tracing: TracingSettings = Field(default_factory=TracingSettings)
    mcp: McpSettings = Field(default_factory=McpSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    replies: RepliesSettings = Field(default_factory=RepliesSettings)

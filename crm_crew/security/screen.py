"""The security screen: runs in code before any model sees an interaction.

Every field a model or the CRM will see is screened for prompt injection: subject, body, signature,
display name, sender address and record id. The display name is also checked as a person's name (it
may become a contact's name); a display name or signature that fails is not used at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from crm_crew.models import EXTRA_FIELDS, Interaction
from crm_crew.security.contact_fields import person_name
from crm_crew.security.injection import detector_for
from crm_crew.security.pii import redact

INJECTION_FLAG = "prompt_injection"
# The Interaction fields screened, in the order their signals are reported.
SCREENED_FIELDS: tuple[str, ...] = ("subject", "body", "signature", "sender_name", "sender_email", "id")


@dataclass
class ScreenResult:
    injection: bool = False
    injection_signals: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    pii_redacted: list[str] = field(default_factory=list)
    subject: str = ""            # redacted
    body: str = ""               # redacted and trimmed for models
    truncated: bool = False
    injected_fields: list[str] = field(default_factory=list)   # the fields that carried a signal
    sender_name: str = ""        # the display name when it reads as a person's name, else ""
    dropped_fields: list[str] = field(default_factory=list)    # "field: why" for message text not used
    extra_fields: dict[str, str] = field(default_factory=dict)  # the input's unknown fields, redacted (never to a model)

    @property
    def signature_usable(self) -> bool:
        return "signature" not in self.injected_fields

    def report(self) -> dict[str, Any]:
        """What the security agent (and any model) may see: no raw text, no PII."""
        data = asdict(self)
        for raw in ("subject", "body", "sender_name", "extra_fields"):
            data.pop(raw)
        data["safe_to_process"] = not self.injection
        return data

    def record(self) -> dict[str, Any]:
        """The `security` field of a result record."""
        return {"injection": self.injection, "pii_redacted": list(self.pii_redacted), "flags": list(self.flags)}


@lru_cache(maxsize=64)
def _compile_keywords(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def _screen_injection(interaction: Interaction, security: Any, result: ScreenResult) -> None:
    detector = detector_for(security)
    for name in SCREENED_FIELDS:
        signals = detector.signals(str(getattr(interaction, name)))
        if signals:
            result.injected_fields.append(name)
            result.injection_signals += [redact(s.describe(name), security.redact)[0] for s in signals]
    if result.injection_signals:
        result.injection = True
        result.flags.append(INJECTION_FLAG)


def _screen_sender_name(interaction: Interaction, result: ScreenResult) -> None:
    if not interaction.sender_name.strip():
        return
    if "sender_name" in result.injected_fields:
        result.dropped_fields.append("sender_name: carries a prompt-injection signal")
        return
    checked = person_name(interaction.sender_name)
    if checked.problem:
        result.dropped_fields.append(f"sender_name: {checked.problem}")
    result.sender_name = checked.value


def screen(interaction: Interaction, security: Any, limits: Any) -> ScreenResult:
    """Prompt-injection signals, legal/data-rights flags, the display name, PII redaction and trimming.

    `security` and `limits` are the validated settings sections. Oversized records never get
    here: the readers reject them against the same `limits`.
    """
    result = ScreenResult()
    _screen_injection(interaction, security, result)
    if not result.signature_usable:
        result.dropped_fields.append("signature: carries a prompt-injection signal")
    _screen_sender_name(interaction, result)

    text = f"{interaction.subject}\n{interaction.body}"
    for flag, words in security.flag_patterns.items():
        keywords = _compile_keywords(tuple(words))
        if keywords is not None and keywords.search(text):
            result.flags.append(flag)

    subject, subject_kinds = redact(interaction.subject, security.redact)
    body, body_kinds = redact(interaction.body, security.redact)
    result.extra_fields, extra_kinds = _redacted_fields(interaction.metadata.get(EXTRA_FIELDS) or {}, security.redact)
    result.pii_redacted = sorted(set(subject_kinds) | set(body_kinds) | extra_kinds)
    result.subject = subject
    if len(body) > limits.model_text_chars:
        body = body[: limits.model_text_chars] + "\n[... trimmed]"
        result.truncated = True
    result.body = body
    return result


def _redacted_fields(fields: dict[str, str], kinds: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """Names and values of the input's extra fields with personal data replaced, and the kinds found."""
    shown: dict[str, str] = {}
    found: set[str] = set()
    for name, value in fields.items():
        clean_name, name_kinds = redact(name, kinds)
        clean_value, value_kinds = redact(value, kinds)
        shown[clean_name] = clean_value
        found.update(name_kinds, value_kinds)
    return shown, found

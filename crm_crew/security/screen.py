"""The security screen: runs in code before any model sees an interaction."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from crm_crew.models import Interaction
from crm_crew.security.pii import redact
from crm_crew.security.safe_regex import ConfigRegex, compile_config_regex

INJECTION_FLAG = "prompt_injection"


@dataclass
class ScreenResult:
    injection: bool = False
    injection_signals: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    pii_redacted: list[str] = field(default_factory=list)
    subject: str = ""            # redacted
    body: str = ""               # redacted and trimmed for models
    truncated: bool = False

    def report(self) -> dict[str, Any]:
        """What the security agent (and any model) may see: no raw text, no PII."""
        data = asdict(self)
        data.pop("subject")
        data.pop("body")
        data["safe_to_process"] = not self.injection
        return data

    def record(self) -> dict[str, Any]:
        """The `security` field of a result record."""
        return {"injection": self.injection, "pii_redacted": list(self.pii_redacted), "flags": list(self.flags)}


@lru_cache(maxsize=64)
def _compile(patterns: tuple[str, ...]) -> tuple[ConfigRegex, ...]:
    return tuple(compile_config_regex(p) for p in patterns)


@lru_cache(maxsize=64)
def _compile_keywords(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


def screen(interaction: Interaction, security: Any, limits: Any) -> ScreenResult:
    """Prompt-injection signals, legal/data-rights flags, PII redaction and trimming.

    `security` and `limits` are the validated settings sections. Oversized records never get
    here: the readers reject them against the same `limits`.
    """
    text = f"{interaction.subject}\n{interaction.body}"
    result = ScreenResult()
    for pattern in _compile(tuple(security.injection_patterns)):
        match = pattern.search(text)
        if match:
            result.injection_signals.append(match.group(0)[:80])
    if result.injection_signals:
        result.injection = True
        result.flags.append(INJECTION_FLAG)
    for flag, words in security.flag_patterns.items():
        keywords = _compile_keywords(tuple(words))
        if keywords is not None and keywords.search(text):
            result.flags.append(flag)

    subject, subject_kinds = redact(interaction.subject, security.redact)
    body, body_kinds = redact(interaction.body, security.redact)
    result.pii_redacted = sorted(set(subject_kinds) | set(body_kinds))
    result.subject = subject
    if len(body) > limits.model_text_chars:
        body = body[: limits.model_text_chars] + "\n[... trimmed]"
        result.truncated = True
    result.body = body
    return result

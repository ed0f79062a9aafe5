"""Reply templates (config/replies.yaml) and the reply check."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from crm_crew.config.replies import ReplyTemplates, load_replies
from crm_crew.config.templates import compile_reply_template

__all__ = ["MAX_REPLY_CHARS", "ReplyTemplates", "check_reply", "load_reply_templates", "render_reply"]

_REDACTION_TOKEN = re.compile(r"\[(EMAIL|PHONE|CARD|IBAN|SSN)\]")
_SALES_WORDS = re.compile(r"\b(offers?|discounts?|demos?|pricing|upgrades?|promotions?|deals?|special price)\b", re.IGNORECASE)
MAX_REPLY_CHARS = 4000


@lru_cache(maxsize=8)
def load_reply_templates(config_dir: Path) -> ReplyTemplates:
    """replies.yaml of `config_dir`, every template checked; ConfigError (file:line:col) otherwise."""
    return load_replies(config_dir)


def render_reply(templates: ReplyTemplates, intent: str, variables: dict[str, Any],
                 language: str = "en") -> dict[str, str] | None:
    """The reply for `intent` (or `other`) in the customer's language when replies.yaml has it, rendered in
    the sandbox; None when that intent gets none. When the message had attachments (`attachments` > 0) the
    section's `attachments_note` is rendered and put before the signature: they were not opened, but the
    customer hears that they arrived."""
    templates = templates.for_language(language, intent)
    entry = templates.templates.get(intent, templates.templates.get("other"))
    if entry is None:
        return None
    values = {"attachments": 0, **variables, "signature": templates.signature}
    if values["attachments"] and templates.attachments_note:
        note = compile_reply_template(templates.attachments_note).render(values).strip()
        values["signature"] = f"{note}\n\n{templates.signature}" if note else templates.signature
    return {field: compile_reply_template(entry[field]).render(values).strip() for field in ("subject", "body")}


def check_reply(subject: str, body: str, intent: str) -> list[str]:
    """Problems that stop a draft from being recorded; empty when it is fine."""
    problems: list[str] = []
    if not body.strip():
        problems.append("the reply body is empty")
    if len(body) > MAX_REPLY_CHARS:
        problems.append(f"the reply is {len(body)} characters (limit {MAX_REPLY_CHARS})")
    if _REDACTION_TOKEN.search(subject + body):
        problems.append("the reply repeats a redaction token such as [EMAIL]: never echo redacted data")
    if intent == "unsubscribe" and _SALES_WORDS.search(body):
        problems.append("an unsubscribe confirmation must not contain sales content")
    return problems

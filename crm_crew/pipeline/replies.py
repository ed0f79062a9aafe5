"""Reply templates (config/replies.yaml) and the reply check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from crm_crew.errors import UserError

_REDACTION_TOKEN = re.compile(r"\[(EMAIL|PHONE|CARD|IBAN|SSN)\]")
_SALES_WORDS = re.compile(r"\b(offers?|discounts?|demos?|pricing|upgrades?|promotions?|deals?|special price)\b", re.IGNORECASE)
MAX_REPLY_CHARS = 4000


@dataclass(frozen=True)
class ReplyTemplates:
    signature: str
    templates: dict[str, dict[str, str] | None]
    languages: dict[str, "ReplyTemplates"] = field(default_factory=dict)   # language code -> its templates

    def for_language(self, language: str, intent: str) -> "ReplyTemplates":
        """The language's templates when they cover the intent, else these (English)."""
        own = self.languages.get(language)
        return own if own is not None and intent in own.templates else self


@lru_cache(maxsize=8)
def load_reply_templates(config_dir: Path) -> ReplyTemplates:
    path = config_dir / "replies.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: file not found (copy it from `crm-crew init`)") from None
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("templates"), dict):
        raise UserError(f"{path}: expected a mapping with `signature` and `templates`")
    languages = data.get("languages") or {}
    if not isinstance(languages, dict):
        raise UserError(f"{path}: `languages` must map a language code (de, es, ...) to its `signature` and `templates`")
    by_language = {}
    for code, section in languages.items():
        if not isinstance(section, dict) or not isinstance(section.get("templates"), dict):
            raise UserError(f"{path}: languages.{code} must have `signature` and `templates`")
        by_language[str(code)] = ReplyTemplates(str(section.get("signature", data.get("signature", ""))),
                                                _templates(path, section["templates"], f"languages.{code}."))
    return ReplyTemplates(str(data.get("signature", "")), _templates(path, data["templates"], ""), by_language)


def _templates(path: Path, entries: dict[Any, Any], where: str) -> dict[str, dict[str, str] | None]:
    templates: dict[str, dict[str, str] | None] = {}
    for intent, entry in entries.items():
        if entry is not None and not (isinstance(entry, dict) and set(entry) == {"subject", "body"}):
            raise UserError(f"{path}: template '{where}{intent}' must be null or have exactly `subject` and `body`")
        templates[str(intent)] = entry
    return templates


def render_reply(templates: ReplyTemplates, intent: str, variables: dict[str, Any],
                 language: str = "en") -> dict[str, str] | None:
    from jinja2 import Environment, StrictUndefined

    templates = templates.for_language(language, intent)
    entry = templates.templates.get(intent, templates.templates.get("other"))
    if entry is None:
        return None
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    values = {**variables, "signature": templates.signature}
    return {
        "subject": env.from_string(entry["subject"]).render(values).strip(),
        "body": env.from_string(entry["body"]).render(values).strip(),
    }


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

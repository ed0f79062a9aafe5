"""replies.yaml: the reply templates, read like the other config files and checked to the column.

    signature: <text appended by `{{ signature }}`>
    attachments_note: <template>   # optional: a paragraph put before the signature when the message had attachments
    templates:
      <intent>: null | {subject: <template>, body: <template>}
    languages:                 # optional: replies in the customer's language; English is the fallback
      <code>: {signature: ..., attachments_note: ..., templates: {...}}

Every template is checked by `crm_crew.config.templates` (sandbox rules, known variables);
each problem is reported as `file:line:col`, all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_crew.config.credentials import check_credentials
from crm_crew.config.positions import START, Problem, YamlPath, read_yaml_file
from crm_crew.config.report import Reporter, describe
from crm_crew.config.templates import MAX_TEMPLATE_CHARS, template_problems
from crm_crew.errors import ConfigError

REPLIES_FILE = "replies.yaml"
TEMPLATE_FIELDS: tuple[str, ...] = ("subject", "body")
_TOP_KEYS: tuple[str, ...] = ("signature", "attachments_note", "templates", "languages")
_SECTION_KEYS: tuple[str, ...] = ("signature", "attachments_note", "templates")


@dataclass(frozen=True)
class ReplyTemplates:
    signature: str
    templates: dict[str, dict[str, str] | None]
    languages: dict[str, "ReplyTemplates"] = field(default_factory=dict)   # language code -> its templates
    attachments_note: str | None = None      # template of the paragraph acknowledging attachments (None: none)

    def for_language(self, language: str, intent: str) -> "ReplyTemplates":
        """The language's templates when they cover the intent, else these (English)."""
        own = self.languages.get(language)
        return own if own is not None and intent in own.templates else self


def load_replies(directory: Path) -> ReplyTemplates:
    """Read and check `directory/replies.yaml`; ConfigError with every problem found."""
    path = Path(directory) / REPLIES_FILE
    parsed = read_yaml_file(path)
    if parsed.error is not None:
        raise ConfigError([parsed.error])
    rep = Reporter(str(path), parsed.source, "settings")
    for duplicate in parsed.duplicates:
        rep.at_key(duplicate.path, f"duplicate key {describe(duplicate.key)} (first defined at line {duplicate.first.line})")
    data = parsed.data
    if not isinstance(data, dict) or not isinstance(data.get("templates"), dict):
        rep.add(rep.source.values.get((), START) if data is not None else START,
                "must be a mapping with `signature` and `templates` (a mapping of intent to {subject, body} or null)")
        raise ConfigError(rep.problems)
    skip = check_credentials(data, rep)
    for key in data:
        if key not in _TOP_KEYS and (key,) not in skip:
            rep.unknown_key((key,), _TOP_KEYS)
    english = _section(rep, data, (), skip)
    languages = data.get("languages") or {}
    by_language: dict[str, ReplyTemplates] = {}
    if not isinstance(languages, dict):
        rep.at_value(("languages",), "must map a language code (de, es, fr, pt) to its `signature` and `templates`")
    else:
        for code, section in languages.items():
            if not isinstance(section, dict) or not isinstance(section.get("templates"), dict):
                rep.at_value(("languages", code), "must have `signature` and `templates`")
                continue
            for key in section:
                if key not in _SECTION_KEYS and ("languages", code, key) not in skip:
                    rep.unknown_key(("languages", code, key), _SECTION_KEYS)
            by_language[str(code)] = _section(rep, section, ("languages", code), skip, english)
    if rep.problems:
        raise ConfigError(sorted(rep.problems, key=lambda p: (p.line, p.col)))
    return ReplyTemplates(english.signature, english.templates, by_language, english.attachments_note)


def _section(rep: Reporter, data: dict[Any, Any], at: YamlPath, skip: set[YamlPath],
             fallback: ReplyTemplates | None = None) -> ReplyTemplates:
    """One language's section (the top level is English); a language's missing signature and attachments
    note are English's."""
    signature = data.get("signature", fallback.signature if fallback else "")
    if not isinstance(signature, str):
        rep.bad_value((*at, "signature"), "must be a string", signature)
    elif len(signature) > MAX_TEMPLATE_CHARS:
        rep.at_value((*at, "signature"), f"is {len(signature)} characters long (limit {MAX_TEMPLATE_CHARS})")
    note = data.get("attachments_note", fallback.attachments_note if fallback else None)
    if "attachments_note" in data and note is not None:
        _check_template(rep, (*at, "attachments_note"), note, skip)
    templates: dict[str, dict[str, str] | None] = {}
    for intent, entry in data["templates"].items():
        base: YamlPath = (*at, "templates", intent)
        if entry is not None and not (isinstance(entry, dict) and set(entry) == set(TEMPLATE_FIELDS)):
            rep.at_value(base, "must be null (no reply) or have exactly `subject` and `body`")
            continue
        templates[str(intent)] = entry
        for name in TEMPLATE_FIELDS if entry is not None else ():
            _check_template(rep, (*base, name), entry[name], skip)
    return ReplyTemplates(str(signature), templates, attachments_note=note if isinstance(note, str) else None)


def _check_template(rep: Reporter, path: YamlPath, source: Any, skip: set[YamlPath]) -> None:
    if path in skip:
        return
    if not isinstance(source, str):
        rep.bad_value(path, "must be a string", source)
        return
    lines = source.split("\n")
    for problem in template_problems(source):
        offset = sum(len(line) + 1 for line in lines[: problem.line - 1]) + problem.col - 1
        rep.add(rep.source.char(path, source, min(offset, len(source))), f"{rep.prefix(path)}{problem.message}")


def replies_problems(directory: Path) -> list[Problem]:
    """The problems of `directory/replies.yaml` (empty when it loads), for `crm-crew validate`."""
    try:
        load_replies(directory)
    except ConfigError as exc:
        return [p for p in exc.problems if isinstance(p, Problem)]
    return []

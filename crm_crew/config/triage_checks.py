"""Checks of the triage config: cue syntax and languages, urgency default, and examples triaged as their intent."""

from __future__ import annotations

from typing import Any

from crm_crew.config.report import Reporter
from crm_crew.config.positions import YamlPath
from crm_crew.triage.cues import ANY, cue_problem
from crm_crew.triage.language import SUPPORTED

_LANGUAGE_KEYS = (ANY, *SUPPORTED)
MAX_EXAMPLE_CHARS = 1000


def check_triage_config(raw: dict[Any, Any], rep: Reporter) -> None:
    """Raw-level checks, with file:line:col for every problem."""
    intents = raw.get("intents")
    for name, spec in (intents.items() if isinstance(intents, dict) else ()):
        if not isinstance(spec, dict):
            continue
        for field in ("keywords", "weak_keywords"):
            _check_cue_list(rep, ("intents", name, field), spec.get(field))
        examples = spec.get("examples")
        for index, example in enumerate(examples if isinstance(examples, list) else []):
            if isinstance(example, str) and not example.strip():
                rep.at_value(("intents", name, "examples", index), "an example must not be empty")
            elif isinstance(example, str) and len(example) > MAX_EXAMPLE_CHARS:
                rep.at_value(("intents", name, "examples", index),
                             f"an example is at most {MAX_EXAMPLE_CHARS} characters (this one: {len(example)})")
    urgency = raw.get("urgency")
    if isinstance(urgency, dict):
        keywords = urgency.get("keywords")
        for level, cues in (keywords.items() if isinstance(keywords, dict) else ()):
            _check_cue_list(rep, ("urgency", "keywords", level), cues)
        _check_cue_list(rep, ("urgency", "emphasis"), urgency.get("emphasis"))
        levels, default = urgency.get("levels"), urgency.get("default")
        if isinstance(levels, list) and isinstance(default, str) and default not in levels:
            rep.at_value(("urgency", "default"), f"unknown urgency level '{default}': one of {', '.join(map(str, levels))}")
    actions = raw.get("actions")
    triggers = actions.get("task_triggers") if isinstance(actions, dict) else None
    for kind, cues in (triggers.items() if isinstance(triggers, dict) else ()):
        _check_cue_list(rep, ("actions", "task_triggers", kind), cues)


def _check_cue_list(rep: Reporter, path: YamlPath, value: Any) -> None:
    if isinstance(value, dict):
        for language, cues in value.items():
            if language not in _LANGUAGE_KEYS:
                rep.at_key((*path, language), f"unknown language '{language}': cue lists are keyed by "
                                              f"{', '.join(_LANGUAGE_KEYS)}")
                continue
            _check_cues(rep, (*path, language), cues)
    else:
        _check_cues(rep, path, value)


def _check_cues(rep: Reporter, path: YamlPath, cues: Any) -> None:
    for index, cue in enumerate(cues if isinstance(cues, list) else []):
        if isinstance(cue, str) and (problem := cue_problem(cue)):
            rep.at_value((*path, index), f"cue '{cue}' can never match: {problem}")


def check_examples(settings: Any, rep: Reporter) -> None:
    """Each example must be triaged as its own intent: otherwise its intent's keywords or another intent's
    keywords need a change (or the example is ambiguous)."""
    from crm_crew.triage.classifier import classify_intent

    for name, spec in settings.intents.items():
        for index, example in enumerate(spec.examples):
            got = classify_intent(example, settings).intent
            if got != name:
                rep.at_value(("intents", name, "examples", index),
                             f"this example of '{name}' is triaged as '{got}': add cue phrases to '{name}', "
                             f"narrow those of '{got}', or rephrase the example")

"""Turning findings into `file:line:col: message` Problems with consistent wording.

A Reporter knows one file, its SourceMap and how that file names things: agents.yaml and
tasks.yaml name the entry (`agent 'data': 'max_iter' must be ...`), crm-crew.yaml names
the dotted path (`runner.concurrency: must be ...`).
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable, Iterable
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from crm_crew.config.positions import Pos, Problem, SourceMap, YamlPath

FileKind = Literal["agent", "task", "settings"]

MISSING_HINTS: dict[str, str] = {
    "llm": " (set it to 'offline' or 'anthropic/<model>')",
}

_TYPE_TEXT: dict[str, str] = {
    "int_type": "must be an integer",
    "int_parsing": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "list_type": "must be a list",
    "dict_type": "must be a mapping",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
}
_BOUND_TEXT: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "greater_than": ("gt", "must be greater than {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "less_than": ("lt", "must be less than {}"),
}


def describe(value: Any) -> str:
    """A value as the user wrote it, for `got ...`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"'{text}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def close_match(value: Any, known: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(str(value), list(known), n=1)
    return matches[0] if matches else None


def hint(value: Any, known: Iterable[str], *, always_list: bool = False, label: str = "known",
         show: Callable[[str], str] | None = None) -> str:
    """` (did you mean 'x'?)`, else ` (known: a, b)`; both when always_list."""
    names = list(known)
    match = close_match(value, names)
    listed = ", ".join(show(n) if show else n for n in names) if names else "none"
    if match is None:
        return f" ({label}: {listed})"
    guess = f"did you mean {show(match) if show else repr_name(match)}?"
    return f" ({label}: {listed}; {guess})" if always_list else f" ({guess})"


def repr_name(name: str) -> str:
    return f"'{name}'"


def format_path(path: YamlPath) -> str:
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


WHOLE_MESSAGES: frozenset[str] = frozenset({"replies_send", "replies_header"})


class Reporter:
    """Collects the Problems of one file."""

    def __init__(self, file: str, source: SourceMap, kind: FileKind) -> None:
        self.file = file
        self.source = source
        self.kind = kind
        self.problems: list[Problem] = []
        self.unreadable = False

    def failed(self, problem: Problem) -> Reporter:
        """The file could not be read or parsed: `problem` says why; nothing else is checked."""
        self.problems.append(problem)
        self.unreadable = True
        return self

    def prefix(self, path: YamlPath) -> str:
        """What a message about `path` starts with: the entry, or the dotted path."""
        if not path:
            return ""
        if self.kind == "settings":
            return f"{format_path(path)}: "
        return f"{self.kind} '{path[0]}': "

    def field(self, path: YamlPath) -> str:
        """`'max_iter' ` for a field inside an agent or task; empty otherwise."""
        if self.kind == "settings" or len(path) < 2:
            return ""
        return f"'{format_path(path[1:])}' "

    def add(self, pos: Pos, message: str) -> None:
        self.problems.append(Problem(self.file, pos.line, pos.col, message))

    def at_value(self, path: YamlPath, message: str) -> None:
        self.add(self.source.value(path), self.prefix(path) + message)

    def at_key(self, path: YamlPath, message: str) -> None:
        """A problem with the key of `path`, worded about the mapping that holds it."""
        self.add(self.source.key(path), self.prefix(path[:-1]) + message)

    def bad_value(self, path: YamlPath, text: str, value: Any, suffix: str = "") -> None:
        """`<prefix>'field' must be ..., got <value>` at the value."""
        self.at_value(path, f"{self.field(path)}{text}, got {describe(value)}{suffix}")

    def unknown_key(self, path: YamlPath, known: Iterable[str]) -> None:
        key = path[-1]
        match = close_match(key, known)
        suffix = f" (did you mean '{match}'?)" if match else ""
        self.at_key(path, f"unknown key '{key}'{suffix}")

    def missing_key(self, path: YamlPath) -> None:
        key = str(path[-1])
        parent = path[:-1]
        self.add(self.source.key(parent), self.prefix(parent) + f"missing required key '{key}'{MISSING_HINTS.get(key, '')}")

    def validation_error(self, model: Any, base: YamlPath, exc: ValidationError,
                         skip: set[YamlPath]) -> None:
        """Translate pydantic's errors for `model` (a type) validated at `base` into Problems."""
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            kind = error["type"]
            if loc and loc[-1] == "[key]":
                path = base + loc[:-1]
                self.add(self.source.key(path), self.prefix(path[:-1]) + f"key {describe(path[-1])} must be a string")
                continue
            path = base + loc
            if path in skip:
                continue
            if kind == "missing":
                self.missing_key(path)
            elif kind == "extra_forbidden":
                self.unknown_key(path, _field_names(_annotation_at(model, loc[:-1])))
            elif kind == "literal_error":
                choices = get_args(_strip_optional(_annotation_at(model, loc)))
                text = f"must be {error.get('ctx', {}).get('expected', 'one of ' + ', '.join(map(str, choices)))}"
                match = close_match(error["input"], [str(c) for c in choices])
                guess = f" (did you mean '{match}'?)" if match else ""
                self.bad_value(path, text, error["input"], guess)
            elif kind in _BOUND_TEXT:
                ctx_key, template = _BOUND_TEXT[kind]
                bound = error.get("ctx", {}).get(ctx_key)
                if isinstance(bound, float) and bound.is_integer():
                    bound = int(bound)
                self.bad_value(path, template.format(bound), error["input"])
            elif kind == "too_short":
                self.at_value(path, f"{self.field(path)}must not be empty")
            elif kind in _TYPE_TEXT:
                self.bad_value(path, _TYPE_TEXT[kind], error["input"])
            elif kind in WHOLE_MESSAGES:      # a rule across keys, worded with their dotted names
                self.add(self.source.value(path), str(error["msg"]))
            else:
                message = str(error["msg"])
                self.bad_value(path, message[:1].lower() + message[1:], error["input"])


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _annotation_at(model: Any, loc: tuple[Any, ...]) -> Any:
    """The type annotation found by following `loc` down from `model` (None if lost)."""
    annotation: Any = model
    for part in loc:
        annotation = _strip_optional(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif origin is list:
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    return annotation


def _field_names(annotation: Any) -> list[str]:
    annotation = _strip_optional(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []

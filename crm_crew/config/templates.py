"""Reply templates (Jinja2) as config, not code: a sandbox, known variables, bounded output.

A template renders in an immutable sandbox with no globals, so `cycler.__init__.__globals__`
and friends are unknown variables here and unsafe attributes at run time. What a template may
use is small on purpose: the documented variables, a list of plain filters and `{% if %}`;
no loops, assignments, macros, includes or calls, so that neither code nor a runaway loop
can hide in one. Templates are short and every value they build is bounded, so a reply
cannot grow without limit either. `template_problems` finds everything else before a run,
with line and column.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPLY_VARIABLES: tuple[str, ...] = (
    "first_name", "subject", "intent", "urgency", "sentiment", "tier", "company", "signature", "attachments",
)
MAX_TEMPLATE_CHARS = 5_000     # one subject or body as written in replies.yaml
MAX_NUMBER = 10_000            # any number a template writes or passes to a filter
MAX_RENDERED_CHARS = 20_000    # any string or list a template builds along the way
_FILTERS: tuple[str, ...] = (
    "abs", "capitalize", "d", "default", "first", "float", "int", "last", "length", "lower", "replace",
    "round", "string", "striptags", "title", "trim", "truncate", "upper", "wordcount",
)
_STATEMENTS: tuple[type[nodes.Node], ...] = (nodes.Template, nodes.Output, nodes.If)
_TAGS: dict[str, str] = {
    "For": "for", "Macro": "macro", "CallBlock": "call", "FilterBlock": "filter", "Include": "include",
    "Import": "import", "FromImport": "from", "Extends": "extends", "Block": "block", "With": "with",
    "Assign": "set", "AssignBlock": "set", "ScopedEvalContextModifier": "autoescape", "ExprStmt": "do",
}


@dataclass(frozen=True)
class TemplateProblem:
    """A problem at a 1-based line and column of the template text."""

    line: int
    col: int
    message: str


class UnsafeTemplate(ValueError):
    """A template that `template_problems` refuses; never compiled."""


def _bounded(value: Any) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_RENDERED_CHARS:
        raise SecurityError(f"a reply template built a value longer than {MAX_RENDERED_CHARS} characters")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER ** 3:
        raise SecurityError("a reply template computed a number too large for a reply")
    return value


def _check_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise SecurityError(f"a reply template passed a number above {MAX_NUMBER}")


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` with bounded arguments and result; Jinja's pass_context/... markers are kept."""
    @functools.wraps(function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args, kwargs)
        return _bounded(function(*args, **kwargs))
    return guarded


def _replace(value: Any, old: Any, new: Any, count: int | None = None) -> str:
    """Jinja's `replace`, refusing before it builds a string past the bound."""
    text, old, new = str(value), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    if count is not None:
        hits = min(hits, count)
    if len(text) + hits * (len(new) - len(old)) > MAX_RENDERED_CHARS:
        raise SecurityError(f"a reply template built a value longer than {MAX_RENDERED_CHARS} characters")
    return text.replace(old, new, -1 if count is None else count)


class _ReplySandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
        self.globals.clear()
        self.filters = {name: _guarded(_replace if name == "replace" else self.filters[name]) for name in _FILTERS}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("%-formatting is not available in reply templates")
        if operator == "**" and (not isinstance(right, (int, float)) or abs(right) > 16):
            raise SecurityError("a reply template raised a number to a power above 16")
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) \
                        and len(sequence) * times > MAX_RENDERED_CHARS:
                    raise SecurityError(f"a reply template built a value longer than {MAX_RENDERED_CHARS} characters")
        return _bounded(super().call_binop(context, operator, left, right))

    def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        raise SecurityError("calling functions or methods is not available in reply templates: use filters")


@functools.lru_cache(maxsize=1)
def reply_environment() -> ImmutableSandboxedEnvironment:
    return _ReplySandbox()


@functools.lru_cache(maxsize=256)
def compile_reply_template(source: str) -> Template:
    """The sandboxed template for `source`; UnsafeTemplate (with the first problem) if refused."""
    problems = template_problems(source)
    if problems:
        first = problems[0]
        raise UnsafeTemplate(f"line {first.line}, column {first.col}: {first.message}")
    return reply_environment().from_string(source)


def template_problems(source: str) -> list[TemplateProblem]:
    """Everything wrong with a reply template, in order: syntax, statements, names, filters, numbers."""
    env = reply_environment()
    lines = source.split("\n")
    if len(source) > MAX_TEMPLATE_CHARS:
        return [TemplateProblem(1, 1, f"template is {len(source)} characters long (limit {MAX_TEMPLATE_CHARS})")]
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        line = exc.lineno or 1
        return [TemplateProblem(line, _first_text_col(lines, line), f"template syntax error: {exc.message}")]
    problems: list[TemplateProblem] = []

    def add(node: nodes.Node, needle: str, message: str) -> None:
        line = node.lineno or 1
        problems.append(TemplateProblem(line, _col(lines, line, needle), message))

    for statement in tree.find_all(nodes.Stmt):
        if not isinstance(statement, _STATEMENTS):
            tag = _TAGS.get(type(statement).__name__, type(statement).__name__.lower())
            add(statement, tag, f"'{{% {tag} %}}' is not available in reply templates "
                                "(use {{ variables }}, filters and {% if %})")
    reported: set[str] = set()
    for name in tree.find_all(nodes.Name):
        if name.ctx == "load" and name.name not in REPLY_VARIABLES and name.name not in reported:
            reported.add(name.name)
            add(name, name.name, f"unknown variable '{name.name}' (available: {', '.join(REPLY_VARIABLES)})")
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attribute = access.attr if isinstance(access, nodes.Getattr) else _constant(access.arg)
        if isinstance(attribute, str) and attribute.startswith("_"):
            add(access, attribute, f"access to '{attribute}' is not allowed in reply templates")
    for used in tree.find_all((nodes.Filter, nodes.Test)):
        known = env.filters if isinstance(used, nodes.Filter) else env.tests
        if used.name not in known:
            kind = "filter" if isinstance(used, nodes.Filter) else "test"
            add(used, used.name, f"unknown {kind} '{used.name}'" + (
                f" (available: {', '.join(_FILTERS)})" if kind == "filter" else ""))
    for call in tree.find_all(nodes.Call):
        callee = call.node
        needle = callee.attr if isinstance(callee, nodes.Getattr) else getattr(callee, "name", "(")
        add(call, needle, "calling functions or methods is not available in reply templates: use filters")
    for modulo in tree.find_all(nodes.Mod):
        if isinstance(_constant(modulo.left), str):
            add(modulo, "%", "%-formatting is not available in reply templates")
    for constant in tree.find_all(nodes.Const):
        value = constant.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            add(constant, str(value), f"number {value} is larger than reply templates allow ({MAX_NUMBER})")
    if not problems:
        try:
            env.compile(tree)
        except TemplateError as exc:
            problems.append(TemplateProblem(getattr(exc, "lineno", None) or 1, 1, f"template error: {exc}"))
    return sorted(set(problems), key=lambda p: (p.line, p.col, p.message))


def _constant(node: nodes.Node) -> Any:
    return node.value if isinstance(node, nodes.Const) else None


def _col(lines: list[str], line: int, needle: str) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    index = text.find(needle) if needle else -1
    return index + 1 if index >= 0 else _first_text_col(lines, line)


def _first_text_col(lines: list[str], line: int) -> int:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text) - len(text.lstrip()) + 1

"""Regular expressions that come from config, compiled so that no input can make them hang.

Every pattern a user writes in YAML goes through `compile_config_regex`: RE2 matches in time
linear in the text (no backtracking), so `(a+)+$` is as fast as `a+$`. RE2 does not support
look-around or back-references; `config_regex_problem` says so at `crm-crew validate` time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol

import re2


class RegexMatch(Protocol):
    def group(self, index: int = 0) -> str: ...


class ConfigRegex(Protocol):
    def search(self, text: str) -> RegexMatch | None: ...


class UnsupportedRegex(ValueError):
    """A config pattern RE2 cannot compile; the message says why, without repeating the pattern."""


# `\b` and `\w` are ASCII-only in RE2: next to a non-ASCII letter, `\b` never matches.
_ASCII_BOUNDARY_NEAR_LETTER = re.compile(r"\\b(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\\b")
_MAX_PATTERN_CHARS = 2000


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False      # RE2 would print every refused pattern on stderr
    return options


@lru_cache(maxsize=256)
def compile_config_regex(pattern: str) -> ConfigRegex:
    """The case-insensitive RE2 form of `pattern`; UnsupportedRegex when RE2 refuses it."""
    problem = config_regex_problem(pattern)
    if problem is not None:
        raise UnsupportedRegex(problem)
    return re2.compile(pattern, _options())  # type: ignore[no-any-return]


def config_regex_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used as a config regex, or None when it can."""
    if len(pattern) > _MAX_PATTERN_CHARS:
        return f"pattern is {len(pattern)} characters long (limit {_MAX_PATTERN_CHARS})"
    if _ASCII_BOUNDARY_NEAR_LETTER.search(pattern):
        return (r"\b next to a non-ASCII letter is no word boundary in RE2 (its \b and \w are ASCII-only): "
                r"drop the \b or write (?:^|\s) instead")
    try:
        re2.compile(pattern, _options())
    except re2.error as exc:
        try:
            re.compile(pattern)
        except re.error as syntax:
            return f"invalid regular expression: {syntax}"
        return (f"the RE2 engine does not support this ({_reason(exc)}): config patterns cannot use "
                "look-around, back-references or atomic groups, and \\Z is written \\z")
    return None


def _reason(exc: Exception) -> str:
    """RE2's message, e.g. `invalid perl operator: (?<=`, cut before it quotes the rest of the pattern."""
    raw = exc.args[0] if exc.args else exc
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    head, _, tail = text.partition(": ")
    return f"{head}: {tail[:12]}" if tail else head

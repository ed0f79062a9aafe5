"""The one way a regular expression from configuration is compiled: RE2, which cannot backtrack.

RE2 runs in time linear in the text whatever the pattern, so a pattern like `(a+)+$` cannot hang a
run. It has no backreferences and no look-around; such a pattern is refused with the engine's reason.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]

# Room for the DFA of a long alternation (the screen joins all its patterns into one).
MAX_MEM = 64 << 20


class RegexRefused(ValueError):
    """A configured pattern RE2 cannot compile; the message says why."""


UnsupportedRegex = RegexRefused

# `\b` and `\w` are ASCII-only in RE2: next to a non-ASCII letter, `\b` never matches.
_ASCII_BOUNDARY_NEAR_LETTER = re.compile(r"\\b(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\\b")
_MAX_PATTERN_CHARS = 2000


def config_regex_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used as a config regex, or None when it can (what `validate` reports)."""
    if len(pattern) > _MAX_PATTERN_CHARS:
        return f"pattern is {len(pattern)} characters long (limit {_MAX_PATTERN_CHARS})"
    if _ASCII_BOUNDARY_NEAR_LETTER.search(pattern):
        return (r"\b next to a non-ASCII letter is no word boundary in RE2 (its \b and \w are ASCII-only): "
                r"drop the \b or write (?:^|\s) instead")
    try:
        re2.compile(pattern, _options(True, False))
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


def _options(ignore_case: bool, captures: bool) -> Any:
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = not ignore_case
    options.never_capture = not captures
    options.max_mem = MAX_MEM
    return options


@lru_cache(maxsize=1024)
def compile_config_regex(pattern: str, ignore_case: bool = True, *, for_bytes: bool = False,
                         captures: bool = True) -> Any:
    """A compiled RE2 pattern (search, finditer, ... like `re`); raises RegexRefused when RE2 refuses it.
    Each pattern a user writes is checked by `config_regex_problem` at validate time; this also compiles
    the screen's joined alternations, which may be long.

    for_bytes: the pattern searches UTF-8 bytes (faster than str: no conversion per call).
    captures=False: only whether it matches (RE2 can then answer from its DFA alone).
    """
    try:
        return re2.compile(pattern.encode("utf-8") if for_bytes else pattern, _options(ignore_case, captures))
    except re2.error as exc:
        raise RegexRefused(config_regex_problem(pattern) or _reason(exc)) from None

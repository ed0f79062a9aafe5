"""The one way a regular expression from configuration is compiled: RE2, which cannot backtrack.

RE2 runs in time linear in the text whatever the pattern, so a pattern like `(a+)+$` cannot hang a
run. It has no backreferences and no look-around; such a pattern is refused with the engine's reason.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2  # type: ignore[import-untyped]

# Room for the DFA of a long alternation (the screen joins all its patterns into one).
MAX_MEM = 64 << 20
# RE2's reasons for look-around ("invalid perl operator: (?<=") and backreferences ("invalid escape sequence: \1").
_UNSUPPORTED = ("invalid perl operator", "invalid escape sequence")


class RegexRefused(ValueError):
    """A configured pattern RE2 cannot compile; the message says why."""


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
    """A compiled RE2 pattern (search, finditer, ... like `re`); raises RegexRefused.

    for_bytes: the pattern searches UTF-8 bytes (faster than str: no conversion per call).
    captures=False: only whether it matches (RE2 can then answer from its DFA alone).
    """
    try:
        return re2.compile(pattern.encode("utf-8") if for_bytes else pattern, _options(ignore_case, captures))
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        hint = " (RE2 has no backreferences and no look-around)" if str(reason).startswith(_UNSUPPORTED) else ""
        raise RegexRefused(f"{reason}{hint}") from None

"""Prompt-injection signals: the configured patterns matched against every reading of a text.

Patterns come from `security.injection_patterns` in crm-crew.yaml, grouped by language. Each is
matched against the readings `normalize.views` gives (folded text, its words, rot13, decoded base64),
so a pattern is written for lower-case, unaccented text with single spaces between words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crm_crew.security.normalize import views
from crm_crew.security.regex import compile_config_regex

SIGNAL_CHARS = 80


@dataclass(frozen=True)
class Signal:
    reading: str        # "" for the text as written, else "base64" or "rot13"
    matched: str        # the folded text the pattern matched, cut to SIGNAL_CHARS

    def describe(self, field: str) -> str:
        where = f"{field} ({self.reading})" if self.reading else field
        return f"{where}: {self.matched}"


class InjectionDetector:
    """All patterns joined into one RE2 alternation for a single pass; the hits are then attributed."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = tuple(compile_config_regex(p, for_bytes=True) for p in patterns)
        joined = "|".join(f"(?:{p})" for p in patterns)
        self._any = compile_config_regex(joined, for_bytes=True, captures=False) if patterns else None

    def signals(self, text: str) -> list[Signal]:
        """One signal per pattern that matches some reading of `text` (the first reading it matches)."""
        if self._any is None or not text.strip():
            return []
        found: dict[int, Signal] = {}
        for reading, view in views(text):
            data = view.encode("utf-8")
            if self._any.search(data) is None:
                continue
            for index, pattern in enumerate(self.patterns):
                if index in found:
                    continue
                match = pattern.search(data)
                if match is not None:
                    matched = match.group(0).decode("utf-8", "replace")
                    found[index] = Signal(reading, " ".join(matched.split())[:SIGNAL_CHARS])
        return [found[i] for i in sorted(found)]


def flat_patterns(by_language: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    return tuple(p for patterns in by_language.values() for p in patterns)


@lru_cache(maxsize=16)
def _detector(patterns: tuple[str, ...]) -> InjectionDetector:
    return InjectionDetector(patterns)


def detector_for(security: Any) -> InjectionDetector:
    """The detector of a validated `security` settings section (built once per set of patterns)."""
    return _detector(flat_patterns(security.injection_patterns))

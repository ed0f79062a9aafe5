"""Anthropic prompt caching: the shortest prefix each model caches, and the TTLs.

A request prefix up to a `cache_control` breakpoint is cached only when it holds at least the model's
minimum number of tokens; below it the request succeeds, nothing is cached or read, and both cache counters
in `usage` stay 0. Minimums (Anthropic's prompt-caching docs, December 2026): 4,096 tokens for Claude
Haiku 4.5 and Opus 4.5 / 4.6, 2,048 for Sonnet 4.6 (the docs' table has said 1,024; the API was observed to
cache from 2,048, anthropic-sdk-python#1194, and the larger figure is the safe one to plan with), 1,024 for
Sonnet 4.5 and the Claude 4 / 4.1 models, 2,048 for Haiku 3 / 3.5. A dated name takes its family's.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MIN_CACHEABLE_TOKENS: dict[str, int] = {
    "claude-haiku-4-5": 4096,
    "claude-opus-4-5": 4096,
    "claude-opus-4-6": 4096,
    "claude-sonnet-4-6": 2048,
    "claude-sonnet-4-5": 1024,
    "claude-opus-4-1": 1024,
    "claude-opus-4": 1024,
    "claude-sonnet-4": 1024,
    "claude-3-7-sonnet": 1024,
    "claude-3-5-haiku": 2048,
    "claude-3-haiku": 2048,
}
DEFAULT_MIN_TOKENS = 1024
TTL_S = {"5m": 300, "1h": 3600}
BATCH_TTL = "1h"              # a batch's requests may be answered over an hour or more: one write serves them all


def min_cacheable_tokens(model: str) -> int:
    """The model's minimum cacheable prefix (provider prefix stripped, longest matching name)."""
    name = model.partition("/")[2] if "/" in model else model
    for key in sorted(MIN_CACHEABLE_TOKENS, key=len, reverse=True):
        if name.startswith(key):
            return MIN_CACHEABLE_TOKENS[key]
    return DEFAULT_MIN_TOKENS


def estimate_tokens(text: str) -> int:
    """About 4 characters a token (English prose and JSON): an estimate, not the model's tokenizer."""
    return math.ceil(len(text) / 4)


def with_ttl(params: dict[str, object], ttl: str) -> dict[str, object]:
    """A copy of Messages API params whose system-prompt cache breakpoints use `ttl` ("5m" or "1h")."""
    system = params.get("system")
    if not isinstance(system, list):
        return dict(params)
    blocks = [{**b, "cache_control": {**b["cache_control"], "ttl": ttl}}
              if isinstance(b, dict) and isinstance(b.get("cache_control"), dict) else b for b in system]
    return {**params, "system": blocks}


PRIMER_WAIT_S = 120.0         # the longest the others wait for the first request (then they go anyway)


class CachePrimer:
    """Lets a run's first cached request go alone: requests sent together before the first answer began would
    each write (and pay 1.25x for) the same prefix. The others wait for it, then go at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._started = False
        self._done = threading.Event()

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self._done.is_set():
            with self._lock:
                first, self._started = not self._started, True
            if first:
                try:
                    yield
                finally:
                    self._done.set()
                return
            self._done.wait(PRIMER_WAIT_S)
        yield


class Primed:
    """A model whose calls take their turn at the run's CachePrimer (the first one goes alone)."""

    def __init__(self, llm: Any, primer: CachePrimer) -> None:
        self.llm = llm
        self.primer = primer

    def call(self, messages: Any) -> Any:
        with self.primer.turn():
            return self.llm.call(messages)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.llm, name)

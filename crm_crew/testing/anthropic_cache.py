"""The fake Messages API's prompt cache: `cache_control` breakpoints, per-model minimums, 5 m / 1 h TTL.

As at Anthropic: the prompt is read in the order tools, system, messages; each block carrying
`cache_control: {"type": "ephemeral", "ttl"?: "5m" | "1h"}` (at most 4) ends a cacheable prefix. A request
reads the longest of its prefixes that is cached (and refreshes that entry's lifetime), and writes the prefix
up to its last breakpoint when that one is not cached yet and holds at least the model's minimum number of
tokens (crm_crew.llm.prompt_cache); below the minimum nothing is written or read and both counters stay 0.
Usage then reports `input_tokens` (after the last breakpoint, or all of it uncached),
`cache_read_input_tokens`, `cache_creation_input_tokens` and its split `cache_creation:
{ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}`. Tokens are the fake's estimate, ceil(chars / 4) of
the compact JSON of the prefix's blocks. As at Anthropic, an entry serves only requests that arrive after
its writer's response began: concurrent first requests each write (and pay for) the prefix.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm_crew.llm.prompt_cache import TTL_S, min_cacheable_tokens

MAX_BREAKPOINTS = 4


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _tokens(chars: int) -> int:
    return -(-chars // 4)


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The request's cacheable blocks in prefix order (tools, system, messages), each tagged with its place."""
    found: list[dict[str, Any]] = [{"tool": t} for t in body.get("tools") or [] if isinstance(t, dict)]
    system = body.get("system")
    if isinstance(system, str):
        found.append({"system": {"type": "text", "text": system}})
    elif isinstance(system, list):
        found += [{"system": b} for b in system if isinstance(b, dict)]
    for message in body.get("messages") or []:
        content = message.get("content")
        parts = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        found += [{message.get("role", "user"): b} for b in parts if isinstance(b, dict)]
    return found


def _control(block: dict[str, Any]) -> dict[str, Any] | None:
    inner = next(iter(block.values()))
    control = inner.get("cache_control")
    return control if isinstance(control, dict) else None


def _key_of(block: dict[str, Any]) -> dict[str, Any]:
    """The block as cached: its content without the cache_control marker."""
    place, inner = next(iter(block.items()))
    return {place: {k: v for k, v in inner.items() if k != "cache_control"}}


def cache_problem(body: dict[str, Any]) -> str | None:
    """What the API refuses about a request's cache_control, or None."""
    controls = [c for c in map(_control, _blocks(body)) if c is not None]
    if len(controls) > MAX_BREAKPOINTS:
        return f"A maximum of {MAX_BREAKPOINTS} blocks with cache_control may be provided. Found {len(controls)}."
    for control in controls:
        if control.get("type") != "ephemeral":
            return "cache_control.type: Input should be 'ephemeral'"
        if control.get("ttl", "5m") not in TTL_S:
            return "cache_control.ttl: Input should be '5m' or '1h'"
    return None


@dataclass
class CacheUse:
    read: int = 0                  # cache_read_input_tokens
    written_5m: int = 0
    written_1h: int = 0

    @property
    def written(self) -> int:
        return self.written_5m + self.written_1h

    def usage(self, input_tokens: int) -> dict[str, Any]:
        """The usage fields of an answer whose whole prompt is `input_tokens` long."""
        return {"input_tokens": max(1, input_tokens - self.read - self.written),
                "cache_creation_input_tokens": self.written, "cache_read_input_tokens": self.read,
                "cache_creation": {"ephemeral_5m_input_tokens": self.written_5m,
                                   "ephemeral_1h_input_tokens": self.written_1h}}


class PromptCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, tuple[float, str, float]] = {}     # key -> (expires at, ttl, usable from)
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()

    def use(self, body: dict[str, Any], input_tokens: int, arrived: float | None = None) -> CacheUse:
        """Read and write the cache for one request answered now, which arrived at `arrived` (this clock's
        time; None: now); what it read and wrote."""
        blocks = _blocks(body)
        points: list[tuple[str, int, str]] = []              # (key, prefix tokens, ttl) of each breakpoint
        digest = hashlib.sha256(str(body.get("model")).encode())
        chars = 1                                            # the list's "["
        for block in blocks:
            text = _compact(_key_of(block))
            digest.update(text.encode())
            chars += len(text) + 1
            control = _control(block)
            if control is not None:
                points.append((digest.copy().hexdigest(), min(_tokens(chars), input_tokens - 1),
                               str(control.get("ttl", "5m"))))
        if not points:
            return CacheUse()
        minimum = min_cacheable_tokens(str(body.get("model")))
        now = self.clock()
        arrived = now if arrived is None else arrived
        use = CacheUse()
        with self._lock:
            for key, tokens, _ in reversed(points):
                found = self._entries.get(key)
                if found is not None and found[0] > now and found[2] <= arrived:
                    self._entries[key] = (now + TTL_S[found[1]], found[1], found[2])   # a read refreshes it
                    use.read = tokens
                    break
            key, tokens, ttl = points[-1]
            if tokens >= minimum and tokens > use.read:
                if ttl == "1h":
                    use.written_1h = tokens - use.read
                else:
                    use.written_5m = tokens - use.read
                for point_key, point_tokens, point_ttl in points:
                    if point_tokens >= minimum:
                        usable = min(now, self._entries.get(point_key, (0.0, "", now))[2])
                        self._entries[point_key] = (now + TTL_S[point_ttl], point_ttl, usable)
            if use.read == 0 and use.written == 0:
                return CacheUse()
        return use

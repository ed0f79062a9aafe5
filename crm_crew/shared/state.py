"""The process's link to the Redis its workers share (the queue's Redis), if any.

A worker, or `crm-crew run --queue`, calls `use_shared_state(SharedState.open(url))` once; from then on the
model-request limiter, the CRM request limiter and the CRM lookup cache are the shared ones, so every
process on every machine obeys the same limits and sees the same invalidations. Without it, each process
keeps its own (the embedded default).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:      # redis-py takes about 0.15 s to import: only processes that share state pay for it
    import redis

    from crm_crew.shared.redis_cache import RedisLookupCache
    from crm_crew.shared.redis_limits import RedisRateLimiter
    from crm_crew.shared.redis_locks import RecordLock

NAMESPACE = "crm-crew"


@dataclass
class SharedState:
    url: str
    client: "redis.Redis"
    namespace: str = NAMESPACE
    _limiters: dict[str, "RedisRateLimiter"] = field(default_factory=dict)
    _caches: dict[str, "RedisLookupCache"] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, url: str) -> SharedState:
        from crm_crew.shared.client import connect, guarded

        client = connect(url)
        with guarded(client, "connecting"):
            client.ping()
        return cls(url, client)

    def limiter(self, name: str, rpm: int, itpm: int = 0, otpm: int = 0, window_s: float = 60.0) -> RedisRateLimiter:
        """The limiter `name` every process shares: at most rpm requests (and itpm/otpm tokens; 0: unlimited)
        in any window_s seconds."""
        from crm_crew.shared.redis_limits import RedisRateLimiter

        with self._lock:
            if name not in self._limiters:
                self._limiters[name] = RedisRateLimiter(self.client, f"{self.namespace}:{name}", rpm, itpm, otpm,
                                                        window_s=window_s)
            return self._limiters[name]

    def lookup_cache(self, target: str, ttl_s: float) -> RedisLookupCache:
        """The lookup cache of one CRM instance (a connector's `target`), under a digest of its name."""
        from crm_crew.shared.redis_cache import RedisLookupCache

        with self._lock:
            if target not in self._caches:
                digest = hashlib.sha256(target.encode("utf-8")).hexdigest()[:16]
                self._caches[target] = RedisLookupCache(self.client, f"{self.namespace}:crm:{digest}", ttl_s)
            return self._caches[target]

    def record_lock(self, obj: str, record_id: str, ttl_s: float = 30.0, timeout_s: float = 120.0) -> RecordLock:
        from crm_crew.shared.redis_locks import RecordLock, record_lock_key

        return RecordLock(self.client, record_lock_key(self.namespace, obj, record_id), ttl_s=ttl_s,
                          timeout_s=timeout_s)


_current: SharedState | None = None


def use_shared_state(state: SharedState | None) -> None:
    global _current
    _current = state


def shared_state() -> SharedState | None:
    return _current


@contextmanager
def sharing(url: str) -> Iterator[SharedState]:
    """Share the Redis at `url` while the block runs, then go back to what was shared before (a follower run
    in a process that goes on, such as the tests' in-process CLI, leaves no shared cache behind)."""
    previous = _current
    state = SharedState.open(url)
    use_shared_state(state)
    try:
        yield state
    finally:
        use_shared_state(previous)
        state.client.close()


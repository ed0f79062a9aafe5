"""A read-through cache of CRM lookups in Redis, shared by every worker; a write to a record drops, at once and
on every machine, each cached answer that mentions it.

An answer is stored as JSON under a hash of (connector, operation, args) with a TTL (default 5 minutes), and
its key is added to one index set per thing it mentions: each record (obj, id), each email, and each object
type it depends on as a whole (a search may start matching any contact created or changed). One script of
`invalidate_record` deletes every answer listed under the record, its email and its type.

A read that began before an invalidation must not put its possibly old answer back after it: each
invalidation stamps the tags it touched with a sequence number, and a put carrying the number seen when its
read began (`since`) is dropped when one of its tags was stamped later. `lookup` does all of this.

Redis down: a get is a miss and a put is skipped (the CRM answers instead; Redis is retried after
RETRY_AFTER_S). An invalidation raises SharedStateUnavailable: losing one would serve stale answers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

import redis

from crm_crew.errors import SharedStateUnavailable
from crm_crew.shared.client import guarded, text

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0
STAMP_TTL_S = 600.0        # how long an invalidation can still veto the put of a read that began before it


class _Miss:
    def __repr__(self) -> str:
        return "MISS"


MISS: Final = _Miss()


@dataclass(frozen=True)
class Mentions:
    """What a cached answer depends on: a write to any of these invalidates it."""

    records: Iterable[tuple[str, str]] = ()     # (obj, record_id)
    emails: Iterable[str] = ()
    types: Iterable[str] = ()                    # obj types whose every write invalidates (searches)

    def tags(self) -> list[str]:
        tags = [_record_tag(obj, record_id) for obj, record_id in self.records]
        tags += [_email_tag(email) for email in self.emails if email]
        tags += [_type_tag(obj) for obj in self.types]
        return sorted(set(tags))


def _record_tag(obj: str, record_id: str) -> str:
    return f"r:{obj}:{record_id}"


def _email_tag(email: str) -> str:
    return f"e:{email.strip().lower()}"


def _type_tag(obj: str) -> str:
    return f"t:{obj}"


# KEYS: entry, stamp of each tag (n), index of each tag (n); ARGV: value, ttl_ms, since ("" = no check), n
_PUT = """
local n = tonumber(ARGV[4])
if ARGV[3] ~= '' then
  local since = tonumber(ARGV[3])
  for i = 2, n + 1 do
    local stamp = redis.call('GET', KEYS[i])
    if stamp and tonumber(stamp) > since then return 0 end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
for i = n + 2, 2 * n + 1 do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
end
return 1
"""

# KEYS: sequence, then index and stamp of each tag; ARGV: stamp_ttl_ms
_INVALIDATE = """
local seq = redis.call('INCR', KEYS[1])
local dropped = 0
for i = 2, #KEYS, 2 do
  for _, entry in ipairs(redis.call('SMEMBERS', KEYS[i])) do dropped = dropped + redis.call('DEL', entry) end
  redis.call('DEL', KEYS[i])
  redis.call('SET', KEYS[i + 1], seq, 'PX', ARGV[1])
end
return dropped
"""


class RedisLookupCache:
    """CRM lookup answers (JSON) shared by every worker of `namespace`, for ttl_s seconds or until a write."""

    def __init__(self, client: redis.Redis, namespace: str, ttl_s: float = 300.0) -> None:
        self.client = client
        self.namespace = namespace
        self.ttl_ms = max(1, round(ttl_s * 1000))
        self._put_script = client.register_script(_PUT)
        self._invalidate_script = client.register_script(_INVALIDATE)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self.hits = 0
        self.misses = 0
        self.errors = 0

    def _key(self, kind: str, name: str) -> str:
        return f"{self.namespace}:{kind}:{name}"

    def entry_key(self, connector: str, operation: str, args: Any) -> str:
        blob = json.dumps([connector, operation, args], sort_keys=True, separators=(",", ":"), default=str)
        return self._key("v", hashlib.sha256(blob.encode()).hexdigest())

    def get(self, connector: str, operation: str, args: Any) -> Any:
        """The cached answer, or MISS (also when Redis is down)."""
        return self._get(connector, operation, args)[0]

    def lookup(self, connector: str, operation: str, args: Any, load: Callable[[], Any],
               mentions: Callable[[Any], Mentions]) -> Any:
        """The cached answer, else `load()`'s, cached with what `mentions(answer)` says it depends on."""
        value, since = self._get(connector, operation, args)
        if value is not MISS:
            return value
        value = load()
        if since is not None:
            self.put(connector, operation, args, value, mentions(value), since=since)
        return value

    def _get(self, connector: str, operation: str, args: Any) -> tuple[Any, int | None]:
        """(answer or MISS, the invalidation sequence number now, None when Redis is down)."""
        if not self._usable():
            return self._count_miss(), None
        try:
            with guarded(self.client, "reading the lookup cache"):
                pipe = self.client.pipeline(transaction=False)
                pipe.get(self.entry_key(connector, operation, args))
                pipe.get(self._key("seq", "invalidations"))
                raw, seq = pipe.execute()
        except (SharedStateUnavailable, redis.RedisError) as exc:     # a miss, never a failed lookup
            self._went_down(exc)
            return self._count_miss(), None
        since = int(text(seq) or 0)
        if raw is None:
            return self._count_miss(), since
        with self._lock:
            self.hits += 1
        return json.loads(raw), since

    def put(self, connector: str, operation: str, args: Any, value: Any, mentions: Mentions = Mentions(),
            since: int | None = None) -> bool:
        """Cache `value`; False when skipped (Redis down, or a tag was invalidated after `since`)."""
        if not self._usable():
            return False
        tags = mentions.tags()
        keys = [self.entry_key(connector, operation, args)]
        keys += [self._key("stamp", tag) for tag in tags] + [self._key("index", tag) for tag in tags]
        argv: list[str | int] = [json.dumps(value, separators=(",", ":")), self.ttl_ms,
                                 "" if since is None else since, len(tags)]
        try:
            with guarded(self.client, "writing the lookup cache"):
                return bool(self._put_script(keys=keys, args=argv))
        except (SharedStateUnavailable, redis.RedisError) as exc:     # uncached: costs a CRM call later
            self._went_down(exc)
            return False

    def invalidate_record(self, obj: str, record_id: str | None, email: str | None = None) -> int:
        """Drop every answer mentioning the record, its email or (searches) its type; returns how many.
        Raises SharedStateUnavailable when Redis is down (other workers would keep reading stale answers)."""
        tags = Mentions(records=[(obj, record_id)] if record_id else [], emails=[email] if email else [],
                        types=[obj]).tags()
        keys = [self._key("seq", "invalidations")]
        for tag in tags:
            keys += [self._key("index", tag), self._key("stamp", tag)]
        with guarded(self.client, f"invalidating cached lookups of {obj} {record_id or email}"):
            return int(self._invalidate_script(keys=keys, args=[round(STAMP_TTL_S * 1000)]))

    def _usable(self) -> bool:
        with self._lock:
            return time.monotonic() >= self._down_until

    def _went_down(self, exc: Exception) -> None:
        with self._lock:
            self.errors += 1
            self._down_until = time.monotonic() + RETRY_AFTER_S
        log.warning("lookup cache off for %.0fs: %s", RETRY_AFTER_S, exc)

    def _count_miss(self) -> _Miss:
        with self._lock:
            self.misses += 1
        return MISS

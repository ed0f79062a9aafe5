"""Rate limits obeyed together by every process and machine: model requests/tokens and a CRM's requests.

The same rules and API as crm_crew.llm.ratelimit.RateLimiter (a sliding window on requests, input tokens
and output tokens: never more than the limits in ANY window_s span, entries kept MARGIN longer for network
latency; acquire/record_output/observe/pause), but the window lives in Redis sorted sets and one Lua script
per acquire checks and counts atomically, on Redis's clock so the machines' clocks need not agree. A limit
of 0 means unlimited (a CRM's limit counts requests only). The limits an API's headers announce and the
pauses after a 429 are shared too: one worker's 429 holds everyone back.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Mapping

import redis
from redis.typing import EncodableT, FieldT

from crm_crew.llm.ratelimit import HEADER_NAMES, MARGIN, MAX_MARGIN_S, _int, _parse_reset
from crm_crew.shared.client import guarded, text

KEY_PREFIX = "crm-crew:ratelimit"
ANNOUNCED_LIMITS_TTL_S = 3600

# Server time in milliseconds (with microseconds), shared by the scripts below.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
"""

# KEYS: requests (member "id:input_tokens"), outputs ("id:output_tokens"), hold (epoch ms), announced limits
# ARGV: rpm, itpm, otpm, span_ms, input_tokens, id.  Returns {wait_ms, now_ms} as strings; wait 0 = counted.
_ACQUIRE = _NOW + """
local span = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - span)

local function limit(name, configured)
  configured = tonumber(configured)
  local announced = tonumber(redis.call('HGET', KEYS[4], name) or '')
  if announced and announced > 0 and (configured == 0 or announced < configured) then return announced end
  return configured
end

local function token_wait(key, lim, extra)
  if lim <= 0 then return 0 end
  if extra > lim then extra = lim end    -- one request larger than the limit goes through alone, not never
  local function fits(used) if extra > 0 then return used + extra <= lim end return used < lim end
  local entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  local amounts, total = {}, 0
  for i = 1, #entries, 2 do
    local n = tonumber(string.match(entries[i], ':(%d+)$'))
    amounts[i] = n
    total = total + n
  end
  if fits(total) then return 0 end
  for i = 1, #entries, 2 do
    total = total - amounts[i]
    if fits(total) then return tonumber(entries[i + 1]) + span - now end
  end
  return span
end

local wait = tonumber(redis.call('GET', KEYS[3]) or '0') - now
local rpm = limit('rpm', ARGV[1])
if rpm > 0 then
  local count = redis.call('ZCARD', KEYS[1])
  if count >= rpm then
    local oldest = redis.call('ZRANGE', KEYS[1], count - rpm, count - rpm, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + span - now)
  end
end
wait = math.max(wait, token_wait(KEYS[1], limit('itpm', ARGV[2]), tonumber(ARGV[5])))
wait = math.max(wait, token_wait(KEYS[2], limit('otpm', ARGV[3]), 0))
if wait > 0 then return {tostring(wait), tostring(now)} end
redis.call('ZADD', KEYS[1], now, ARGV[6] .. ':' .. ARGV[5])
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * span))
return {'0', tostring(now)}
"""

# KEYS: outputs; ARGV: output_tokens, id, span_ms
_RECORD_OUTPUT = _NOW + """
redis.call('ZADD', KEYS[1], now, ARGV[2] .. ':' .. ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * tonumber(ARGV[3])))
return 1
"""

# KEYS: hold; ARGV: seconds
_PAUSE = _NOW + """
local untl = now + tonumber(ARGV[1]) * 1000
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > held then redis.call('SET', KEYS[1], tostring(untl), 'PX', math.ceil(untl - now) + 1000) end
return 1
"""


class RedisRateLimiter:
    """Sliding window (window_s) on requests, input and output tokens, shared by every limiter named `name`
    on the same Redis; never lets more than the limits through in ANY window_s span."""

    def __init__(self, client: redis.Redis, name: str, rpm: int, itpm: int, otpm: int,
                 window_s: float = 60.0) -> None:
        self.client = client
        self.name = name
        self.configured = {"rpm": rpm, "itpm": itpm, "otpm": otpm}
        self.limits = dict(self.configured)       # configured, tightened by the headers this process saw
        self.window_s = window_s
        self.span = window_s + min(MAX_MARGIN_S, MARGIN * window_s)
        prefix = f"{KEY_PREFIX}:{name}"
        self._requests, self._outputs = f"{prefix}:requests", f"{prefix}:outputs"
        self._hold, self._announced = f"{prefix}:hold", f"{prefix}:limits"
        self._acquire = client.register_script(_ACQUIRE)
        self._record_output = client.register_script(_RECORD_OUTPUT)
        self._pause = client.register_script(_PAUSE)

    def acquire(self, input_tokens: int) -> float:
        """Blocks until the request fits the limits, then counts it; returns the seconds waited."""
        start = time.monotonic()
        span_ms = self.span * 1000
        while True:
            with guarded(self.client, f"acquiring the rate limit {self.name!r}"):
                wait_ms, _ = self._acquire(
                    keys=[self._requests, self._outputs, self._hold, self._announced],
                    args=[self.configured["rpm"], self.configured["itpm"], self.configured["otpm"], span_ms,
                          max(0, int(input_tokens)), secrets.token_hex(8)])
            wait = float(text(wait_ms) or 0) / 1000
            if wait <= 0:
                return time.monotonic() - start
            # Jitter spreads the waiters of many processes over the moment a slot frees.
            time.sleep(min(wait, self.span) + random.uniform(0.001, 0.01))

    def record_output(self, output_tokens: int) -> None:
        with guarded(self.client, f"counting output tokens for the rate limit {self.name!r}"):
            self._record_output(keys=[self._outputs], args=[max(0, int(output_tokens)), secrets.token_hex(8),
                                                            self.span * 1000])

    def pause(self, seconds: float) -> None:
        """Nobody, on any machine, sends for `seconds` (a 429's retry-after)."""
        with guarded(self.client, f"pausing the rate limit {self.name!r}"):
            self._pause(keys=[self._hold], args=[max(0.0, seconds)])

    def observe(self, headers: Mapping[str, str]) -> None:
        """Share the API's limits when lower than configured; when one is used up, hold everyone until it resets."""
        hold = 0.0
        announced: dict[FieldT, EncodableT] = {}
        for name, key in HEADER_NAMES.items():
            limit = _int(headers.get(f"anthropic-ratelimit-{name}-limit"))
            if limit is not None and limit > 0:
                announced[key] = limit
                self.limits[key] = min(self.configured[key], limit) if self.configured[key] else limit
            remaining = _int(headers.get(f"anthropic-ratelimit-{name}-remaining"))
            reset = _parse_reset(headers.get(f"anthropic-ratelimit-{name}-reset") or "")
            if remaining == 0 and reset is not None:
                hold = max(hold, min(reset - time.time(), self.span))
        if announced:
            with guarded(self.client, f"sharing the API's limits for {self.name!r}"):
                pipe = self.client.pipeline(transaction=True)
                pipe.hset(self._announced, mapping=announced)
                pipe.expire(self._announced, ANNOUNCED_LIMITS_TTL_S)
                pipe.execute()
        if hold > 0:
            self.pause(hold)

    def reset(self) -> None:
        """Forget the shared window, pauses and announced limits (tests, or a fresh start)."""
        with guarded(self.client, f"resetting the rate limit {self.name!r}"):
            self.client.delete(self._requests, self._outputs, self._hold, self._announced)
            self.limits = dict(self.configured)

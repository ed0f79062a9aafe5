"""SqliteResponseCache and cache_key; the transport answering a repeated request from the cache."""

from __future__ import annotations

from pathlib import Path

import anthropic
import httpx

from crm_crew.llm.breaker import CircuitBreaker
from crm_crew.llm.meter import Meter
from crm_crew.llm.ratelimit import RateLimiter
from crm_crew.llm.response_cache import SqliteResponseCache, cache_key
from crm_crew.llm.transport import GovernedTransport, Governor, RetryPolicy
from crm_crew.testing.anthropic_api import FakeAnthropic

BODY = {"model": "claude-haiku-4-5", "max_tokens": 20, "messages": [{"role": "user", "content": "hi"}]}


def test_cache_key_ignores_metadata_and_key_order() -> None:
    reordered = {"messages": BODY["messages"], "max_tokens": 20, "model": "claude-haiku-4-5",
                 "metadata": {"user_id": "x"}}
    assert cache_key(reordered) == cache_key(BODY)
    assert cache_key({**BODY, "temperature": 0.5}) != cache_key(BODY)
    assert cache_key({**BODY, "model": "claude-sonnet-4-5"}) != cache_key(BODY)


def test_entries_persist_and_expire(tmp_path: Path) -> None:
    now = [1000.0]
    cache = SqliteResponseCache(tmp_path / "c.sqlite", ttl_s=60, clock=lambda: now[0])
    assert cache.get("k") is None
    cache.put("k", {"answer": 1})
    assert cache.get("k") == {"answer": 1}
    again = SqliteResponseCache(tmp_path / "c.sqlite", ttl_s=60, clock=lambda: now[0])
    assert again.get("k") == {"answer": 1}
    now[0] += 60
    assert again.get("k") is None


def _client(server: FakeAnthropic, cache: SqliteResponseCache, meter: Meter) -> anthropic.Anthropic:
    gov = Governor(limiter=RateLimiter(1000, 10**6, 10**6), breaker=CircuitBreaker(5, 1.0),
                   retry=RetryPolicy(0, 0.01, 0.05), cache=cache, inner=httpx.HTTPTransport())
    return anthropic.Anthropic(api_key=server.api_key, base_url=server.url, max_retries=0,
                               http_client=httpx.Client(transport=GovernedTransport(gov, meter)))


def _ask(client: anthropic.Anthropic, text: str = "hello", user: str | None = None) -> str:
    metadata: anthropic.types.MetadataParam | anthropic.Omit = {"user_id": user} if user else anthropic.omit
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=50, metadata=metadata,
                                     messages=[{"role": "user", "content": text}])
    block = message.content[0]
    assert isinstance(block, anthropic.types.TextBlock)
    return block.text


def test_identical_requests_are_answered_from_the_cache(tmp_path: Path) -> None:
    path = tmp_path / "llm-cache.sqlite"
    with FakeAnthropic() as server:
        meter = Meter()
        client = _client(server, SqliteResponseCache(path, ttl_s=3600), meter)
        assert _ask(client) == "Echo: hello"
        assert _ask(client, user="someone") == "Echo: hello"
        assert server.stats()["requests"] == 1
        snap = meter.snapshot()
        assert snap["cache_hits"] == 1 and snap["calls"] == 1

        other = Meter()
        reopened = _client(server, SqliteResponseCache(path, ttl_s=3600), other)
        assert _ask(reopened) == "Echo: hello"
        assert server.stats()["requests"] == 1
        assert other.snapshot()["cache_hits"] == 1 and other.snapshot()["input_tokens"] == 0

        assert _ask(client, "something else") == "Echo: something else"
        assert server.stats()["requests"] == 2


def test_expired_entries_and_streams_go_to_the_api(tmp_path: Path) -> None:
    now = [1000.0]
    cache = SqliteResponseCache(tmp_path / "c.sqlite", ttl_s=10, clock=lambda: now[0])
    with FakeAnthropic() as server:
        meter = Meter()
        client = _client(server, cache, meter)
        _ask(client)
        now[0] += 11
        _ask(client)
        assert server.stats()["requests"] == 2
        with client.messages.stream(model="claude-haiku-4-5", max_tokens=50,
                                    messages=[{"role": "user", "content": "hello"}]) as stream:
            assert stream.get_final_text() == "Echo: hello"
        assert server.stats()["requests"] == 3
        snap = meter.snapshot()
        assert snap["calls"] == 3 and snap["cache_hits"] == 0
        stats = server.stats()                   # the streamed answer's usage is metered too
        assert (snap["input_tokens"], snap["output_tokens"]) == (stats["input_tokens"], stats["output_tokens"])

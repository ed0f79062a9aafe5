"""The fake Messages API's prompt cache, through the real SDK: breakpoints, per-model minimums, TTLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from crm_crew.testing.anthropic_api import FakeAnthropic


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def fake() -> Iterator[tuple[FakeAnthropic, Clock]]:
    clock = Clock()
    with FakeAnthropic() as server:
        server.prompt_cache.clock = clock
        yield server, clock


def _ask(server: FakeAnthropic, model: str, chars: int, ttl: str | None = None, text: str = "hello") -> Any:
    control: dict[str, str] = {"type": "ephemeral", **({"ttl": ttl} if ttl else {})}
    return server.client().messages.create(
        model=model, max_tokens=20, messages=[{"role": "user", "content": text}],
        system=[{"type": "text", "text": "x" * chars, "cache_control": control}]).usage


def test_a_prefix_over_the_minimum_is_written_then_read_until_it_expires(fake: tuple[FakeAnthropic, Clock]) -> None:
    server, clock = fake
    first = _ask(server, "claude-haiku-4-5", 20_000)
    assert first.cache_creation_input_tokens > 4096 and first.cache_read_input_tokens == 0
    assert first.cache_creation.ephemeral_5m_input_tokens == first.cache_creation_input_tokens
    second = _ask(server, "claude-haiku-4-5", 20_000, text="other case")
    assert second.cache_read_input_tokens == first.cache_creation_input_tokens
    assert second.cache_creation_input_tokens == 0 and second.input_tokens < 50
    clock.now += 299                                # a read refreshes the 5 minutes
    assert _ask(server, "claude-haiku-4-5", 20_000).cache_read_input_tokens > 0
    clock.now += 301
    assert _ask(server, "claude-haiku-4-5", 20_000).cache_creation_input_tokens > 0
    stats = server.stats()
    assert stats["cache_write_5m_tokens"] == stats["cache_creation_input_tokens"] == 2 * first.cache_creation_input_tokens


def test_the_minimum_is_per_model_and_the_one_hour_ttl_is_reported_apart(fake: tuple[FakeAnthropic, Clock]) -> None:
    server, clock = fake
    short = _ask(server, "claude-haiku-4-5", 8_000)           # about 2,000 tokens: under Haiku 4.5's 4,096
    assert short.cache_creation_input_tokens == short.cache_read_input_tokens == 0
    assert _ask(server, "claude-haiku-4-5", 8_000).cache_read_input_tokens == 0
    sonnet = _ask(server, "claude-sonnet-4-5", 8_000, ttl="1h")   # over Sonnet 4.5's 1,024
    assert sonnet.cache_creation.ephemeral_1h_input_tokens == sonnet.cache_creation_input_tokens > 1024
    clock.now += 3000
    assert _ask(server, "claude-sonnet-4-5", 8_000, ttl="1h").cache_read_input_tokens > 0
    assert _ask(server, "claude-sonnet-4-6", 6_000).cache_creation_input_tokens == 0   # about 1,500: under 2,048


def test_more_than_four_breakpoints_are_refused(fake: tuple[FakeAnthropic, Clock]) -> None:
    server, _ = fake
    blocks = [{"type": "text", "text": f"part {i}", "cache_control": {"type": "ephemeral"}} for i in range(5)]
    with pytest.raises(anthropic.BadRequestError, match="maximum of 4 blocks with cache_control"):
        server.client().messages.create(model="claude-haiku-4-5", max_tokens=5, system=blocks,  # type: ignore[arg-type]
                                        messages=[{"role": "user", "content": "hi"}])

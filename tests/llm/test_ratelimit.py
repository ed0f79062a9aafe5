"""RateLimiter with a fake clock (requests, tokens, headers, pauses) and against the fake API's limits."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import anthropic
import httpx

from crm_crew.llm.breaker import CircuitBreaker
from crm_crew.llm.meter import Meter
from crm_crew.llm.ratelimit import RateLimiter, shared_limiter
from crm_crew.llm.transport import GovernedTransport, Governor, RetryPolicy
from crm_crew.testing.anthropic_api import FakeAnthropic


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def limiter(rpm: int = 100, itpm: int = 10_000, otpm: int = 10_000, window_s: float = 60.0) -> tuple[
        RateLimiter, FakeClock]:
    clock = FakeClock()
    return RateLimiter(rpm, itpm, otpm, window_s, clock=clock, sleep=clock.sleep), clock


def test_requests_never_exceed_rpm_in_any_window() -> None:
    lim, clock = limiter(rpm=3)
    times = []
    for _ in range(10):
        lim.acquire(1)
        times.append(clock.now)
    assert times[:3] == [1000.0] * 3
    assert times[3] > 1060.0                         # the 4th waits for the first to leave the window
    for i in range(len(times) - 3):
        assert times[i + 3] - times[i] > 60.0        # any 4 consecutive requests span more than a window


def test_acquire_returns_the_time_waited() -> None:
    lim, clock = limiter(rpm=1, window_s=10)
    assert lim.acquire(1) == 0.0
    waited = lim.acquire(1)
    assert 10.0 < waited < 12.0


def test_input_tokens_are_limited() -> None:
    lim, clock = limiter(itpm=100)
    lim.acquire(60)
    start = clock.now
    lim.acquire(30)
    assert clock.now == start                        # 90 <= 100
    lim.acquire(30)                                  # 120 > 100: waits for the first to expire
    assert clock.now > start + 60


def test_a_request_larger_than_the_limit_goes_alone() -> None:
    lim, clock = limiter(itpm=100)
    lim.acquire(500)
    lim.acquire(500)
    assert clock.now > 1060.0


def test_output_tokens_are_limited_once_spent() -> None:
    lim, clock = limiter(otpm=50)
    lim.acquire(1)
    lim.record_output(50)
    lim.acquire(1)                                   # the window is full of output: wait
    assert clock.now > 1060.0


def test_pause_holds_everyone() -> None:
    lim, clock = limiter()
    lim.pause(5)
    assert 5.0 <= lim.acquire(1) < 5.1


def _headers(limit: int, remaining: int, reset_in_s: float) -> dict[str, str]:
    reset = datetime.fromtimestamp(datetime.now(UTC).timestamp() + reset_in_s, UTC).isoformat()
    return {"anthropic-ratelimit-requests-limit": str(limit),
            "anthropic-ratelimit-requests-remaining": str(remaining),
            "anthropic-ratelimit-requests-reset": reset.replace("+00:00", "Z")}


def test_observe_adopts_a_lower_limit_only() -> None:
    lim, _ = limiter(rpm=100)
    lim.observe(_headers(500, 400, 10))
    assert lim.limits["rpm"] == 100
    lim.observe(_headers(20, 10, 10))
    assert lim.limits["rpm"] == 20


def test_observe_holds_until_reset_when_nothing_remains() -> None:
    lim, _ = limiter(rpm=100)
    lim.observe(_headers(100, 0, 8))
    assert 6.0 < lim.acquire(1) < 8.5


def test_shared_limiter_is_one_per_key() -> None:
    a = shared_limiter("test-shared-a", 1, 2, 3)
    assert shared_limiter("test-shared-a", 9, 9, 9) is a
    assert shared_limiter("test-shared-b", 1, 2, 3) is not a


def _client(server: FakeAnthropic, limiter: RateLimiter, meter: Meter) -> anthropic.Anthropic:
    gov = Governor(limiter=limiter, breaker=CircuitBreaker(5, 1.0), retry=RetryPolicy(0, 0.01, 0.05), cache=None,
                   inner=httpx.HTTPTransport())
    return anthropic.Anthropic(api_key=server.api_key, base_url=server.url, max_retries=0,
                               http_client=httpx.Client(transport=GovernedTransport(gov, meter)))


def _say(client: anthropic.Anthropic, text: str) -> str:
    message = client.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                     messages=[{"role": "user", "content": text}])
    block = message.content[0]
    assert isinstance(block, anthropic.types.TextBlock)
    return block.text


def test_many_threads_stay_under_the_server_limit() -> None:
    with FakeAnthropic(rpm=6, window_s=2) as server:
        meter = Meter()
        client = _client(server, RateLimiter(6, 100_000, 100_000, window_s=2), meter)
        answers: list[str] = []
        errors: list[BaseException] = []

        def work(worker: int) -> None:
            for i in range(3):
                try:
                    answers.append(_say(client, f"w{worker} r{i}"))
                except Exception as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(exc)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(answers) == 18
        stats = server.stats()
        assert stats["rate_limited"] == 0 and stats["requests"] == 18
        assert meter.snapshot()["calls"] == 18


def test_the_limiter_learns_the_server_limit_from_headers() -> None:
    with FakeAnthropic(rpm=4, window_s=2) as server:
        lim = RateLimiter(100, 100_000, 100_000, window_s=2)
        client = _client(server, lim, Meter())
        _say(client, "hello")
        assert lim.limits["rpm"] == 4
        for i in range(6):                        # more than the server allows in a window: the limiter waits
            _say(client, f"again {i}")
        assert server.stats()["rate_limited"] == 0

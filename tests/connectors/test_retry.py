"""The one retry policy: what it retries, how long it waits, when it gives up."""

from __future__ import annotations

import pytest

from crm_crew.connectors.retry import RetryPolicy, parse_retry_after
from crm_crew.errors import CrmAuthError, CrmRateLimited, CrmRecordError, CrmTransientError


def _policy(waits: list[float], attempts: int = 4) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, base_delay_s=1.0, max_delay_s=8.0, sleep=waits.append,
                       jitter=lambda low, high: high)


def _failing(errors: list[Exception]) -> object:
    calls = iter(errors)

    def request() -> str:
        error = next(calls, None)
        if error is not None:
            raise error
        return "ok"
    return request


def test_rate_limits_wait_as_long_as_asked_and_transients_back_off_exponentially() -> None:
    waits: list[float] = []
    policy = _policy(waits, attempts=5)
    result = policy.call(_failing([CrmRateLimited("429", retry_after_s=3.0), CrmTransientError("503"),
                                   CrmTransientError("timeout"), CrmRateLimited("429")]))  # type: ignore[arg-type]
    assert result == "ok"
    assert waits == [3.0, 2.0, 4.0, 8.0]   # Retry-After, then 1*2**1, 1*2**2, capped 8
    assert (policy.stats.retries, policy.stats.rate_limited, policy.stats.transient) == (4, 2, 2)


def test_full_jitter_stays_within_the_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=30.0)
    for attempt in range(1, 12):
        delay = policy.backoff(attempt)
        assert 0.0 <= delay <= min(30.0, 0.5 * 2 ** (attempt - 1))


@pytest.mark.parametrize("error", [CrmRecordError("400 bad", 400), CrmAuthError("401")])
def test_client_errors_are_never_retried(error: Exception) -> None:
    waits: list[float] = []
    with pytest.raises(type(error)):
        _policy(waits).call(_failing([error]))  # type: ignore[arg-type]
    assert waits == []


def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    waits: list[float] = []
    with pytest.raises(CrmTransientError, match="third"):
        _policy(waits, attempts=3).call(_failing([CrmTransientError("first"), CrmTransientError("second"),
                                                  CrmTransientError("third"), CrmTransientError("never")]))  # type: ignore[arg-type]
    assert len(waits) == 2


def test_retry_after_longer_than_the_cap_is_capped() -> None:
    waits: list[float] = []
    _policy(waits).call(_failing([CrmRateLimited("429", retry_after_s=3600)]))  # type: ignore[arg-type]
    assert waits == [8.0]


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("0.25") == 0.25
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0   # a date in the past: no wait


def test_the_request_gate_is_passed_before_every_attempt() -> None:
    passed: list[int] = []
    attempts = iter([CrmTransientError("503"), CrmTransientError("503"), None])

    def request() -> str:
        failure = next(attempts)
        if failure is not None:
            raise failure
        return "ok"

    policy = RetryPolicy(max_attempts=5, base_delay_s=0.0, sleep=lambda s: None, gate=lambda: passed.append(1))
    assert policy.call(request) == "ok"
    assert len(passed) == 3

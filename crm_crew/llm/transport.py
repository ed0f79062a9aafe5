"""The one choke point for model requests: an httpx transport under the anthropic SDK's client.

Every POST .../v1/messages passes the response cache, the circuit breaker, the shared rate limiter and the
one retry policy (the SDK's and crewai's retries are off), and its usage is metered. Anything else (e.g.
count_tokens) goes straight to the shared inner transport.

Errors: a CircuitOpenError raised here reaches the SDK, which wraps it: `anthropic.APIConnectionError` whose
`__cause__` is the CircuitOpenError (crewai re-raises the SDK's exception as is).
`crm_crew.llm.failures.model_unavailable_cause` finds it in an exception chain.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

import httpx

from crm_crew.llm.breaker import CircuitBreaker
from crm_crew.llm.meter import Meter, usage_counts
from crm_crew.llm.ratelimit import Limiter
from crm_crew.llm.response_cache import ResponseCache, cache_key
from crm_crew.observability import tracing
from crm_crew.observability.tracing_names import chat_attributes, usage_attributes

if TYPE_CHECKING:
    from opentelemetry.trace import Span

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504, 529})
CACHE_HEADER = "x-crm-crew-cache"
DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


@dataclass
class RetryPolicy:
    max_retries: int
    base_delay_s: float
    max_delay_s: float

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform over [0, min(max_delay_s, base_delay_s * 2**attempt)]."""
        return random.uniform(0.0, min(self.max_delay_s, self.base_delay_s * 2 ** attempt))


@dataclass
class Governor:
    """One per process per API endpoint, shared by every crew and thread."""

    limiter: Limiter
    breaker: CircuitBreaker
    retry: RetryPolicy
    cache: ResponseCache | None
    inner: httpx.BaseTransport                   # one shared connection pool


def retry_after_s(headers: httpx.Headers) -> float | None:
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if not value:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                continue
    return None


def _drain(response: httpx.Response) -> httpx.Response:
    """A complete copy of response (raw bytes, same headers), the original closed."""
    try:
        raw = b"".join(response.iter_raw())
    finally:
        response.close()
    return httpx.Response(response.status_code, headers=response.headers, content=raw,
                          extensions=response.extensions)


class _MeteredStream(httpx.SyncByteStream):
    """Passes a streamed (SSE) answer through and meters its usage when it ends."""

    def __init__(self, response: httpx.Response, on_usage: Callable[[dict[str, Any]], None], chat: Span) -> None:
        self._response = response
        self._on_usage = on_usage
        self._seen = bytearray()
        self.chat = chat                 # the request's span: it ends with the stream

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._response.iter_bytes():
            self._seen.extend(chunk)
            yield chunk

    def close(self) -> None:
        self._response.close()
        usage: dict[str, Any] = {}
        for line in self._seen.decode("utf-8", "replace").splitlines():
            if not line.startswith("data:"):
                continue
            try:
                event = json.loads(line[5:])
            except ValueError:
                continue
            found = (event.get("message") or {}).get("usage") if event.get("type") == "message_start" else \
                event.get("usage") if event.get("type") == "message_delta" else None
            if isinstance(found, dict):
                usage.update({k: v for k, v in found.items() if v is not None})
        if usage:
            self._on_usage(usage)
        self.chat.end()


class GovernedTransport(httpx.BaseTransport):
    def __init__(self, governor: Governor, meter: Meter) -> None:
        self.governor = governor
        self.meter = meter

    def close(self) -> None:
        """Nothing to close: the inner transport is shared by the whole process."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != "POST" or not request.url.path.endswith("/v1/messages"):
            return self.governor.inner.handle_request(request)
        content = request.read()
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {}
        model = str(body.get("model") or "unknown")
        chat = tracing.start_span(f"chat {model}", chat_attributes("anthropic", model), client=True)
        try:
            with tracing.using(chat):
                response = self._governed(request, content, body, model, chat)
        except BaseException as exc:
            tracing.fail(chat, exc)
            chat.end()
            raise
        if not isinstance(response.stream, _MeteredStream):
            chat.end()
        return response

    def _governed(self, request: httpx.Request, content: bytes, body: dict[str, Any], model: str,
                  chat: Span) -> httpx.Response:
        streaming = bool(body.get("stream"))
        cache = None if streaming else self.governor.cache
        key = None
        if cache is not None:
            # The beta header changes the answer's shape (e.g. structured outputs): part of the key.
            key = cache_key({**body, "__anthropic_beta": request.headers.get("anthropic-beta", "")})
            cached = cache.get(key)
            if cached is not None:
                self.meter.add(model, cache_hits=1)
                chat.set_attribute("crm_crew.response_cache_hit", True)
                return httpx.Response(200, json=cached, headers={CACHE_HEADER: "hit"})
        self.governor.breaker.before_call()
        response = self._send_with_retries(request, model, math.ceil(len(content) / 4))
        if response.status_code >= 300:
            chat.set_attribute("http.response.status_code", response.status_code)
            tracing.fail(chat, str(response.status_code))
            return response
        if streaming:
            return self._metered_stream(response, model, chat)
        return self._finish(_drain(response), model, key, chat)

    def _send_with_retries(self, request: httpx.Request, model: str, estimate: int) -> httpx.Response:
        gov = self.governor
        attempts = gov.retry.max_retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            gov.limiter.acquire(estimate)
            try:
                response = gov.inner.handle_request(request)
            except httpx.TransportError:        # includes every httpx.TimeoutException
                if last:
                    gov.breaker.failure()
                    raise
                self.meter.add(model, retries=1)
                tracing.event("retry", {"crm_crew.retry.attempt": attempt + 1, "error.type": "transport"})
                time.sleep(gov.retry.backoff(attempt))
                continue
            except Exception:
                gov.breaker.failure()
                raise
            status = response.status_code
            if status < 300:
                gov.breaker.success()
                gov.limiter.observe(response.headers)
                return response
            response = _drain(response)
            gov.limiter.observe(response.headers)
            if status == 429:
                self.meter.add(model, rate_limited=1)
                tracing.event("rate_limited", {"http.response.status_code": 429})
                if not last:
                    wait = retry_after_s(response.headers)
                    gov.limiter.pause(gov.retry.backoff(attempt) if wait is None else wait)
                    self.meter.add(model, retries=1)
                    tracing.event("retry", {"crm_crew.retry.attempt": attempt + 1, "http.response.status_code": 429})
                    continue
            elif status in RETRYABLE_STATUSES:
                if not last:
                    self.meter.add(model, retries=1)
                    tracing.event("retry", {"crm_crew.retry.attempt": attempt + 1, "http.response.status_code": status})
                    time.sleep(gov.retry.backoff(attempt))
                    continue
            else:                                  # another 4xx: the API answered, the request is at fault
                gov.breaker.success()
                return response
            gov.breaker.failure()
            return response
        raise AssertionError("unreachable")

    def _finish(self, response: httpx.Response, model: str, key: str | None, chat: Span) -> httpx.Response:
        try:
            answer = response.json()
        except ValueError:
            return response
        usage = answer.get("usage") if isinstance(answer, dict) else None
        if isinstance(usage, dict):
            self._meter_usage(model, usage, chat)
        if key is not None and self.governor.cache is not None and isinstance(answer, dict):
            self.governor.cache.put(key, answer)
        return response

    def _meter_usage(self, model: str, usage: dict[str, Any], chat: Span) -> None:
        chat.set_attributes(usage_attributes(usage))
        output = int(usage.get("output_tokens") or 0)
        self.governor.limiter.record_output(output)
        self.meter.add(model, calls=1, **usage_counts(usage))

    def _metered_stream(self, response: httpx.Response, model: str, chat: Span) -> httpx.Response:
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in DROPPED_HEADERS]
        stream = _MeteredStream(response, lambda usage: self._meter_usage(model, usage, chat), chat)
        return httpx.Response(response.status_code, headers=headers, extensions=response.extensions, stream=stream)


class AsyncGovernedTransport(httpx.AsyncBaseTransport):
    """The async client's way through the same governed transport: each request runs in a worker thread."""

    def __init__(self, governed: GovernedTransport) -> None:
        self.governed = governed

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        await request.aread()

        def send() -> httpx.Response:
            response = self.governed.handle_request(request)
            try:
                content = response.read()             # decoded: the encoding headers go
            finally:
                response.close()
            headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in DROPPED_HEADERS]
            return httpx.Response(response.status_code, headers=headers, content=content,
                                  extensions=response.extensions)

        return await asyncio.to_thread(send)

    async def aclose(self) -> None:
        """Nothing to close: the inner transport is shared by the whole process."""

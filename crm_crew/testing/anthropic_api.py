"""A fake Anthropic Messages API on loopback, for driving the real `anthropic` SDK (and crewai) offline.

  POST /v1/messages               validated like the real API; the answer comes from a policy (see
                                  anthropic_policies); `stop_sequences`, `max_tokens` and `stream: true` (SSE)
                                  prompt caching (cache_control breakpoints, per-model minimum, 5 m / 1 h TTL,
                                  cache counters in usage): see anthropic_cache
  POST /v1/messages/count_tokens  {"input_tokens": N}, the same estimate as a whole uncached prompt
  /v1/messages/batches...         Message Batches (create, retrieve, results, cancel): see anthropic_batches

Auth is the `x-api-key` header (else 401 authentication_error); `anthropic-version` is required. Errors have
the real shape `{"type": "error", "error": {"type", "message"}, "request_id"}`. Every API response carries
`request-id` and the `anthropic-ratelimit-{requests,input-tokens,output-tokens,tokens}-{limit,remaining,reset}`
headers (reset in RFC 3339). Limits (`rpm`, `itpm`, `otpm`) are enforced over a rolling window (`window_s`,
60 s unless set) on /v1/messages only (token counting has its own limits at Anthropic and is not counted here);
over a limit: 429 rate_limit_error with `retry-after` (seconds). Unset limits are not enforced; the headers then report
DEFAULT_LIMITS.

Faults (only on POST /v1/messages): `inject("rate_limit" | "overloaded" | "api_error" | "timeout", count)`,
or seeded random rates via `configure_faults(rate_429=, rate_529=, rate_5xx=, rate_timeout=, ...)`. A timeout
fault sleeps `timeout_s` before answering normally. The base admin API (/_emulator/...) works too, plus
`POST /_emulator/limits {"rpm", "itpm", "otpm"}` and `GET /_emulator/stats`.

    with FakeAnthropic(policy=tool_then_text_policy, rpm=50) as server:
        client = anthropic.Anthropic(**server.connection()["client_kwargs"], max_retries=0)
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import deque
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from typing import Any

from crm_crew.testing.anthropic_batches import BATCHES, FakeBatches
from crm_crew.testing.anthropic_cache import PromptCache, cache_problem
from crm_crew.testing.anthropic_policies import (
    Policy,
    Reply,
    count_input_tokens,
    count_text_tokens,
    count_tool_call_tokens,
    echo_policy,
    validate,
)
from crm_crew.testing.emulator import ADMIN_PREFIX, Emulator, Fault, Faults, Request, Response, _handler_for

DEFAULT_API_KEY = "sk-ant-fake-0123456789"
TIMEOUT = 0                                       # the Fault status of an injected timeout
FAULT_KINDS: dict[str, int] = {"rate_limit": 429, "overloaded": 529, "api_error": 500, "timeout": TIMEOUT}
DEFAULT_LIMITS: dict[str, int] = {"rpm": 4000, "itpm": 2_000_000, "otpm": 400_000}
WINDOW_S = 60.0
MESSAGES, COUNT_TOKENS = "/v1/messages", "/v1/messages/count_tokens"
TOKEN_COUNTERS = ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens",
                  "cache_write_5m_tokens", "cache_write_1h_tokens")


def error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"type": "error", "error": {"type": kind, "message": message}}, headers or {})


def _rfc3339(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class AnthropicFaults(Faults):
    """The base faults plus random 529s and timeouts; random 5xx are 500s. Seeded."""

    def reset(self) -> None:
        super().reset()
        self.rate_529 = 0.0
        self.rate_timeout = 0.0
        self.timeout_s = 5.0

    def configure(self, rate_429: float | None = None, rate_5xx: float | None = None,
                  retry_after_s: float | None = None, latency_s: float | None = None,
                  seed: int | None = None, after_ratio: float | None = None, *,
                  rate_529: float | None = None, rate_timeout: float | None = None,
                  timeout_s: float | None = None) -> None:
        super().configure(rate_429, rate_5xx, retry_after_s, latency_s, seed, after_ratio)
        with self._lock:
            self.rate_529 = self.rate_529 if rate_529 is None else rate_529
            self.rate_timeout = self.rate_timeout if rate_timeout is None else rate_timeout
            self.timeout_s = self.timeout_s if timeout_s is None else timeout_s

    def draw(self, request: Request) -> Fault | None:
        draw = self.random.random()
        for status, rate in ((429, self.rate_429), (529, self.rate_529), (500, self.rate_5xx),
                             (TIMEOUT, self.rate_timeout)):
            if draw < rate:
                return Fault(status, retry_after_s=self.retry_after_s if status == 429 else None)
            draw -= rate
        return None


class FakeAnthropic(Emulator):
    name = "anthropic"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api_key: str = DEFAULT_API_KEY, *,
                 policy: Policy = echo_policy, rpm: int | None = None, itpm: int | None = None,
                 otpm: int | None = None, latency_s: float = 0.0, seed: int = 0,
                 models: list[str] | None = None, window_s: float = WINDOW_S) -> None:
        super().__init__(host, port, token=api_key)
        self.api_key = api_key
        self.policy = policy
        self.models = models                      # None: any model name is accepted, else 404 for others
        self.faults: AnthropicFaults = AnthropicFaults()
        self.faults.configure(latency_s=latency_s, seed=seed)
        self.limits: dict[str, int | None] = {"rpm": rpm, "itpm": itpm, "otpm": otpm}
        self.window_s = window_s                  # the rolling rate-limit window ("per minute": 60 s)
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self.batches = FakeBatches(self._serve, error, lambda: self.url)
        self.prompt_cache = PromptCache()
        self._arrival = threading.local()

    # --- configuration ---------------------------------------------------------------
    def set_policy(self, policy: Policy) -> None:
        self.policy = policy

    def set_limits(self, rpm: int | None = None, itpm: int | None = None, otpm: int | None = None) -> None:
        """Requests / input tokens / output tokens per minute; None: not enforced."""
        with self.lock:
            self.limits = {"rpm": rpm, "itpm": itpm, "otpm": otpm}

    def inject(self, kind: str, count: int = 1, retry_after_s: float | None = None) -> None:
        """The next `count` messages requests get this fault (rate_limit, overloaded, api_error, timeout)."""
        self.faults.schedule(FAULT_KINDS[kind], count, "POST", MESSAGES, retry_after_s)

    def configure_batches(self, delay_s: float | None = None, errored: int | None = None,
                          expired: int | None = None) -> None:
        """Message Batches: processing time, and how many requests of each new batch end errored / expired."""
        self.batches.configure(delay_s, errored, expired)

    def configure_faults(self, **kwargs: Any) -> None:
        """rate_429, rate_529, rate_5xx, rate_timeout, timeout_s, retry_after_s, latency_s, seed."""
        self.faults.configure(**kwargs)

    def connection(self) -> dict[str, Any]:
        return {"base_url": self.url, "api_key": self.api_key,
                "client_kwargs": {"api_key": self.api_key, "base_url": self.url},
                "env": {"ANTHROPIC_API_KEY": self.api_key, "ANTHROPIC_BASE_URL": self.url}}

    def client(self, **kwargs: Any) -> Any:
        """An `anthropic.Anthropic` pointed here (max_retries=0 unless given)."""
        import anthropic

        return anthropic.Anthropic(**{"api_key": self.api_key, "base_url": self.url, "max_retries": 0, **kwargs})

    # --- state -----------------------------------------------------------------------
    def reset_records(self) -> None:
        self.window: deque[list[Any]] = deque()                 # [t, input tokens, output tokens] served
        self.calls: list[dict[str, Any]] = []                   # {"t", "path", "status", "body"} of API calls
        self.counters: dict[str, Any] = {"requests": 0, "count_tokens_requests": 0, "rate_limited": 0,
                                         "errors": {}, **{k: 0 for k in TOKEN_COUNTERS}, "per_model": {},
                                         "batch_requests": 0, "batch": {k: 0 for k in ("requests", *TOKEN_COUNTERS)}}
        if hasattr(self, "batches"):
            self.batches.reset()
        if hasattr(self, "prompt_cache"):
            self.prompt_cache.reset()

    def stats(self) -> dict[str, Any]:
        """Counters of the API served: requests and every token class of usage (input_tokens, output_tokens,
        cache_read_input_tokens, cache_creation_input_tokens and its cache_write_5m / cache_write_1h split),
        in total, per model and, in `batch`, those answered in Message Batches (included in the totals)."""
        with self.lock:
            stats = json.loads(json.dumps(self.counters))
        return {**stats, "batches_created": self.batches.created}

    def snapshot(self) -> dict[str, Any]:
        return {"stats": self.stats(), "limits": dict(self.limits)}

    def stop(self) -> None:
        self._stopping.set()                      # wakes requests sleeping on a timeout fault
        super().stop()

    def start(self) -> FakeAnthropic:
        """Plain HTTP; the serve loop polls every 50 ms so `stop()` is quick (the base waits up to 0.5 s)."""
        self._stopping.clear()
        server = ThreadingHTTPServer((self.host, self.requested_port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{self.name}-emulator", daemon=True)
        self._thread.start()
        return self

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    # --- errors ----------------------------------------------------------------------
    def fault_response(self, fault: Fault, request: Request) -> Response:
        """429 always carries retry-after (1 s unless set); other statuses only when the fault sets it."""
        retry = fault.retry_after_s
        headers = {} if retry is None else {"retry-after": f"{retry:g}"}
        if fault.status == 401:
            return error(401, "authentication_error", "invalid x-api-key")
        if fault.status == 429:
            return error(429, "rate_limit_error", "Number of requests has exceeded your rate limit (injected).",
                         headers or {"retry-after": "1"})
        if fault.status == 529:
            return error(529, "overloaded_error", "Overloaded", headers)
        return error(fault.status, "api_error", "Internal server error", headers)

    # --- rate limits -----------------------------------------------------------------
    def _prune(self, now: float) -> None:
        while self.window and self.window[0][0] <= now - self.window_s:
            self.window.popleft()

    def _over_limit(self, now: float, input_tokens: int) -> tuple[str, float] | None:
        """(which limit, seconds until it admits this request) when this request would go over one."""
        checks = (("requests", "rpm", [(t, 1) for t, _, _ in self.window], 1),
                  ("input tokens", "itpm", [(t, i) for t, i, _ in self.window], input_tokens),
                  ("output tokens", "otpm", [(t, o) for t, _, o in self.window], 0))
        for label, key, entries, extra in checks:
            limit = self.limits[key]
            if limit is None:
                continue

            def fits(total: int, extra: int = extra, limit: int = limit) -> bool:
                return total + extra <= limit if extra else total < limit

            total = sum(n for _, n in entries)
            if fits(total):
                continue
            for t, n in entries:                  # wait until enough of the window has expired
                total -= n
                if fits(total):
                    return label, max(0.0, t + self.window_s - now)
            return label, self.window_s
        return None

    def _limit_headers(self, now: float) -> dict[str, str]:
        headers: dict[str, str] = {}
        oldest = self.window[0][0] + self.window_s if self.window else now
        remaining: dict[str, tuple[int, int]] = {}
        for key, name, used in (("rpm", "requests", len(self.window)),
                                ("itpm", "input-tokens", sum(i for _, i, _ in self.window)),
                                ("otpm", "output-tokens", sum(o for _, _, o in self.window))):
            limit = self.limits[key] or DEFAULT_LIMITS[key]
            remaining[name] = (limit, max(0, limit - used))
            headers[f"anthropic-ratelimit-{name}-limit"] = str(limit)
            headers[f"anthropic-ratelimit-{name}-remaining"] = str(max(0, limit - used))
            headers[f"anthropic-ratelimit-{name}-reset"] = _rfc3339(oldest)
        limit, left = min(remaining["input-tokens"], remaining["output-tokens"], key=lambda p: p[1])
        headers.update({"anthropic-ratelimit-tokens-limit": str(limit),
                        "anthropic-ratelimit-tokens-remaining": str(left),
                        "anthropic-ratelimit-tokens-reset": _rfc3339(oldest)})
        return headers

    # --- dispatch --------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        if request.path.startswith(ADMIN_PREFIX):
            return self._admin(request)
        self._arrival.t = self.prompt_cache.clock()          # what the prompt cache holds for this request
        if self.faults.latency_s:
            self._stopping.wait(self.faults.latency_s)
        request_id = f"req_fake{next(self._ids):018d}"
        body: Any = None
        try:
            body = request.json()
        except ValueError:
            pass
        response = self._api(request, body)
        now = time.time()
        with self.lock:
            self._prune(now)
            response.headers.update(self._limit_headers(now))
            if response.status >= 400:
                errors = self.counters["errors"]
                errors[str(response.status)] = errors.get(str(response.status), 0) + 1
                self.counters["rate_limited"] += response.status == 429
            self.calls.append({"t": now, "path": request.path, "status": response.status, "body": body})
        response.headers["request-id"] = request_id
        if isinstance(response.body, dict) and response.body.get("type") == "error":
            response.body["request_id"] = request_id
        return response

    def _admin(self, request: Request) -> Response:
        action = request.path[len(ADMIN_PREFIX):]
        if request.method == "POST" and action == "limits":
            spec = request.json() or {}
            self.set_limits(spec.get("rpm"), spec.get("itpm"), spec.get("otpm"))
            return Response(204)
        if request.method == "GET" and action == "stats":
            return Response(200, self.stats())
        if request.method == "POST" and action == "faults":
            spec = request.json() or {}
            self.faults.configure(rate_529=spec.get("rate_529"), rate_timeout=spec.get("rate_timeout"),
                                  timeout_s=spec.get("timeout_s"))
        return super()._admin(request)

    def _api(self, request: Request, body: Any) -> Response:
        batches = request.path == BATCHES or request.path.startswith(BATCHES + "/")
        if not batches and (request.method != "POST" or request.path not in (MESSAGES, COUNT_TOKENS)):
            return error(404, "not_found_error", f"Not found: {request.method} {request.path}")
        if request.headers.get("x-api-key") != self.api_key:
            return error(401, "authentication_error", "invalid x-api-key")
        if not request.headers.get("anthropic-version"):
            return error(400, "invalid_request_error", "anthropic-version: header is required")
        if batches:
            return self.batches.handle(request, body)
        if not isinstance(body, dict):
            return error(400, "invalid_request_error", "There was an error parsing the body of your request.")
        problem = self._request_problem(body, for_count=request.path == COUNT_TOKENS)
        if problem is not None:
            return problem
        input_tokens = count_input_tokens(body)
        if request.path == COUNT_TOKENS:
            with self.lock:
                self.counters["count_tokens_requests"] += 1
            return Response(200, {"input_tokens": input_tokens})
        fault = self.faults.pick(request)
        if fault is not None and fault.status == TIMEOUT:
            self._stopping.wait(self.faults.timeout_s)
        elif fault is not None:
            return self.fault_response(fault, request)
        with self.lock:
            now = time.time()
            self._prune(now)
            over = self._over_limit(now, input_tokens)
            entry = [now, input_tokens, 0]
            if over is None:
                self.window.append(entry)
        if over is not None:
            return error(429, "rate_limit_error", f"This request would exceed the rate limit for {over[0]} "
                         "per minute. Please retry after the time in the retry-after header.",
                         {"retry-after": str(max(1, math.ceil(over[1])))})
        return self._answer(body, input_tokens, entry)

    def _request_problem(self, body: dict[str, Any], for_count: bool = False) -> Response | None:
        problem = validate(body, for_count=for_count) or cache_problem(body)
        if problem:
            return error(400, "invalid_request_error", problem)
        if self.models is not None and body["model"] not in self.models:
            return error(404, "not_found_error", f"model: {body['model']}")
        return None

    def _serve(self, params: dict[str, Any]) -> Response:
        """One request of a Message Batch: validated and answered like POST /v1/messages, without rate limits."""
        problem = self._request_problem(params)
        if problem is not None:
            return problem
        return self._answer(params, count_input_tokens(params), None, batch=True)

    def _answer(self, body: dict[str, Any], input_tokens: int, entry: list[Any] | None,
                batch: bool = False) -> Response:
        """The policy's answer, counted; `entry` is the request's place in the rate-limit window."""
        try:
            reply = self.policy(body)
            message = self._message(body, reply, input_tokens)
        except Exception as exc:  # a policy bug answers like the real API's internal error
            return error(500, "api_error", f"fake policy failed: {type(exc).__name__}: {exc}")
        arrived = None if batch else getattr(self._arrival, "t", None)
        message["usage"].update(self.prompt_cache.use(body, input_tokens, arrived).usage(input_tokens))
        usage = message["usage"]
        served = {"input_tokens": usage["input_tokens"], "output_tokens": usage["output_tokens"],
                  "cache_read_input_tokens": usage["cache_read_input_tokens"],
                  "cache_creation_input_tokens": usage["cache_creation_input_tokens"],
                  "cache_write_5m_tokens": usage["cache_creation"]["ephemeral_5m_input_tokens"],
                  "cache_write_1h_tokens": usage["cache_creation"]["ephemeral_1h_input_tokens"]}
        with self.lock:
            if entry is not None:
                entry[2] = usage["output_tokens"]
            counters = self.counters
            model = counters["per_model"].setdefault(body["model"], {"requests": 0, **{k: 0 for k in TOKEN_COUNTERS}})
            books = (counters, model, counters["batch"]) if batch else (counters, model)
            for book in books:
                book["requests"] += 1
                for key, amount in served.items():
                    book[key] += amount
            counters["batch_requests"] += batch
        if body.get("stream"):
            return Response(200, sse(message), {"Content-Type": "text/event-stream; charset=utf-8",
                                                "Cache-Control": "no-cache"})
        return Response(200, message)

    def _message(self, body: dict[str, Any], reply: Reply, input_tokens: int) -> dict[str, Any]:
        declared = {t.get("name") for t in body.get("tools") or []}
        for name, _ in reply.tool_calls:
            if name not in declared:
                raise ValueError(f"the policy called tool {name!r}, which the request did not declare")
        text, stop_reason, stop_sequence = reply.text, "end_turn", None
        calls = list(reply.tool_calls)
        cut = [(text.find(s), s) for s in body.get("stop_sequences") or [] if s and s in text]
        if cut:
            position, stop_sequence = min(cut)
            text, calls, stop_reason = text[:position], [], "stop_sequence"
        elif calls:
            stop_reason = "tool_use"
        budget = int(body["max_tokens"])
        if count_text_tokens(text) > budget:
            text, calls, stop_reason, stop_sequence = text[:budget * 4], [], "max_tokens", None
        output_tokens = count_text_tokens(text)
        content: list[dict[str, Any]] = [{"type": "text", "text": text}] if text or not calls else []
        for name, tool_input in calls:
            cost = count_tool_call_tokens(name, tool_input)
            if output_tokens + cost > budget:
                stop_reason, stop_sequence = "max_tokens", None
                break
            output_tokens += cost
            content.append({"type": "tool_use", "id": f"toolu_fake{next(self._ids):020d}", "name": name,
                            "input": tool_input})
        return {"id": f"msg_fake{next(self._ids):020d}", "type": "message", "role": "assistant",
                "model": body["model"], "content": content, "stop_reason": stop_reason,
                "stop_sequence": stop_sequence,
                "usage": {"input_tokens": input_tokens, "output_tokens": max(1, output_tokens),
                          "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                          "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}}


def sse(message: dict[str, Any]) -> bytes:
    """A finished message as the Messages streaming events (text in 16-character deltas)."""
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"message": {**message, "content": [], "stop_reason": None, "stop_sequence": None,
                                       "usage": {**message["usage"], "output_tokens": 1}}})]
    for index, block in enumerate(message["content"]):
        if block["type"] == "text":
            events.append(("content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}}))
            for i in range(0, len(block["text"]), 16):
                events.append(("content_block_delta", {"index": index, "delta": {
                    "type": "text_delta", "text": block["text"][i:i + 16]}}))
        else:
            events.append(("content_block_start", {"index": index, "content_block": {**block, "input": {}}}))
            events.append(("content_block_delta", {"index": index, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(block["input"])}}))
        events.append(("content_block_stop", {"index": index}))
    events.append(("message_delta", {"delta": {"stop_reason": message["stop_reason"],
                                               "stop_sequence": message["stop_sequence"]},
                                     "usage": {"output_tokens": message["usage"]["output_tokens"]}}))
    events.append(("message_stop", {}))
    return "".join(f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n"
                   for name, data in events).encode("utf-8")

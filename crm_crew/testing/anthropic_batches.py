"""The Message Batches endpoints of the fake Anthropic API (crm_crew/testing/anthropic_api.py).

  POST /v1/messages/batches                  {"requests": [{"custom_id", "params"}]}: a message_batch
  GET  /v1/messages/batches/{id}             the batch: `processing_status`, `request_counts`, `results_url`
  GET  /v1/messages/batches/{id}/results     JSON Lines, one {"custom_id", "result"} per request, once ended
  POST /v1/messages/batches/{id}/cancel      processing stops; unfinished requests end `canceled`

Each request is answered by the server's policy when the batch is created (validated like POST /v1/messages,
counted in the server's `requests` and tokens, and in `batch_requests`); the batch reports them only once it
has ended, `delay_s` after creation (like the real API, request counts other than `processing` are zero
until then). Outcomes to test the fallbacks: the first `errored` requests of each new batch end `errored`
(an api_error), the next `expired` ones `expired` (a batch not finished within 24 hours). Rate limits and
injected faults apply to POST /v1/messages only. `stats()["batches_created"]` counts the batches.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crm_crew.testing.emulator import Request, Response

BATCHES = "/v1/messages/batches"
MAX_REQUESTS = 100_000
CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}")
DAY_S = 24 * 3600

Answer = Callable[[dict[str, Any]], Response]          # params -> what POST /v1/messages would answer
ErrorResponse = Callable[[int, str, str], Response]


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class _Batch:
    id: str
    created_at: float
    ends_at: float
    results: list[dict[str, Any]]                     # {"custom_id", "result"} in request order
    cancel_initiated_at: float | None = None

    def ended(self, now: float) -> bool:
        return now >= self.ends_at


class FakeBatches:
    def __init__(self, answer: Answer, error: ErrorResponse, base_url: Callable[[], str]) -> None:
        self._answer = answer
        self._error = error
        self._base_url = base_url
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.batches: dict[str, _Batch] = {}
            self.delay_s = 0.0
            self.errored = 0
            self.expired = 0
            self.created = 0

    def configure(self, delay_s: float | None = None, errored: int | None = None,
                  expired: int | None = None) -> None:
        """`delay_s`: processing time of each new batch; the first `errored`, then `expired`, requests of each
        new batch end so."""
        with self._lock:
            self.delay_s = self.delay_s if delay_s is None else delay_s
            self.errored = self.errored if errored is None else errored
            self.expired = self.expired if expired is None else expired

    def handle(self, request: Request, body: Any) -> Response:
        rest = request.path[len(BATCHES):].strip("/")
        parts = rest.split("/") if rest else []
        if request.method == "POST" and not parts:
            return self._create(body)
        batch = self.batches.get(parts[0]) if parts else None
        if batch is None:
            return self._error(404, "not_found_error", f"Not found: {request.method} {request.path}")
        if request.method == "GET" and len(parts) == 1:
            return Response(200, self._view(batch))
        if request.method == "GET" and parts[1:] == ["results"]:
            return self._results(batch)
        if request.method == "POST" and parts[1:] == ["cancel"]:
            return self._cancel(batch)
        return self._error(404, "not_found_error", f"Not found: {request.method} {request.path}")

    def _create(self, body: Any) -> Response:
        requests = body.get("requests") if isinstance(body, dict) else None
        problem = self._problem(requests)
        if problem:
            return self._error(400, "invalid_request_error", problem)
        assert isinstance(requests, list)
        with self._lock:
            errored, expired, delay = self.errored, self.expired, self.delay_s
        results = []
        for index, item in enumerate(requests):
            if index < errored:
                result: dict[str, Any] = {"type": "errored", "error": {"type": "error", "error": {
                    "type": "api_error", "message": "Internal server error (injected)"}}}
            elif index < errored + expired:
                result = {"type": "expired"}
            else:
                result = self._outcome(item["params"])
            results.append({"custom_id": item["custom_id"], "result": result})
        now = time.time()
        batch = _Batch(f"msgbatch_fake{next(self._ids):018d}", now, now + delay, results)
        with self._lock:
            self.batches[batch.id] = batch
            self.created += 1
        return Response(200, self._view(batch))

    @staticmethod
    def _problem(requests: Any) -> str | None:
        if not isinstance(requests, list) or not requests:
            return "requests: a non-empty list is required"
        if len(requests) > MAX_REQUESTS:
            return f"requests: at most {MAX_REQUESTS} requests per batch"
        seen: set[str] = set()
        for index, item in enumerate(requests):
            custom_id = item.get("custom_id") if isinstance(item, dict) else None
            if not isinstance(custom_id, str) or not CUSTOM_ID.fullmatch(custom_id):
                return f"requests.{index}.custom_id: 1 to 64 characters of a-z, A-Z, 0-9, _ and - are required"
            if custom_id in seen:
                return f"requests.{index}.custom_id: {custom_id!r} is not unique in this batch"
            seen.add(custom_id)
            if not isinstance(item.get("params"), dict):
                return f"requests.{index}.params: an object is required"
        return None

    def _outcome(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("stream"):
            response = self._error(400, "invalid_request_error", "stream: not allowed in a batch")
        else:
            response = self._answer(params)
        if response.status == 200:
            return {"type": "succeeded", "message": response.body}
        return {"type": "errored", "error": response.body}

    def _cancel(self, batch: _Batch) -> Response:
        now = time.time()
        with self._lock:
            if not batch.ended(now) and batch.cancel_initiated_at is None:
                batch.cancel_initiated_at = now
                batch.results = [{**r, "result": {"type": "canceled"}} for r in batch.results]
                batch.ends_at = now
        view = self._view(batch)
        if batch.cancel_initiated_at is not None and view["processing_status"] == "ended":
            view["processing_status"] = "canceling"      # the cancel call's own answer
        return Response(200, view)

    def _view(self, batch: _Batch) -> dict[str, Any]:
        now = time.time()
        ended = batch.ended(now)
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if ended:
            for item in batch.results:
                counts[item["result"]["type"]] += 1
        else:
            counts["processing"] = len(batch.results)
        return {"id": batch.id, "type": "message_batch",
                "processing_status": "ended" if ended else "in_progress", "request_counts": counts,
                "ended_at": _iso(batch.ends_at) if ended else None, "created_at": _iso(batch.created_at),
                "expires_at": _iso(batch.created_at + DAY_S), "archived_at": None,
                "cancel_initiated_at": _iso(batch.cancel_initiated_at) if batch.cancel_initiated_at else None,
                "results_url": f"{self._base_url()}{BATCHES}/{batch.id}/results" if ended else None}

    def _results(self, batch: _Batch) -> Response:
        if not batch.ended(time.time()):
            return self._error(400, "invalid_request_error", f"Message Batch {batch.id} has not yet ended")
        lines = "".join(json.dumps(item) + "\n" for item in batch.results)
        return Response(200, lines.encode("utf-8"), {"Content-Type": "application/binary"})

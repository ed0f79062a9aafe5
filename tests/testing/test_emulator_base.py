"""The emulator base: auth, faults (before and after the write), latency, allowance, admin API, TLS."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from typing import Any

import pytest

from crm_crew.testing.emulator import Emulator, Fault, Request, Response


class Counter(Emulator):
    """A one-resource emulator: POST /items adds an item."""

    name = "counter"

    def reset_records(self) -> None:
        self.items: list[Any] = []

    def handle(self, request: Request) -> Response:
        if request.method == "POST" and request.path == "/items":
            with self.lock:
                self.items.append(request.json())
            return Response(201, {"n": len(self.items)})
        return Response(404, {"error": "no such path"})

    def fault_response(self, fault: Fault, request: Request) -> Response:
        headers = {} if fault.retry_after_s is None else {"Retry-After": str(fault.retry_after_s)}
        return Response(fault.status, {"error": f"fault {fault.status}"}, headers)

    def snapshot(self) -> dict[str, Any]:
        return {"items": list(self.items)}


def call(emulator: Emulator, method: str, path: str, body: Any = None, token: str = "sandbox-token",
         context: ssl.SSLContext | None = None) -> tuple[int, Any, dict[str, str]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(emulator.url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5, context=context) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None, dict(response.headers)
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        return exc.code, json.loads(raw) if raw else None, dict(exc.headers)


@pytest.fixture(scope="module")
def emulator() -> Any:
    with Counter() as running:
        yield running


@pytest.fixture(autouse=True)
def _reset(emulator: Counter) -> None:
    emulator.reset()
    emulator.token = "sandbox-token"


def test_auth_and_routing(emulator: Counter) -> None:
    assert call(emulator, "POST", "/items", {"a": 1})[:2] == (201, {"n": 1})
    assert call(emulator, "POST", "/items", {"a": 2}, token="wrong")[0] == 401
    emulator.expire_session()
    assert call(emulator, "POST", "/items", {"a": 3})[0] == 401
    assert emulator.snapshot() == {"items": [{"a": 1}]}
    assert [(r.method, r.status) for r in emulator.requests_matching(prefix="/items")] == \
        [("POST", 201), ("POST", 401), ("POST", 401)]


def test_scheduled_faults_before_and_after_the_write(emulator: Counter) -> None:
    emulator.faults.schedule(429, retry_after_s=2, method="POST")
    status, body, headers = call(emulator, "POST", "/items", {"a": 1})
    assert (status, body, headers["Retry-After"]) == (429, {"error": "fault 429"}, "2")
    assert emulator.snapshot() == {"items": []}                 # answered before the write
    emulator.faults.schedule(503, after=True)
    assert call(emulator, "POST", "/items", {"a": 2})[0] == 503
    assert emulator.snapshot() == {"items": [{"a": 2}]}         # written, then the answer was lost
    assert call(emulator, "POST", "/items", {"a": 3})[0] == 201


def test_random_faults_are_seeded_and_roughly_at_the_rate(emulator: Counter) -> None:
    emulator.faults.configure(rate_429=0.2, rate_5xx=0.1, seed=7)
    codes = [call(emulator, "POST", "/items", {"i": i})[0] for i in range(200)]
    assert 25 <= codes.count(429) <= 55 and 8 <= sum(c >= 500 for c in codes) <= 35
    emulator.reset()
    emulator.faults.configure(rate_429=0.2, rate_5xx=0.1, seed=7)
    assert [call(emulator, "POST", "/items", {"i": i})[0] for i in range(200)] == codes


def test_daily_allowance(emulator: Counter) -> None:
    emulator.daily_limit = 2
    assert [call(emulator, "POST", "/items", {})[0] for _ in range(3)] == [201, 201, 403]


def test_admin_api_steers_a_running_sandbox(emulator: Counter) -> None:
    call(emulator, "POST", "/items", {"a": 1})
    assert call(emulator, "GET", "/_emulator/state", token="") [:2] == (200, {"items": [{"a": 1}]})
    assert call(emulator, "POST", "/_emulator/faults", {"schedule": [{"status": 500, "count": 2}]})[0] == 204
    assert [call(emulator, "POST", "/items", {})[0] for _ in range(3)] == [500, 500, 201]
    log = call(emulator, "GET", "/_emulator/requests")[1]
    assert [entry["status"] for entry in log] == [201, 500, 500, 201]
    assert call(emulator, "POST", "/_emulator/reset")[0] == 204
    assert emulator.snapshot() == {"items": []}
    assert call(emulator, "POST", "/_emulator/faults", {"expire_session": True})[0] == 204
    assert call(emulator, "POST", "/items", {})[0] == 401


def test_tls_with_a_generated_certificate(tmp_path: Any) -> None:
    class Secure(Counter):
        tls = True

    with Secure(cert_dir=tmp_path) as secure:
        assert secure.url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(secure.cert_path))
        assert call(secure, "POST", "/items", {"a": 1}, context=trusted)[0] == 201
        with pytest.raises(urllib.error.URLError):
            call(secure, "POST", "/items", {"a": 1}, context=ssl.create_default_context())

"""The base every CRM emulator shares: a real HTTP(S) server on loopback, faults on demand.

An emulator subclass implements `handle(request) -> Response` for its API and
`fault_response(fault)` to shape injected errors the way that API does. The base owns
the server thread, bearer-token auth, injected latency and faults, the daily request
allowance, a request log (for rate-limit assertions), and a small admin API under
`/_emulator/` so a sandbox started in one terminal can be steered from another:

  GET  /_emulator/state    the emulator's records (as `snapshot()` returns them)
  GET  /_emulator/requests request log: [{"t", "method", "path", "status"}]
  POST /_emulator/faults   {"rate_429", "rate_5xx", "retry_after_s", "latency_s", "seed", "after_ratio",
                            "schedule": [{"status", "count", "method", "path", "retry_after_s", "after"}],
                            "expire_session": true, "daily_limit": N}
  POST /_emulator/reset    forget every record, fault and logged request
"""

from __future__ import annotations

import json
import random
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

ADMIN_PREFIX = "/_emulator/"
DEFAULT_TOKEN = "sandbox-token"


@dataclass
class Request:
    method: str
    path: str                                   # percent-decoded, without the query string
    raw_path: str                               # as sent, query string included
    query: dict[str, list[str]]
    headers: dict[str, str]                     # lower-cased names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int
    body: Any = None                            # JSON-able, bytes, or None for no body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """One injected failure: answered instead of the real response."""

    status: int
    method: str | None = None                   # only for this method (e.g. "PATCH")
    path: str | None = None                     # only for paths starting with this
    retry_after_s: float | None = None
    count: int = 1                              # how many requests it answers
    after: bool = False                         # the request is carried out, then this is answered

    def matches(self, request: Request) -> bool:
        return ((self.method is None or self.method == request.method)
                and (self.path is None or request.path.startswith(self.path)))


@dataclass
class LoggedRequest:
    t: float
    method: str
    path: str
    status: int


class Faults:
    """Scheduled and random faults, latency, and the daily allowance. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.scheduled: list[Fault] = []
            self.rate_429 = 0.0
            self.rate_5xx = 0.0
            self.retry_after_s: float | None = None   # on random 429s; None: no Retry-After
            self.latency_s = 0.0
            self.after_ratio = 0.0                    # share of random 5xx on writes that follow the write
            self.random = random.Random(0)

    def schedule(self, status: int, count: int = 1, method: str | None = None, path: str | None = None,
                 retry_after_s: float | None = None, after: bool = False) -> None:
        with self._lock:
            self.scheduled.append(Fault(status, method, path, retry_after_s, count, after))

    def configure(self, rate_429: float | None = None, rate_5xx: float | None = None,
                  retry_after_s: float | None = None, latency_s: float | None = None,
                  seed: int | None = None, after_ratio: float | None = None) -> None:
        """Random faults: `after_ratio` of the 5xx answered to writes come after the write
        was carried out (the response was lost), which only idempotent writes survive."""
        with self._lock:
            if after_ratio is not None:
                self.after_ratio = after_ratio
            if rate_429 is not None:
                self.rate_429 = rate_429
            if rate_5xx is not None:
                self.rate_5xx = rate_5xx
            if retry_after_s is not None:
                self.retry_after_s = retry_after_s if retry_after_s >= 0 else None
            if latency_s is not None:
                self.latency_s = latency_s
            if seed is not None:
                self.random = random.Random(seed)

    def pick(self, request: Request) -> Fault | None:
        """The fault that answers this request, if any (consumes a scheduled one)."""
        with self._lock:
            for fault in self.scheduled:
                if fault.matches(request):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.scheduled.remove(fault)
                    return fault
            return self.draw(request)

    def draw(self, request: Request) -> Fault | None:
        """A random fault at the configured rates (called with the lock held)."""
        draw = self.random.random()
        if draw < self.rate_429:
            return Fault(429, retry_after_s=self.retry_after_s)
        if draw < self.rate_429 + self.rate_5xx:
            after = request.method != "GET" and self.random.random() < self.after_ratio
            return Fault(self.random.choice((500, 502, 503)), after=after)
        return None


class Emulator:
    """Subclasses set `name` and `tls`, and implement `handle`, `fault_response`, `snapshot`."""

    name = "emulator"
    tls = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = DEFAULT_TOKEN,
                 cert_dir: Path | None = None) -> None:
        self.host = host
        self.requested_port = port
        self.token = token
        self.cert_dir = cert_dir
        self.cert_path: Path | None = None
        self._made_cert_dir: Path | None = None
        self.faults = Faults()
        self.lock = threading.RLock()                 # guards the records
        self.daily_limit: int | None = None
        self.used_today = 0
        self.log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset_records()

    # --- for subclasses --------------------------------------------------------------
    def reset_records(self) -> None:
        """Forget every record."""

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def fault_response(self, fault: Fault, request: Request) -> Response:
        """The API's own shape for an injected status (429, 5xx, 401, 412, ...)."""
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """The records, for tests and `/_emulator/state`."""
        raise NotImplementedError

    def external_edit(self, obj: str, record_id: str, fields: dict[str, Any]) -> None:
        """Someone else changes a record (its CRM-native object and field names) now:
        its last-modified time moves forward, so a stale conditional write gets 412."""
        raise NotImplementedError

    def connection(self) -> dict[str, Any]:
        """How to point crm-crew at this emulator:
        {"crm": {"type": ..., "options": {...}}, "env": {TOKEN_ENV_VAR: token}}."""
        raise NotImplementedError

    def unauthorized(self, request: Request) -> Response:
        return self.fault_response(Fault(401), request)

    def limit_reached(self, request: Request) -> Response:
        """Answer when the daily allowance is used up."""
        return self.fault_response(Fault(403), request)

    def common_headers(self) -> dict[str, str]:
        """Headers every API response carries (usage, rate-limit state)."""
        return {}

    # --- lifecycle -------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "emulator not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    def start(self) -> Emulator:
        server = ThreadingHTTPServer((self.host, self.requested_port), _handler_for(self))
        server.daemon_threads = True
        if self.tls:
            import tempfile

            from crm_crew.testing.tls import make_self_signed

            if self.cert_dir is None:   # our own folder: stop() removes it
                self._made_cert_dir = Path(tempfile.mkdtemp(prefix=f"crm-crew-{self.name}-tls-"))
            folder = self.cert_dir or self._made_cert_dir
            assert folder is not None
            self.cert_path, key_path = make_self_signed(folder, self.host)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.cert_path, key_path)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=f"{self.name}-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._made_cert_dir is not None:   # the certificate is worthless once the server is gone
            import shutil

            shutil.rmtree(self._made_cert_dir, ignore_errors=True)
            self._made_cert_dir = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget records, faults, the request log and the allowance used."""
        with self.lock:
            self.reset_records()
        self.faults.reset()
        self.daily_limit, self.used_today = None, 0
        with self._log_lock:
            self.log.clear()

    def expire_session(self) -> None:
        """Every request from now on is answered 401 (the token no longer works)."""
        self.token = f"expired-{time.time()}"

    def requests_matching(self, method: str | None = None, prefix: str = "") -> list[LoggedRequest]:
        with self._log_lock:
            return [r for r in self.log if (method is None or r.method == method) and r.path.startswith(prefix)]

    # --- dispatch --------------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        if request.path.startswith(ADMIN_PREFIX):
            return self._admin(request)
        if self.faults.latency_s:
            time.sleep(self.faults.latency_s)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return self.unauthorized(request)
        with self._log_lock:
            self.used_today += 1
            over_limit = self.daily_limit is not None and self.used_today > self.daily_limit
        if over_limit:
            return self.limit_reached(request)
        fault = self.faults.pick(request)
        if fault is None:
            return self.handle(request)
        if fault.after:
            self.handle(request)
        return self.fault_response(fault, request)

    def record(self, request: Request, status: int) -> None:
        if request.path.startswith(ADMIN_PREFIX):
            return
        with self._log_lock:
            self.log.append(LoggedRequest(time.time(), request.method, request.path, status))

    def _admin(self, request: Request) -> Response:
        action = request.path[len(ADMIN_PREFIX):]
        if request.method == "GET" and action == "state":
            with self.lock:
                return Response(200, self.snapshot())
        if request.method == "GET" and action == "requests":
            with self._log_lock:
                return Response(200, [r.__dict__ for r in self.log])
        if request.method == "POST" and action == "reset":
            self.reset()
            return Response(204)
        if request.method == "POST" and action == "faults":
            spec = request.json() or {}
            self.faults.configure(spec.get("rate_429"), spec.get("rate_5xx"), spec.get("retry_after_s"),
                                  spec.get("latency_s"), spec.get("seed"), spec.get("after_ratio"))
            for item in spec.get("schedule", []):
                self.faults.schedule(int(item["status"]), int(item.get("count", 1)), item.get("method"),
                                     item.get("path"), item.get("retry_after_s"), bool(item.get("after")))
            if spec.get("expire_session"):
                self.expire_session()
            if "daily_limit" in spec:
                self.daily_limit = spec["daily_limit"]
            return Response(204)
        return Response(404, {"error": f"unknown emulator admin call {request.method} {request.path}"})


def _handler_for(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True        # else every small response waits ~40 ms for a delayed ACK
        server_version = f"crm-crew-{emulator.name}-emulator"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            split = urlsplit(self.path)
            request = Request(self.command, unquote(split.path), self.path,
                              parse_qs(split.query, keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()}, body)
            try:
                response = emulator.dispatch(request)
            except Exception as exc:  # an emulator bug answers 500 rather than hanging the client
                response = Response(500, {"message": f"emulator error: {type(exc).__name__}: {exc}"})
            emulator.record(request, response.status)
            self._send(response)

        def _send(self, response: Response) -> None:
            if response.body is None:
                payload = b""
            elif isinstance(response.body, bytes):
                payload = response.body
            else:
                payload = json.dumps(response.body).encode("utf-8")
            self.send_response(response.status)
            headers = {**emulator.common_headers(), **response.headers}
            if payload and not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json;charset=UTF-8"
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload and self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve

    return Handler

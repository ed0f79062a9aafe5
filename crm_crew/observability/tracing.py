"""OpenTelemetry traces of a run, exported over OTLP/HTTP (protobuf) with the SDK's batch processor.

Off unless `tracing.otlp_endpoint` (crm-crew.yaml) or $OTEL_EXPORTER_OTLP_ENDPOINT /
$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT names a receiver; headers (auth) come from $OTEL_EXPORTER_OTLP_HEADERS,
read by the exporter and never printed. Off, every helper here returns a shared no-op (no provider exists).

crm-crew keeps its own TracerProvider: nothing is registered globally, so CrewAI's telemetry (which stays off,
see crm_crew/crew/environment.py) can never write into these traces. Only the current span travels in the
OpenTelemetry context (contextvars), which is global by design. OpenTelemetry itself is imported only
once tracing is on (the CLI's fast paths do not pay for it).

Span attributes carry ids, names, counts and statuses, never message text or addresses; with
`tracing.include_content: true` the redacted text the journal stores may be added (see `content`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer

    from crm_crew.config.models import TracingSettings

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
TRACES_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
TRACES_PATH = "/v1/traces"
SERVICE = "crm-crew"
TRACEPARENT = "traceparent"
Attributes = Mapping[str, Any]


@dataclass
class _Tracing:
    provider: TracerProvider
    tracer: Tracer
    include_content: bool
    endpoint: str


_state: _Tracing | None = None
_configure_lock = threading.Lock()


def traces_endpoint(configured: str | None) -> str | None:
    """The URL spans are POSTed to: the config's endpoint, else the standard variables; None: tracing off.
    A base URL (as OTEL_EXPORTER_OTLP_ENDPOINT is) gets /v1/traces appended."""
    if configured:
        base = configured
    elif os.environ.get(TRACES_ENDPOINT_ENV):
        return os.environ[TRACES_ENDPOINT_ENV]
    elif os.environ.get(ENDPOINT_ENV):
        base = os.environ[ENDPOINT_ENV]
    else:
        return None
    base = base.strip()
    return base if base.rstrip("/").endswith(TRACES_PATH) else base.rstrip("/") + TRACES_PATH


def configure(settings: TracingSettings) -> bool:
    """Start tracing for this process when an endpoint is set (once; later calls keep the first setup).
    Returns whether tracing is on."""
    global _state
    with _configure_lock:
        if _state is not None:
            return True
        endpoint = traces_endpoint(settings.otlp_endpoint)
        if endpoint is None:
            return False
        provider = _provider(endpoint)
        _state = _Tracing(provider, provider.get_tracer("crm_crew"), settings.include_content, endpoint)
    from crm_crew.observability.tracing_crewai import listen_once_loaded

    listen_once_loaded()
    return True


def _provider(endpoint: str) -> TracerProvider:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    from crm_crew import __version__

    attributes = {"service.version": __version__}
    if not os.environ.get("OTEL_SERVICE_NAME"):
        attributes["service.name"] = SERVICE
    # crewai's telemetry is kept off with OTEL_SDK_DISABLED=true, which would turn this provider off too:
    # the provider reads it once, here, without it.
    saved = os.environ.pop("OTEL_SDK_DISABLED", None)
    try:
        provider = TracerProvider(resource=Resource.create(attributes))
    finally:
        if saved is not None:
            os.environ["OTEL_SDK_DISABLED"] = saved
    queue = int(os.environ.get("OTEL_BSP_MAX_QUEUE_SIZE") or 8192)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint), max_queue_size=queue))
    return provider


def enabled() -> bool:
    return _state is not None


def include_content() -> bool:
    return _state is not None and _state.include_content


def flush(timeout_s: float = 10.0) -> None:
    """Export every finished span now (end of a run, a worker's job batch)."""
    if _state is not None:
        _state.provider.force_flush(int(timeout_s * 1000))


def shutdown() -> None:
    """Flush and stop exporting (the process ends); tracing is off afterwards."""
    global _state
    with _configure_lock:
        state, _state = _state, None
    if state is not None:
        state.provider.shutdown()


class _Off:
    """The span every helper gives while tracing is off: it records nothing."""

    def set_attribute(self, key: str, value: Any) -> None:
        """Nothing."""

    def set_attributes(self, attributes: Attributes) -> None:
        """Nothing."""

    def add_event(self, name: str, attributes: Attributes | None = None) -> None:
        """Nothing."""

    def end(self, end_time: int | None = None) -> None:
        """Nothing."""


class _NoSpan:
    """`span()` while tracing is off: a shared context manager around the shared no-op span."""

    def __enter__(self) -> Span:
        return OFF

    def __exit__(self, *exc: object) -> None:
        return None


OFF: Span = _Off()  # type: ignore[assignment]
_NO_SPAN = _NoSpan()


def span(name: str, attributes: Attributes | None = None, *, client: bool = False) -> Any:
    """`with span(...) as s:` a child of the current span, current inside the block (a CLIENT span when
    `client`: a request to another service). An exception marks it failed with its type only (exception
    messages may quote data)."""
    if _state is None:
        return _NO_SPAN
    return _current(_state.tracer, name, attributes, client)


@contextmanager
def _current(tracer: Tracer, name: str, attributes: Attributes | None, client: bool) -> Iterator[Span]:
    from opentelemetry.trace import SpanKind

    kind = SpanKind.CLIENT if client else SpanKind.INTERNAL
    with tracer.start_as_current_span(name, attributes=attributes, kind=kind, record_exception=False,
                                      set_status_on_exception=False) as current:
        try:
            yield current
        except BaseException as exc:
            fail(current, exc)
            raise


def start_span(name: str, attributes: Attributes | None = None, *, parent: Span | None = None,
               start_ns: int | None = None, client: bool = False) -> Span:
    """A started span the caller ends (not made current); its parent is `parent`, else the current span."""
    if _state is None:
        return OFF
    from opentelemetry import trace

    ctx = trace.set_span_in_context(parent) if parent is not None else None
    kind = trace.SpanKind.CLIENT if client else trace.SpanKind.INTERNAL
    return _state.tracer.start_span(name, context=ctx, kind=kind, attributes=attributes, start_time=start_ns)


def current_span() -> Span:
    """The current span (the no-op one while tracing is off)."""
    if _state is None:
        return OFF
    from opentelemetry import trace

    return trace.get_current_span()


@contextmanager
def using(current: Span) -> Iterator[None]:
    """`current` is the current span inside the block (it is not ended)."""
    if current is OFF:
        yield
        return
    from opentelemetry import trace

    with trace.use_span(current, end_on_exit=False, record_exception=False, set_status_on_exception=False):
        yield


def fail(target: Span, exc: BaseException | str) -> None:
    if _state is None:
        return
    from opentelemetry.trace import Status, StatusCode

    kind = exc if isinstance(exc, str) else type(exc).__name__
    target.set_attribute("error.type", kind)
    target.set_status(Status(StatusCode.ERROR, kind))


def event(name: str, attributes: Attributes | None = None) -> None:
    """An event on the current span (a retry, a 429)."""
    if _state is not None:
        current_span().add_event(name, attributes=attributes)


def content(target: Span, key: str, text: str | None) -> None:
    """Redacted text (as the journal stores it) on a span, only with `tracing.include_content: true`."""
    if text and _state is not None and _state.include_content:
        target.set_attribute(key, text)


def traceparent() -> str | None:
    """The current span as a W3C traceparent header value (None when off or outside any span)."""
    if _state is None:
        return None
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier)
    return carrier.get(TRACEPARENT)


@contextmanager
def continued(parent: str | None) -> Iterator[None]:
    """Inside the block the current context is the remote span `parent` (a W3C traceparent) names."""
    if _state is None or not parent:
        yield
        return
    from opentelemetry import context
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    token = context.attach(TraceContextTextMapPropagator().extract({TRACEPARENT: parent}))
    try:
        yield
    finally:
        context.detach(token)

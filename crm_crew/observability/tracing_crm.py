"""A span per CRM request: the connector wrapped under its read cache, so cached answers make no span.

Attributes: the CRM type, the connector method, the object type, the HTTP status a remote connector saw
(`http_status`) and, as events, each retry its RetryPolicy waited for. Never an address, name or field value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from crm_crew.connectors.base import Connector
from crm_crew.observability import tracing
from crm_crew.observability.tracing_names import crm_attributes

T = TypeVar("T")
CONTACT_READS = frozenset({"find_contact_by_email", "search_contacts", "get_contact"})
BY_OBJECT = frozenset({"create", "create_many", "update", "get", "delete"})
STATUS = "http.response.status_code"


def http_status(code: int) -> None:
    """The HTTP status of the request under way (a remote connector's answer)."""
    tracing.current_span().set_attribute(STATUS, code)


def retried(attempt: int, rate_limited: bool, delay_s: float, status: int | None) -> None:
    """A retry of the CRM request under way, as an event on its span."""
    if tracing.enabled():
        found: dict[str, Any] = {"crm_crew.retry.attempt": attempt, "crm_crew.retry.rate_limited": rate_limited,
                                 "crm_crew.retry.delay_s": round(delay_s, 3)}
        if status is not None:
            found[STATUS] = status
        tracing.event("retry", found)


class TracedConnector:
    """A Connector whose requests are spans; everything else passes through to `inner`."""

    def __init__(self, inner: Connector, crm: str) -> None:
        self.inner = inner
        self.crm = crm
        self.name = inner.name
        self.lossy_fields = inner.lossy_fields

    @property
    def target(self) -> str:
        return self.inner.target

    def __getattr__(self, name: str) -> Any:
        found = getattr(self.inner, name)
        if name in CONTACT_READS or name == "recent_activities":
            return self._traced(name, "contact" if name in CONTACT_READS else "activity", found)
        if name in BY_OBJECT:
            return lambda obj, *args, **kwargs: self._traced(name, str(obj), found)(obj, *args, **kwargs)
        return found

    def _traced(self, method: str, obj: str, call: Callable[..., T]) -> Callable[..., T]:
        def request(*args: Any, **kwargs: Any) -> T:
            with tracing.span(f"crm {method} {obj}", crm_attributes(self.crm, method, obj), client=True) as s:
                try:
                    return call(*args, **kwargs)
                except Exception as exc:
                    status = getattr(exc, "status", None)
                    if isinstance(status, int):
                        s.set_attribute(STATUS, status)
                    raise

        return request


def traced_connector(connector: Connector, crm: str) -> Connector:
    """`connector` with a span per request when tracing is on; itself when off."""
    if not tracing.enabled():
        return connector
    return TracedConnector(connector, crm)  # type: ignore[return-value]

"""Connector registry: `crm.type` values come from these keys.

Values are import paths so that validating a config never imports a CRM client library;
`CONNECTOR_OPTIONS` names each connector's options model (pydantic only, cheap to import).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from crm_crew.connectors.base import Connector
from crm_crew.connectors.options import ConnectorContext, ConnectorOptions
from crm_crew.connectors.retry import RetryPolicy
from crm_crew.observability.tracing_crm import traced_connector

if TYPE_CHECKING:
    from crm_crew.config.models import CrmSettings

CONNECTORS: dict[str, str] = {
    "local": "crm_crew.connectors.local:open_local_crm",
    "salesforce": "crm_crew.connectors.salesforce.connector:open_salesforce",
    "hubspot": "crm_crew.connectors.hubspot.connector:open_hubspot",
    "rest": "crm_crew.connectors.rest.connector:open_rest",
}
CONNECTOR_OPTIONS: dict[str, str] = {
    "local": "crm_crew.connectors.local:LocalOptions",
    "salesforce": "crm_crew.connectors.salesforce.options:SalesforceOptions",
    "hubspot": "crm_crew.connectors.hubspot.options:HubSpotOptions",
    "rest": "crm_crew.connectors.rest.options:RestOptions",
}
REMOTE: frozenset[str] = frozenset({"salesforce", "hubspot", "rest"})   # reads are cached for the run

ConnectorFactory = Callable[[dict[str, Any], ConnectorContext], Connector]


def _load(path: str) -> Any:
    module_name, _, attr = path.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def options_model(crm_type: str) -> type[ConnectorOptions]:
    model: type[ConnectorOptions] = _load(CONNECTOR_OPTIONS[crm_type])
    return model


def open_connector(crm_type: str, options: dict[str, Any], ctx: ConnectorContext) -> Connector:
    """Open the connector named by `crm.type` with its options and context."""
    factory: ConnectorFactory = _load(CONNECTORS[crm_type])
    connector = traced_connector(factory(options, ctx), crm_type)    # under the cache: real requests only
    if crm_type in REMOTE:
        from crm_crew.shared.state import shared_state

        shared = shared_state()
        if shared is not None:        # workers share one cache, invalidated by every worker's writes
            from crm_crew.connectors.shared_reads import DEFAULT_TTL_S, SharedCachedReads

            return SharedCachedReads(connector, lambda target: shared.lookup_cache(target, DEFAULT_TTL_S))
        from crm_crew.connectors.read_cache import CachedReads

        return CachedReads(connector)
    return connector


UNLIMITED = 2**62


def open_crm(crm: CrmSettings, home: Path) -> Connector:
    """Open the CRM a config's `crm` section describes; `home` is the state folder."""
    retry = RetryPolicy(crm.retry.max_attempts, crm.retry.base_delay_s, crm.retry.max_delay_s,
                        gate=_request_gate(crm))
    return open_connector(crm.type, crm.options, ConnectorContext(home, retry, crm.timeout_s))


def _request_gate(crm: CrmSettings) -> Callable[[], object] | None:
    """`crm.rate_limit` for every process sharing the queue's Redis, else for this process."""
    limit = crm.rate_limit
    if limit.requests is None:
        return None
    from crm_crew.llm.ratelimit import Limiter, shared_limiter
    from crm_crew.shared.state import shared_state

    shared = shared_state()
    name = f"crm|{crm.type}"
    limiter: Limiter = shared.limiter(name, limit.requests, window_s=limit.window_s) if shared is not None else \
        shared_limiter(name, limit.requests, UNLIMITED, UNLIMITED, window_s=limit.window_s)
    return lambda: limiter.acquire(0)

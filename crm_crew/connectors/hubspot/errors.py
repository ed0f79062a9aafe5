"""hubspot-api-client and urllib3 exceptions -> crm_crew.errors, in one place.

Each hubspot sub-package raises its own exception classes (catching the contacts ApiException does
not catch the notes one), so API_ERRORS gathers the base class of every package the connector uses.
Messages carry HubSpot's own message and category, never the token.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import urllib3.exceptions
from hubspot.crm.associations.v4 import exceptions as associations_v4  # type: ignore[import-untyped]
from hubspot.crm.contacts import exceptions as contacts  # type: ignore[import-untyped]
from hubspot.crm.objects.notes import exceptions as notes  # type: ignore[import-untyped]
from hubspot.crm.objects.tasks import exceptions as tasks  # type: ignore[import-untyped]
from hubspot.crm.properties import exceptions as properties  # type: ignore[import-untyped]
from hubspot.crm.tickets import exceptions as tickets  # type: ignore[import-untyped]

from crm_crew.connectors.retry import parse_retry_after
from crm_crew.errors import (
    ConnectorError,
    CrmAuthError,
    CrmLimitReached,
    CrmRateLimited,
    CrmRecordError,
    CrmTransientError,
)

API_ERRORS: tuple[type[Exception], ...] = tuple(
    m.OpenApiException for m in (contacts, notes, tasks, tickets, associations_v4, properties))
NETWORK_ERRORS: tuple[type[Exception], ...] = (urllib3.exceptions.HTTPError, OSError)
ALL_ERRORS: tuple[type[Exception], ...] = API_ERRORS + NETWORK_ERRORS


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return None


def window_wait_s(headers: Mapping[str, str] | None) -> float | None:
    """The rate-limit window in seconds, from X-HubSpot-RateLimit-Interval-Milliseconds."""
    raw = header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
    try:
        return int(raw) / 1000 if raw else None
    except ValueError:
        return None


def body_of(exc: BaseException) -> dict[str, Any]:
    raw = getattr(exc, "body", None)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return {"message": str(raw)[:300]}
    return parsed if isinstance(parsed, dict) else {"message": str(parsed)[:300]}


def translate(exc: BaseException, action: str, token_env: str = "HUBSPOT_ACCESS_TOKEN") -> ConnectorError:
    """The crm_crew error for a failed request; `action` reads "create note", "read contact 12", ..."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, NETWORK_ERRORS):
        return CrmTransientError(f"hubspot could not {action}: {type(exc).__name__}: {_short(exc)}")
    status = getattr(exc, "status", None)
    if not isinstance(exc, API_ERRORS) or not status:
        reason = getattr(exc, "reason", None) or type(exc).__name__
        if isinstance(exc, API_ERRORS) and getattr(exc, "status", None) == 0:
            return CrmTransientError(f"hubspot could not {action}: {reason}")
        return ConnectorError(f"hubspot could not {action}: {reason}")
    body = body_of(exc)
    headers = getattr(exc, "headers", None)
    message = str(body.get("message") or getattr(exc, "reason", "") or "no message")
    category = str(body.get("category") or body.get("errorType") or "")
    detail = f"{status} {category}: {message}" if category else f"{status}: {message}"
    if status == 401:
        return CrmAuthError(f"credentials rejected by hubspot: check {token_env}")
    if status == 429:
        if body.get("policyName") == "DAILY":
            return CrmLimitReached(
                "hubspot's daily API limit is used up (X-HubSpot-RateLimit-Daily "
                f"{header(headers, 'X-HubSpot-RateLimit-Daily') or '?'}): it resets at midnight in the HubSpot "
                "account's time zone; resume the run after that")
        wait = parse_retry_after(header(headers, "Retry-After"))
        if wait is None:
            wait = window_wait_s(headers)
        return CrmRateLimited(f"hubspot rate limit while trying to {action}: {message}", wait, 429)
    if status >= 500:
        return CrmTransientError(f"hubspot failed to {action}: {detail}",
                                 parse_retry_after(header(headers, "Retry-After")), status)
    return CrmRecordError(f"hubspot refused to {action}: {detail}", status, category or None)


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) <= 200 else text[:200] + "..."

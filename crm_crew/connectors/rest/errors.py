"""httpx failures and error responses of a REST CRM -> crm_crew.errors."""

from __future__ import annotations

from typing import Any

import httpx

from crm_crew.connectors.retry import parse_retry_after
from crm_crew.errors import (
    ConnectorError,
    CrmAuthError,
    CrmLimitReached,
    CrmRateLimited,
    CrmRecordError,
    CrmTransientError,
)


def error_details(response: httpx.Response) -> tuple[str, str, dict[str, Any]]:
    """(code, message, the error object) from `{"error": {"code", "message", ...}}` or a looser body."""
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip()[:300]
        return "", text or response.reason_phrase, {}
    error = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(error, dict):
        code = str(error.get("code") or error.get("errorCode") or error.get("type") or "")
        message = str(error.get("message") or error.get("detail") or response.reason_phrase)
        return code, message, error
    return "", str(error)[:300], {}


def translate(exc: Exception, action: str, env_var: str) -> ConnectorError:
    """`action` reads like "create contact"; `env_var` names the token's variable (never its value)."""
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return CrmTransientError(f"rest timed out trying to {action}: {type(exc).__name__}")
    if isinstance(exc, httpx.TransportError):
        return CrmTransientError(f"rest could not be reached to {action}: {type(exc).__name__}: {exc}")
    if isinstance(exc, httpx.HTTPStatusError):
        return translate_response(exc.response, action, env_var)
    return ConnectorError(f"rest failed to {action}: {type(exc).__name__}: {exc}")


def translate_response(response: httpx.Response, action: str, env_var: str) -> ConnectorError:
    status = response.status_code
    code, message, error = error_details(response)
    if status == 401:
        return CrmAuthError(f"credentials rejected by rest: check {env_var}")
    described = f"{status} {code}: {message}" if code else f"{status}: {message}"
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if code == "daily_limit":
            when = f"; it resets in about {int(retry_after // 60) + 1} min" if retry_after else ""
            return CrmLimitReached(f"rest: daily API allowance used up ({message}){when}. "
                                   "Resume the run later; records already written are kept")
        if retry_after is None and response.headers.get("X-RateLimit-Remaining") == "0":
            retry_after = parse_retry_after(response.headers.get("X-RateLimit-Reset"))
        return CrmRateLimited(f"rest rate-limited {action}: {described}", retry_after, status)
    if status >= 500:
        return CrmTransientError(f"rest failed to {action}: {described}", None, status)
    if error.get("field"):
        described += f" (field {error['field']})"
    return CrmRecordError(f"rest refused to {action}: {described}", status, code or None)

"""simple-salesforce and requests exceptions -> crm_crew.errors (the one `translate`)."""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceError

from crm_crew.connectors.retry import parse_retry_after
from crm_crew.errors import (
    ConnectorError,
    CrmAuthError,
    CrmLimitReached,
    CrmRateLimited,
    CrmRecordError,
    CrmTransientError,
    CrmUnavailableError,
)

CRM = "salesforce"


def first_error(content: Any) -> tuple[str, str]:
    """(errorCode, message) of a Salesforce error body: a JSON array of {message, errorCode}."""
    if isinstance(content, list) and content and isinstance(content[0], dict):
        item = content[0]
        code = str(item.get("errorCode") or item.get("statusCode") or "")
        return code, str(item.get("message") or "")
    if isinstance(content, dict):
        return str(content.get("errorCode") or content.get("error") or ""), str(content.get("message") or
                                                                                 content.get("error_description")
                                                                                 or "")
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else str(content or "")
    return "", " ".join(text.split())[:200]


def translate(exc: BaseException, action: str, token_env: str, retry_after: str | None = None) -> ConnectorError:
    """The crm_crew error for a failed request; `action` reads like "create Lead".

    `retry_after` is the Retry-After header of the failed response, when there was one
    (simple-salesforce's exceptions do not keep the response headers).
    """
    if isinstance(exc, ConnectorError):
        return exc
    if isinstance(exc, SalesforceError):
        return _from_status(exc.status, exc.content, action, token_env, retry_after)
    if isinstance(exc, requests.exceptions.SSLError):
        return CrmUnavailableError(f"{CRM}: the TLS certificate of the org was not trusted ({_short(exc)}); set "
                                   "crm.options.ca_bundle to the PEM file of a CA that signed it")
    if isinstance(exc, (requests.exceptions.Timeout, requests.exceptions.ConnectionError)):
        return CrmTransientError(f"{CRM} did not answer to {action}: {_short(exc)}")
    if isinstance(exc, requests.exceptions.RequestException):
        return CrmTransientError(f"{CRM} request to {action} failed: {_short(exc)}")
    if isinstance(exc, ValueError):
        return CrmTransientError(f"{CRM} answered {action} with a body that is not JSON: {_short(exc)}")
    return ConnectorError(f"{CRM}: cannot {action}: {type(exc).__name__}: {_short(exc)}")


def _from_status(status: int, content: Any, action: str, token_env: str,
                 retry_after: str | None) -> ConnectorError:
    code, message = first_error(content)
    detail = f"{status} {code}: {message}" if code else f"{status}: {message}"
    if status == 401:
        return CrmAuthError(f"credentials rejected by {CRM}: check {token_env}")
    if status == 429:
        return CrmRateLimited(f"{CRM} is rate limiting ({detail})", parse_retry_after(retry_after), 429)
    if status == 403 and code == "REQUEST_LIMIT_EXCEEDED":
        if "totalrequests" in message.lower():
            return CrmLimitReached(f"{CRM}: the org's daily API request allowance is used up ({message}); it is a "
                                   "rolling 24-hour limit: resume the run later, or ask the admin for more")
        return CrmRateLimited(f"{CRM} refused {action} for now ({detail})", parse_retry_after(retry_after), 403)
    if status >= 500:
        return CrmTransientError(f"{CRM} failed to {action}: {detail}", parse_retry_after(retry_after), status)
    return CrmRecordError(f"{CRM} refused to {action}: {detail}", status, code or None)


def record_error(item_errors: Any, action: str) -> CrmRecordError:
    """The error of one failed item of an sObject Collections call."""
    code, message = first_error(item_errors)
    return CrmRecordError(f"{CRM} refused to {action}: 400 {code}: {message}", 400, code or None)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]

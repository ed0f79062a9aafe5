"""simple-salesforce behind the one retry policy: every logical request goes through `call`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from simple_salesforce import Salesforce

from crm_crew.connectors.options import ConnectorContext
from crm_crew.connectors.salesforce.errors import translate
from crm_crew.connectors.salesforce.options import SalesforceOptions

T = TypeVar("T")


class _Session(requests.Session):
    """No retries, a default timeout, the configured CA bundle (REQUESTS_CA_BUNDLE cannot
    override it: trust_env is off), environment proxies resolved once for the org's host, and
    the last response per thread (simple-salesforce's exceptions drop the headers)."""

    def __init__(self, instance_url: str, timeout_s: float, ca_bundle: str | None) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = ca_bundle if ca_bundle else True
        self.proxies.update(requests.utils.get_environ_proxies(instance_url))
        self.timeout_s = timeout_s
        self.local = threading.local()

    def request(self, method: str, url: str,  # type: ignore[override]
                *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_s)
        self.local.response = None
        response = super().request(method, url, *args, **kwargs)
        self.local.response = response
        return response

    def last_header(self, name: str) -> str | None:
        response: requests.Response | None = getattr(self.local, "response", None)
        return response.headers.get(name) if response is not None else None


class SalesforceClient:
    def __init__(self, options: SalesforceOptions, token: str, ctx: ConnectorContext) -> None:
        ca_bundle = str(Path(options.ca_bundle).expanduser()) if options.ca_bundle else None
        self.session = _Session(options.instance_url, ctx.timeout_s, ca_bundle)
        self.sf = Salesforce(instance_url=options.instance_url, session_id=token, session=self.session,
                             version=options.api_version)
        self.retry = ctx.retry
        self.token_env = options.access_token_env

    def call(self, action: str, request: Callable[[], T]) -> T:
        """One logical request, retried by the policy; failures become crm_crew errors."""
        def attempt() -> T:
            try:
                return request()
            except Exception as exc:
                raise translate(exc, action, self.token_env, self.session.last_header("Retry-After")) from exc
        return self.retry.call(attempt)

    def rest(self, action: str, path: str, method: str = "GET", body: Any = None,
             headers: dict[str, str] | None = None) -> Any:
        kwargs: dict[str, Any] = {"method": method}
        if body is not None:
            kwargs["json"] = body
        if headers:
            kwargs["headers"] = headers
        return self.call(action, lambda: self.sf.restful(path, **kwargs))

    def query(self, soql: str, action: str) -> list[dict[str, Any]]:
        """Every record of a SOQL query; each page is its own retried request."""
        page = self.call(action, lambda: self.sf.query(soql))
        records: list[dict[str, Any]] = list(page["records"])
        while not page.get("done", True):
            page = self._more(action, str(page["nextRecordsUrl"]))
            records.extend(page["records"])
        return records

    def _more(self, action: str, locator: str) -> Any:
        return self.call(action, lambda: self.sf.query_more(locator, identifier_is_url=True))

    @property
    def api_usage(self) -> tuple[int, int] | None:
        usage = self.sf.api_usage.get("api-usage")
        return (usage.used, usage.total) if usage is not None else None

    def close(self) -> None:
        self.session.close()


def soql_quote(value: str) -> str:
    """A SOQL string literal."""
    escaped = (value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f"'{escaped}'"


def soql_like(fragment: str) -> str:
    """A LIKE literal matching `fragment` anywhere (its % and _ taken literally)."""
    escaped = fragment.replace("\\", "\\\\").replace("'", "\\'").replace("%", "\\%").replace("_", "\\_")
    return f"'%{escaped}%'"


def path_value(value: str) -> str:
    return quote(value, safe="")

"""A Salesforce org on loopback (https): REST API v59.0 as simple-salesforce speaks it.

Implements: SOQL query / queryAll with nextRecordsUrl paging, sObject rows (create, get,
update with If-Unmodified-Since, delete), upsert and get by External ID, sObject
Collections (POST create, PATCH upsert by External ID), describe, limits, OAuth userinfo.
Errors come back as the real API's JSON error arrays; the standard duplicate rules
(Contact/Lead by Email, Account by Name) block creates with DUPLICATES_DETECTED.
DELETE moves a record to the recycle bin (204): queries and External ID upserts no longer
see it, queryAll does; GET, PATCH or DELETE of it again answer 404 ENTITY_IS_DELETED (an id
never issued: 404 NOT_FOUND). Deleting a Contact that Cases point at is refused with 400
DELETE_FAILED; the Tasks of a deleted Contact or Lead go to the recycle bin with it.
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from crm_crew.testing.emulator import DEFAULT_TOKEN, Emulator, Fault, Request, Response
from crm_crew.testing.salesforce import soql
from crm_crew.testing.salesforce.records import OrgError, Store

API_PREFIX = re.compile(r"^/services/data/v(?P<version>\d+\.\d)/(?P<rest>.*)$")
DEFAULT_DAILY_MAX = 100_000
COLLECTION_MAX = 200
ORG_ID = "00D5g000004CrmCAAS"
USER_ID = "0055g00000CrmCrAAA"


def error(status: int, code: str, message: str, fields: list[str] | None = None,
          headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        body["fields"] = fields
    body.update(extra)
    return Response(status, [body], headers or {})


class SalesforceEmulator(Emulator):
    """An org-like store behind the Salesforce REST API.

    `page_size` is the query batch size (real default 2,000; small values exercise paging).
    `schedule_concurrency_limit(n)` (admin API: POST /_emulator/faults {"concurrency_limit": n})
    makes the next n API requests answer the 403 REQUEST_LIMIT_EXCEEDED for concurrent
    long-running requests; `daily_limit` (base class) answers the daily TotalRequests one.
    """

    name = "salesforce"
    tls = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = DEFAULT_TOKEN,
                 cert_dir: Path | None = None, page_size: int = 2000) -> None:
        self.page_size = page_size
        self.store = Store()
        self._cursors: dict[str, list[dict[str, Any]]] = {}
        self._cursor_ids = itertools.count(1)
        self._concurrency_pending = 0
        self._state_lock = threading.Lock()
        super().__init__(host, port, token, cert_dir)

    # --- Emulator hooks -----------------------------------------------------------------
    def reset_records(self) -> None:
        self.store = Store()
        self._cursors = {}
        self._concurrency_pending = 0

    def common_headers(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.used_today}/{self.daily_max}"}

    @property
    def daily_max(self) -> int:
        return self.daily_limit if self.daily_limit is not None else DEFAULT_DAILY_MAX

    def limit_reached(self, request: Request) -> Response:
        return error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")

    def schedule_concurrency_limit(self, count: int = 1) -> None:
        with self._state_lock:
            self._concurrency_pending += count

    def _admin(self, request: Request) -> Response:
        """The base admin API, plus {"concurrency_limit": n} on POST /_emulator/faults."""
        if request.method == "POST" and request.path == "/_emulator/faults":
            spec = request.json() or {}
            if spec.get("concurrency_limit"):
                self.schedule_concurrency_limit(int(spec["concurrency_limit"]))
        return super()._admin(request)

    def fault_response(self, fault: Fault, request: Request) -> Response:
        headers = {"Retry-After": f"{fault.retry_after_s:g}"} if fault.retry_after_s is not None else {}
        if fault.status == 401:
            return error(401, "INVALID_SESSION_ID", "Session expired or invalid", headers={"WWW-Authenticate": "Token"})
        if fault.status == 403:
            return self.limit_reached(request)
        if fault.status == 412:
            return error(412, "PRECONDITION_FAILED", "The requested resource has been modified since the time "
                         "specified in If-Unmodified-Since.")
        if fault.status == 429:
            return error(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests: try again later.", headers=headers)
        if fault.status == 502:
            return Response(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>",
                            {"Content-Type": "text/html", **headers})
        if fault.status == 503:
            return error(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Try again later.",
                         headers=headers)
        if fault.status >= 500:
            return error(fault.status, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this "
                         "ErrorId if you contact support: 1912466245-123456 (-1215393372)", headers=headers)
        return error(fault.status, "UNKNOWN_EXCEPTION", f"injected {fault.status}", headers=headers)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {name: [{k: copy.deepcopy(v) for k, v in r.items() if k != "attributes_type"}
                           for r in self.store.rows(name)] for name in ("Contact", "Lead", "Account", "Task", "Case")}

    def external_edit(self, obj: str, record_id: str, fields: dict[str, Any]) -> None:
        with self.lock:
            self.store.external_edit(obj, record_id, fields)

    def connection(self) -> dict[str, Any]:
        return {"crm": {"type": "salesforce", "options": {"instance_url": self.url,
                                                          "ca_bundle": str(self.cert_path)}},
                "env": {"SALESFORCE_ACCESS_TOKEN": self.token}}

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        with self._state_lock:
            concurrency = self._concurrency_pending > 0
            if concurrency:
                self._concurrency_pending -= 1
        if concurrency:
            return error(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
        if request.path.rstrip("/") == "/services/oauth2/userinfo" and request.method == "GET":
            return Response(200, self._userinfo())
        match = API_PREFIX.match(request.path)
        if match is None:
            return self._not_found()
        version = match["version"]
        raw = urlsplit(request.raw_path).path
        raw_rest = raw[raw.index(f"v{version}/") + len(version) + 2:]
        parts = [unquote(p) for p in raw_rest.split("/")]
        if parts and parts[-1] == "":
            parts.pop()
        with self.lock:
            try:
                return self._route(request, version, parts)
            except OrgError as exc:
                return error(exc.status, exc.code, exc.message, exc.fields, **exc.extra)
            except soql.SoqlError as exc:
                return error(400, exc.code, exc.message)

    def _route(self, request: Request, version: str, parts: list[str]) -> Response:
        method = request.method
        head = parts[0] if parts else ""
        if head == "limits" and len(parts) == 1 and method == "GET":
            return Response(200, self._limits())
        if head in ("query", "queryAll") and method == "GET":
            if len(parts) == 1:
                return self._query(request, version, include_deleted=head == "queryAll")
            if len(parts) == 2:
                return self._query_more(parts[1], version, head)
        if head == "sobjects" and len(parts) >= 2:
            return self._sobjects(request, version, parts[1:])
        if head == "composite" and len(parts) >= 2 and parts[1] == "sobjects":
            return self._collections(request, version, parts[2:])
        return self._not_found()

    @staticmethod
    def _not_found() -> Response:
        return error(404, "NOT_FOUND", "The requested resource does not exist")

    def _body(self, request: Request) -> Any:
        try:
            return request.json()
        except ValueError as exc:
            raise OrgError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None

    # --- query --------------------------------------------------------------------------
    def _query(self, request: Request, version: str, include_deleted: bool) -> Response:
        text = request.param("q")
        if not text:
            raise OrgError(400, "MALFORMED_QUERY", "A query string has to be specified")
        query = soql.parse(text)
        rows = self.store.select(query, version, include_deleted)
        return Response(200, self._page(rows, 0, version, "queryAll" if include_deleted else "query", None))

    def _query_more(self, locator: str, version: str, endpoint: str) -> Response:
        cursor, _, offset = locator.rpartition("-")
        rows = self._cursors.get(cursor)
        if rows is None or not offset.isdigit():
            raise OrgError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return Response(200, self._page(rows, int(offset), version, endpoint, cursor))

    def _page(self, rows: list[dict[str, Any]], offset: int, version: str, endpoint: str,
              cursor: str | None) -> dict[str, Any]:
        end = offset + self.page_size
        body: dict[str, Any] = {"totalSize": len(rows), "done": end >= len(rows), "records": rows[offset:end]}
        if end < len(rows):
            if cursor is None:
                cursor = f"01g5g00000{next(self._cursor_ids):08d}"
                self._cursors[cursor] = rows
            body["nextRecordsUrl"] = f"/services/data/v{version}/{endpoint}/{cursor}-{end}"
        return body

    # --- sObject rows -------------------------------------------------------------------
    def _sobjects(self, request: Request, version: str, parts: list[str]) -> Response:
        spec = self.store.spec(parts[0])
        method = request.method
        if len(parts) == 1:
            if method == "POST":
                record_id = self.store.create(spec.name, self._body(request) or {}, version)
                return Response(201, {"id": record_id, "success": True, "errors": []})
            if method == "GET":
                described = self.store.describe(spec.name, version)
                return Response(200, {"objectDescribe": {k: v for k, v in described.items() if k != "fields"},
                                      "recentItems": []})
        if len(parts) == 2 and parts[1] == "describe" and method == "GET":
            return Response(200, self.store.describe(spec.name, version))
        if len(parts) == 2:
            record_id = parts[1]
            if method == "GET":
                fields = request.param("fields")
                return Response(200, self.store.get(spec.name, record_id, version,
                                                    fields.split(",") if fields else None))
            if method == "PATCH":
                self.store.update(spec.name, record_id, self._body(request) or {},
                                  request.headers.get("if-unmodified-since"))
                return Response(204)
            if method == "DELETE":
                self.store.delete(spec.name, record_id)
                return Response(204)
        if len(parts) == 3:
            field, value = parts[1], parts[2]
            if method == "GET":
                return Response(200, self.store.get_by_external_id(spec.name, field, value, version))
            if method == "PATCH":
                record_id, created = self.store.upsert(spec.name, field, value, self._body(request) or {},
                                                       version)
                return Response(201 if created else 200,
                                {"id": record_id, "success": True, "errors": [], "created": created})
        return self._not_found()

    # --- sObject Collections ------------------------------------------------------------
    def _collections(self, request: Request, version: str, parts: list[str]) -> Response:
        body = self._body(request) or {}
        records = body.get("records")
        if not isinstance(records, list) or not records:
            raise OrgError(400, "INVALID_FIELD", "No records provided for the collection request")
        if len(records) > COLLECTION_MAX:
            raise OrgError(400, "EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than "
                           f"{COLLECTION_MAX} records into this call")
        if body.get("allOrNone"):
            raise OrgError(400, "INVALID_FIELD", "allOrNone=true is not supported by this emulator")
        results: list[dict[str, Any]] = []
        if request.method == "POST" and not parts:
            for item in records:
                results.append(self._collection_item(item, None, None, version))
            return Response(200, results)
        if request.method == "PATCH" and len(parts) == 2:
            spec = self.store.spec(parts[0])
            external = self.store.external_field(spec.name, parts[1])
            for item in records:
                results.append(self._collection_item(item, spec.name, external, version))
            return Response(200, results)
        return self._not_found()

    def _collection_item(self, item: Any, obj: str | None, external: str | None, version: str) -> dict[str, Any]:
        try:
            if not isinstance(item, dict) or not isinstance(item.get("attributes"), dict) \
                    or not item["attributes"].get("type"):
                raise OrgError(400, "INVALID_FIELD", "Each record must have an attributes map with a type")
            fields = {k: v for k, v in item.items() if k != "attributes"}
            kind = self.store.spec(item["attributes"]["type"]).name
            if obj is None:
                return {"id": self.store.create(kind, fields, version), "success": True, "errors": []}
            if kind != obj or external is None:
                raise OrgError(400, "INVALID_FIELD", f"The record type {kind} does not match {obj}")
            value = fields.pop(external, None)
            if value in (None, ""):
                raise OrgError(400, "MISSING_ARGUMENT", f"{external} not specified", [external])
            record_id, created = self.store.upsert(obj, external, str(value), fields, version)
            return {"id": record_id, "success": True, "errors": [], "created": created}
        except OrgError as exc:
            return {"success": False, "errors": [{"statusCode": exc.code, "message": exc.message,
                                                  "fields": exc.fields or []}]}

    # --- limits, identity ---------------------------------------------------------------
    def _limits(self) -> dict[str, Any]:
        remaining = max(0, self.daily_max - self.used_today)
        return {"DailyApiRequests": {"Max": self.daily_max, "Remaining": remaining},
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
                "DataStorageMB": {"Max": 5, "Remaining": 5}}

    def _userinfo(self) -> dict[str, Any]:
        return {"sub": f"https://login.salesforce.com/id/{ORG_ID}/{USER_ID}", "user_id": USER_ID,
                "organization_id": ORG_ID, "preferred_username": "crm-crew@sandbox.example",
                "name": "crm-crew sandbox", "email": "crm-crew@sandbox.example",
                "updated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


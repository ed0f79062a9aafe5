"""An emulator of a plain, conventional JSON REST CRM: the default the `rest` connector speaks.

The API (every path may sit under a `base_path`, e.g. "/api/v2"):

  GET    /me                         200 {"user": "...", "scopes": ["contacts:read", "contacts:write", ...]}
  POST   /<res>                      201 + the record; with an `Idempotency-Key` header seen before on this
                                     resource: 200 + the record that key created (nothing is created, even
                                     when that record was deleted since), `Idempotent-Replayed: true`
  GET    /<res>/{id}                 200 + the record, `ETag: "<version>"`
  PATCH  /<res>/{id}                 200 + the record (partial update); `If-Match` with a stale ETag -> 412
  DELETE /<res>/{id}                 204; 404 when there is no such record (any more)
  GET    /<res>?limit=&cursor=&sort=[-]<field>&<field>=<value>
                                     200 {"items": [...], "next_cursor": "..." | null}
  GET    /contacts?q=<text>          token search: a query word of 2+ characters that starts a word of
                                     firstName, lastName or company; most matched words first
  <res> is contacts, activities, cases or tasks. A record is a JSON object: "id" (string), its fields,
  "created_at", "updated_at" (ISO 8601, UTC). `limit` defaults to and is capped at `page_size`; a list is in
  creation order unless `sort` says otherwise; a `<field>=<value>` filter is an exact match (email: trimmed,
  case-insensitive). Native field names equal the unified ones except contacts' firstName, lastName,
  leadStatus and optedOut (a JSON boolean); `rename` changes native names per resource.

Errors are `{"error": {"code", "message", ...}}`: 400 bad_request (body not a JSON object), 401 unauthorized,
403 forbidden (token lacks the resource's read/write scope), 404 not_found, 409 duplicate (contact email taken;
carries "existing_id"), 412 precondition_failed, 422 validation_error (carries "field": unknown or read-only
field, wrong type, missing email, contact_id of no contact, bad limit/cursor/sort/filter), 429 rate_limited
(`Retry-After` when faults.retry_after_s is set) or daily_limit (the daily allowance is used up; `Retry-After`
= seconds to UTC midnight), 5xx internal_error. Every response carries `X-RateLimit-Limit` (the daily
allowance), `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until it resets).
"""

from __future__ import annotations

import base64
import copy
import itertools
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from crm_crew.testing.emulator import ADMIN_PREFIX, DEFAULT_TOKEN, Emulator, Fault, Request, Response

RESOURCES: tuple[str, ...] = ("contacts", "activities", "cases", "tasks")
OBJECT_OF: dict[str, str] = {"contacts": "contact", "activities": "activity", "cases": "case", "tasks": "task"}
ID_PREFIX: dict[str, str] = {"contacts": "con_", "activities": "act_", "cases": "cas_", "tasks": "tsk_"}
NATIVE_FIELDS: dict[str, dict[str, str]] = {     # resource -> unified field -> native field
    "contacts": {"email": "email", "first_name": "firstName", "last_name": "lastName", "company": "company",
                 "phone": "phone", "tier": "tier", "lead_status": "leadStatus", "opted_out": "optedOut"},
    "activities": {f: f for f in ("contact_id", "subject", "kind", "occurred_at", "description", "intent",
                                  "sentiment", "interaction_id")},
    "cases": {f: f for f in ("contact_id", "subject", "description", "priority", "status", "origin", "reason")},
    "tasks": {f: f for f in ("contact_id", "subject", "kind", "due_date", "status", "description")},
}
BOOLEAN_FIELDS: frozenset[str] = frozenset({"opted_out"})
READ_ONLY: frozenset[str] = frozenset({"id", "created_at", "updated_at"})
LIST_PARAMS: frozenset[str] = frozenset({"limit", "cursor", "sort", "q"})
DEFAULT_DAILY_ALLOWANCE = 100_000
_WORD = re.compile(r"\w+", re.UNICODE)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _seconds_to_midnight() -> int:
    now = datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((midnight - now).total_seconds()))


def _error(status: int, code: str, message: str, **extra: Any) -> Response:
    return Response(status, {"error": {"code": code, "message": message, **extra}})


class RestEmulator(Emulator):
    name = "rest"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = DEFAULT_TOKEN,
                 cert_dir: Path | None = None, page_size: int = 50, tls: bool = False, *,
                 base_path: str = "", rename: Mapping[str, Mapping[str, str]] | None = None,
                 auth_header: str = "Authorization", auth_scheme: str = "Bearer",
                 user: str = "sandbox@example.com") -> None:
        self.tls = tls
        self.page_size = page_size
        self.base_path = base_path.rstrip("/")
        self.rename = {res: dict(fields) for res, fields in (rename or {}).items()}
        self.fields: dict[str, dict[str, str]] = {
            res: {**names, **self.rename.get(res, {})} for res, names in NATIVE_FIELDS.items()}
        self.auth_header = auth_header
        self.auth_scheme = auth_scheme
        self.user = user
        super().__init__(host, port, token, cert_dir)

    # --- state -----------------------------------------------------------------------
    def reset_records(self) -> None:
        """Forget every record and idempotency key; the token gets every scope back."""
        self.scopes: list[str] = [f"{res}:{access}" for res in RESOURCES for access in ("read", "write")]
        self.records: dict[str, dict[str, dict[str, Any]]] = {res: {} for res in RESOURCES}
        self.versions: dict[tuple[str, str], int] = {}
        self.idempotency: dict[tuple[str, str], dict[str, Any]] = {}   # (resource, key) -> record as created
        self._ids = itertools.count(1)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {res: copy.deepcopy(list(self.records[res].values())) for res in RESOURCES}

    def external_edit(self, obj: str, record_id: str, fields: dict[str, Any]) -> None:
        res = obj if obj in RESOURCES else {v: k for k, v in OBJECT_OF.items()}[obj]
        with self.lock:
            record = self.records[res][record_id]
            record.update(fields)
            self._touch(res, record)

    def etag(self, res: str, record_id: str) -> str:
        return f'"{self.versions[(res, record_id)]}"'

    def _touch(self, res: str, record: dict[str, Any]) -> None:
        record["updated_at"] = _now()
        self.versions[(res, record["id"])] = self.versions.get((res, record["id"]), 0) + 1

    def connection(self) -> dict[str, Any]:
        options: dict[str, Any] = {"base_url": self.url}
        if self.tls and self.cert_path is not None:
            options["ca_bundle"] = str(self.cert_path)
        if self.base_path:
            options["resources"] = {OBJECT_OF[res]: f"{self.base_path}/{res}" for res in RESOURCES}
            options["lookup"] = {
                "contact_by_email": f"{self.base_path}/contacts?email={{email}}",
                "contact_search": f"{self.base_path}/contacts?q={{query}}",
                "activities_of_contact": f"{self.base_path}/activities?contact_id={{contact_id}}"
                                         "&sort=-occurred_at&limit={limit}",
                "cases_of_contact": f"{self.base_path}/cases?contact_id={{contact_id}}&limit={{limit}}",
                "tasks_of_contact": f"{self.base_path}/tasks?contact_id={{contact_id}}&limit={{limit}}"}
            options["identity_path"] = f"{self.base_path}/me"
        if self.rename:
            options["field_map"] = {OBJECT_OF[res]: dict(fields) for res, fields in self.rename.items()}
        if self.auth_header != "Authorization" or self.auth_scheme != "Bearer":
            options["auth_header"], options["auth_scheme"] = self.auth_header, self.auth_scheme
        return {"crm": {"type": "rest", "options": options}, "env": {"CRM_API_TOKEN": self.token}}

    # --- auth, limits, faults ----------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith(ADMIN_PREFIX) and (self.auth_header.lower() != "authorization"
                                                          or self.auth_scheme != "Bearer"):
            sent = request.headers.pop(self.auth_header.lower(), None)
            request.headers.pop("authorization", None)
            expected = f"{self.auth_scheme} {self.token}" if self.auth_scheme else self.token
            if sent == expected:
                request.headers["authorization"] = f"Bearer {self.token}"
        return super().dispatch(request)

    def common_headers(self) -> dict[str, str]:
        allowance = self.daily_limit if self.daily_limit is not None else DEFAULT_DAILY_ALLOWANCE
        return {"X-RateLimit-Limit": str(allowance),
                "X-RateLimit-Remaining": str(max(0, allowance - self.used_today)),
                "X-RateLimit-Reset": str(_seconds_to_midnight())}

    def limit_reached(self, request: Request) -> Response:
        response = _error(429, "daily_limit", f"daily API allowance of {self.daily_limit} requests used up; "
                                              "it resets at 00:00 UTC")
        response.headers["Retry-After"] = str(_seconds_to_midnight())
        return response

    def fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.status == 401:
            return _error(401, "unauthorized", "missing or invalid access token")
        if fault.status == 429:
            response = _error(429, "rate_limited", "too many requests; slow down")
            if fault.retry_after_s is not None:
                response.headers["Retry-After"] = str(int(fault.retry_after_s))
            return response
        if fault.status >= 500:
            return _error(fault.status, "internal_error", "the server failed to answer; try again")
        codes = {403: "forbidden", 404: "not_found", 409: "conflict", 412: "precondition_failed"}
        return _error(fault.status, codes.get(fault.status, "bad_request"), f"injected {fault.status}")

    # --- routing -----------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        path = request.path
        if self.base_path:
            if not path.startswith(self.base_path + "/"):
                return _error(404, "not_found", f"no such path {path}")
            path = path[len(self.base_path):]
        parts = [p for p in path.split("/") if p]
        if parts == ["me"] and request.method == "GET":
            return Response(200, {"user": self.user, "scopes": list(self.scopes)})
        if not parts or parts[0] not in RESOURCES or len(parts) > 2:
            return _error(404, "not_found", f"no such path {path}")
        res = parts[0]
        access = "read" if request.method == "GET" else "write"
        if f"{res}:{access}" not in self.scopes:
            return _error(403, "forbidden", f"the token lacks scope {res}:{access}")
        with self.lock:
            if len(parts) == 1:
                if request.method == "POST":
                    return self._create(res, request)
                if request.method == "GET":
                    return self._list(res, request)
            else:
                record = self.records[res].get(parts[1])
                if record is None:
                    return _error(404, "not_found", f"no {OBJECT_OF[res]} with id {parts[1]}")
                if request.method == "GET":
                    return self._answer(200, res, record)
                if request.method == "PATCH":
                    return self._update(res, record, request)
                if request.method == "DELETE":
                    del self.records[res][record["id"]]
                    return Response(204)
        return _error(405, "method_not_allowed", f"{request.method} is not allowed on {path}")

    def _answer(self, status: int, res: str, record: dict[str, Any]) -> Response:
        return Response(status, copy.deepcopy(record), {"ETag": self.etag(res, record["id"])})

    # --- writes ------------------------------------------------------------------------
    def _body(self, request: Request) -> dict[str, Any] | Response:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "bad_request", "the request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "bad_request", "the request body must be a JSON object")
        return body

    def _validate(self, res: str, body: dict[str, Any]) -> Response | None:
        native = self.fields[res]
        booleans = {native[f] for f in BOOLEAN_FIELDS if f in native}
        for name, value in body.items():
            if name in READ_ONLY:
                return _error(422, "validation_error", f"{name} is read-only", field=name)
            if name not in native.values():
                return _error(422, "validation_error", f"unknown field {name} for {res}", field=name)
            if name in booleans:
                if not isinstance(value, bool):
                    return _error(422, "validation_error", f"{name} must be true or false", field=name)
            elif value is not None and not isinstance(value, str):
                return _error(422, "validation_error", f"{name} must be a string", field=name)
        contact_field = native.get("contact_id")
        if contact_field and contact_field in body and body[contact_field] not in self.records["contacts"]:
            return _error(422, "validation_error", f"{contact_field} {body[contact_field]!r} is no contact",
                          field=contact_field)
        return None

    def _email_owner(self, email: Any) -> str | None:
        wanted = str(email or "").strip().lower()
        field = self.fields["contacts"]["email"]
        for record in self.records["contacts"].values():
            if str(record.get(field) or "").strip().lower() == wanted:
                return str(record["id"])
        return None

    def _create(self, res: str, request: Request) -> Response:
        key = request.headers.get("idempotency-key")
        if key and (res, key) in self.idempotency:
            original = self.idempotency[(res, key)]
            headers = {"Idempotent-Replayed": "true"}
            if original["id"] in self.records[res]:
                headers["ETag"] = self.etag(res, original["id"])
            return Response(200, copy.deepcopy(original), headers)
        body = self._body(request)
        if isinstance(body, Response):
            return body
        problem = self._validate(res, body)
        if problem is not None:
            return problem
        native = self.fields[res]
        if res == "contacts":
            email_field = native["email"]
            if not str(body.get(email_field) or "").strip():
                return _error(422, "validation_error", f"{email_field} is required", field=email_field)
            owner = self._email_owner(body[email_field])
            if owner is not None:
                return _error(409, "duplicate", f"a contact with {email_field} {body[email_field]} exists",
                              existing_id=owner)
        elif not body.get(native["contact_id"]):
            return _error(422, "validation_error", f"{native['contact_id']} is required", field=native["contact_id"])
        now = _now()
        record_id = f"{ID_PREFIX[res]}{next(self._ids):06d}"
        record: dict[str, Any] = {"id": record_id}
        for unified, name in native.items():
            record[name] = body.get(name, False if unified in BOOLEAN_FIELDS else "")
            if record[name] is None:
                record[name] = ""
        record.update(created_at=now, updated_at=now)
        self.records[res][record_id] = record
        self.versions[(res, record_id)] = 1
        if key:
            self.idempotency[(res, key)] = copy.deepcopy(record)
        return self._answer(201, res, record)

    def _update(self, res: str, record: dict[str, Any], request: Request) -> Response:
        if_match = request.headers.get("if-match")
        if if_match and if_match != "*" and if_match != self.etag(res, record["id"]):
            return _error(412, "precondition_failed",
                          f"{OBJECT_OF[res]} {record['id']} changed since ETag {if_match} "
                          f"(now {self.etag(res, record['id'])})")
        body = self._body(request)
        if isinstance(body, Response):
            return body
        problem = self._validate(res, body)
        if problem is not None:
            return problem
        email_field = self.fields["contacts"]["email"]
        if res == "contacts" and email_field in body:
            owner = self._email_owner(body[email_field])
            if owner is not None and owner != record["id"]:
                return _error(409, "duplicate", f"a contact with {email_field} {body[email_field]} exists",
                              existing_id=owner)
        record.update({k: "" if v is None else v for k, v in body.items()})
        self._touch(res, record)
        return self._answer(200, res, record)

    # --- lists ---------------------------------------------------------------------------
    def _list(self, res: str, request: Request) -> Response:
        native = self.fields[res]
        try:
            limit = int(request.param("limit") or self.page_size)
        except ValueError:
            limit = 0
        if limit < 1:
            return _error(422, "validation_error", "limit must be a positive integer", field="limit")
        limit = min(limit, self.page_size)
        offset = _offset(request.param("cursor"))
        if offset is None:
            return _error(422, "validation_error", "cursor is not one this API returned", field="cursor")
        items = list(self.records[res].values())
        for name, values in request.query.items():
            if name in LIST_PARAMS:
                continue
            if name not in native.values() and name not in ("id", "created_at", "updated_at"):
                return _error(422, "validation_error", f"cannot filter {res} by {name}", field=name)
            items = [r for r in items if _equal(r.get(name), values[0], name == native.get("email"))]
        query = request.param("q")
        if query is not None:
            if res != "contacts":
                return _error(422, "validation_error", f"q is not supported on {res}", field="q")
            items = self._search(items, query)
        sort = request.param("sort")
        if sort:
            key = sort.lstrip("-")
            if key not in native.values() and key not in ("id", "created_at", "updated_at"):
                return _error(422, "validation_error", f"cannot sort {res} by {key}", field="sort")
            items = sorted(items, key=lambda r: str(r.get(key, "")), reverse=sort.startswith("-"))
        page = items[offset:offset + limit]
        more = offset + limit < len(items)
        cursor = base64.urlsafe_b64encode(f"offset:{offset + limit}".encode()).decode() if more else None
        return Response(200, {"items": copy.deepcopy(page), "next_cursor": cursor})

    def _search(self, items: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
        native = self.fields["contacts"]
        words = {w.casefold() for w in _WORD.findall(query) if len(w) >= 2}
        scored: list[tuple[int, int, dict[str, Any]]] = []
        for position, record in enumerate(items):
            text = " ".join(str(record.get(native[f]) or "") for f in ("first_name", "last_name", "company"))
            record_words = {w.casefold() for w in _WORD.findall(text)}
            hits = sum(1 for w in words if any(r.startswith(w) for r in record_words))
            if hits:
                scored.append((-hits, position, record))
        return [record for _, _, record in sorted(scored, key=lambda s: (s[0], s[1]))]


def _equal(value: Any, wanted: str, casefold: bool) -> bool:
    if isinstance(value, bool):
        return wanted.lower() == str(value).lower()
    text = "" if value is None else str(value)
    if casefold:
        return text.strip().lower() == wanted.strip().lower()
    return text == wanted


def _offset(cursor: str | None) -> int | None:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except ValueError:
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "offset" and number.isdigit() else None

"""The `rest` connector: any JSON REST CRM described by `crm.options` (see options.py), over httpx.

Writes are made safe to retry: every create carries the idempotency header (the API
replays the record a key created before), a contact whose email exists answers 409 with
`existing_id`, and updates send `If-Match` with the ETag read just before. There is no
batch API in the convention this connector speaks, so `create_many` creates one by one.
With `idempotency_header: null` a create retried after a lost response may duplicate an
activity, case or task (contacts stay unique by email).

An API that replays a create for a key it saw before keeps doing so after that record was
deleted; the connector notices (a replayed create is read back: 404) and creates again
under a derived key `<key>~2`, `<key>~3`... which stays idempotent. `get` and `delete`
are GET and DELETE on `<resource>/{id}`; deleting a contact first lists its activities,
cases and tasks with the `lookup` templates (see options.LookupPaths).
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import quote

import httpx

from crm_crew.connectors.base import (
    EXPORT_KEYS,
    NO_LOSSY_FIELDS,
    OBJECT_TYPES,
    CheckReport,
    ObjectType,
    check_object_type,
    create_each,
    related_records_error,
    stale_fields,
    url_target,
)
from crm_crew.connectors.options import ConnectorContext, parse_options, secret_from_env
from crm_crew.connectors.rest.errors import error_details, translate, translate_response
from crm_crew.connectors.rest.mapping import Mapper
from crm_crew.connectors.rest.options import RestOptions
from crm_crew.errors import ConnectorError, CrmRecordError, StaleRecordError, UserError
from crm_crew.models import Activity, Contact
from crm_crew.observability.tracing_crm import http_status

MAX_PRECONDITION_ATTEMPTS = 3
MAX_KEY_GENERATIONS = 20            # creates under one idempotency key whose records were all deleted
CHILD_LOOKUPS: dict[str, str] = {"activity": "activities_of_contact", "case": "cases_of_contact",
                                 "task": "tasks_of_contact"}


def open_rest(options: dict[str, Any], ctx: ConnectorContext) -> RestConnector:
    parsed = parse_options(RestOptions, options, "rest")
    token = secret_from_env(ctx, parsed.auth_env, "auth_env", "rest")
    return RestConnector(parsed, ctx, token)


class RestConnector:
    name = "rest"
    lossy_fields = NO_LOSSY_FIELDS

    def __init__(self, options: RestOptions, ctx: ConnectorContext, token: str) -> None:
        self.options = options
        self.ctx = ctx
        self.target = url_target("rest", options.base_url)
        self.mapper = Mapper(options.field_map, options.value_map, options.id_field)
        credential = f"{options.auth_scheme} {token}" if options.auth_scheme else token
        verify: ssl.SSLContext | bool = True
        if options.ca_bundle:
            try:
                verify = ssl.create_default_context(cafile=options.ca_bundle)
            except (OSError, ssl.SSLError) as exc:
                raise UserError(f"rest: crm.options.ca_bundle {options.ca_bundle}: cannot load it as a "
                                f"PEM CA bundle ({exc})") from exc
        self.client = httpx.Client(
            base_url=options.base_url, timeout=ctx.timeout_s,
            transport=httpx.HTTPTransport(retries=0, verify=verify),
            headers={options.auth_header: credential, "Accept": "application/json"})
        self.last_response: httpx.Response | None = None

    # --- plumbing ------------------------------------------------------------------------
    def _path(self, obj: str) -> str:
        check_object_type(obj)
        return str(getattr(self.options.resources, obj))

    def _record_path(self, obj: str, record_id: str) -> str:
        return f"{self._path(obj)}/{quote(record_id, safe='')}"

    def _lookup(self, name: str, **values: Any) -> str:
        template: str = getattr(self.options.lookup, name)
        return template.format(**{k: quote(str(v), safe="") for k, v in values.items()})

    def _request(self, method: str, url: str, action: str, *, expect: tuple[int, ...] = (),
                 seen: list[int] | None = None, **kwargs: Any) -> httpx.Response:
        """One logical request through the retry policy; statuses in `expect` are returned, not raised.
        `seen` collects each attempt's status (0: no response)."""
        def attempt() -> httpx.Response:
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.HTTPError as exc:
                if seen is not None:
                    seen.append(0)
                raise translate(exc, action, self.options.auth_env) from exc
            if seen is not None:
                seen.append(response.status_code)
            http_status(response.status_code)
            self.last_response = response
            if response.status_code >= 400 and response.status_code not in expect:
                raise translate_response(response, action, self.options.auth_env)
            return response

        return self.ctx.retry.call(attempt)

    def _items(self, response: httpx.Response, action: str) -> tuple[list[dict[str, Any]], str | None]:
        body = _json(response, action)
        items = body.get(self.options.items_key) if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise ConnectorError(f"rest answered {action} without a list under {self.options.items_key!r}")
        cursor = body.get(self.options.next_cursor_key) if isinstance(body, dict) else None
        return [i for i in items if isinstance(i, dict)], (str(cursor) if cursor else None)

    # --- reads ---------------------------------------------------------------------------
    def find_contact_by_email(self, email: str) -> Contact | None:
        wanted = email.strip().lower()
        if not wanted:
            return None
        response = self._request("GET", self._lookup("contact_by_email", email=wanted), "find contact by email")
        for record in self._items(response, "find contact by email")[0]:
            contact = self.mapper.contact(record)
            if contact.email.strip().lower() == wanted:
                return contact
        return None

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        query = " ".join(p for p in (name.strip(), company.strip()) if p)
        if not query or limit <= 0:
            return []
        response = self._request("GET", self._lookup("contact_search", query=query), "search contacts")
        return [self.mapper.contact(r) for r in self._items(response, "search contacts")[0][:limit]]

    def get_contact(self, contact_id: str) -> Contact | None:
        response = self._request("GET", self._record_path("contact", contact_id), "read contact", expect=(404,))
        if response.status_code == 404:
            return None
        return self.mapper.contact(_json(response, "read contact"))

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        url = self._lookup("activities_of_contact", contact_id=contact_id, limit=limit)
        response = self._request("GET", url, "read activities")
        activities = [self.mapper.activity(r) for r in self._items(response, "read activities")[0]]
        activities = [a for a in activities if a.contact_id == contact_id]
        activities.sort(key=lambda a: a.occurred_at, reverse=True)
        return activities[:limit]

    def _read(self, obj: str, record_id: str) -> tuple[dict[str, Any], str | None]:
        response = self._request("GET", self._record_path(obj, record_id), f"read {obj}", expect=(404,))
        if response.status_code == 404:
            raise CrmRecordError(f"{obj} {record_id} does not exist in rest", 404, "not_found")
        return self.mapper.from_wire(obj, _json(response, f"read {obj}")), response.headers.get("ETag")

    # --- writes --------------------------------------------------------------------------
    def create(self, obj: ObjectType, fields: dict[str, Any], idempotency_key: str) -> str:
        """Create and return the id; a key or contact email seen before returns the existing id
        (a key whose record was deleted since creates a new record, see the module docstring)."""
        clean = self.mapper.clean(obj, fields)
        if obj == "contact" and not clean.get("email"):
            raise ConnectorError("a contact needs an email")
        action = f"create {obj}"
        keyed = bool(self.options.idempotency_header and idempotency_key)
        for generation in range(1, MAX_KEY_GENERATIONS + 1):
            headers = {}
            if keyed:
                key = idempotency_key if generation == 1 else f"{idempotency_key}~{generation}"
                headers[str(self.options.idempotency_header)] = key
            response = self._request("POST", self._path(obj), action, expect=(409,),
                                     json=self.mapper.to_wire(obj, clean), headers=headers)
            if response.status_code == 409:
                return self._existing_contact(obj, clean, response, action)
            record_id = _json(response, action).get(self.options.id_field)
            if not record_id:
                raise ConnectorError(f"rest answered {action} without {self.options.id_field!r}")
            replayed = response.status_code == 200 or response.headers.get("Idempotent-Replayed") == "true"
            if not (keyed and replayed) or self.get(obj, str(record_id)) is not None:
                return str(record_id)
        raise CrmRecordError(f"rest replayed {MAX_KEY_GENERATIONS} deleted {obj}s for idempotency key "
                             f"{idempotency_key!r}; create it with a new key")

    def _existing_contact(self, obj: str, clean: dict[str, Any], response: httpx.Response, action: str) -> str:
        code, message, error = error_details(response)
        if obj == "contact":
            if error.get("existing_id"):
                return str(error["existing_id"])
            found = self.find_contact_by_email(clean["email"])
            if found is not None:
                return found.id
        raise CrmRecordError(f"rest refused to {action}: 409 {code}: {message}", 409, code or None)

    def create_many(self, obj: ObjectType, items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
        return create_each(self, obj, items)

    def update(self, obj: ObjectType, record_id: str, fields: dict[str, Any],
               expected: dict[str, Any] | None = None) -> dict[str, Any]:
        """Write `fields` unless `expected` no longer holds; return their previous values.

        The PATCH carries If-Match with the ETag of the read. A 412 means the record moved
        in between: re-read and re-check (at most 3 rounds). A re-read already showing our
        values means our own write landed and only its answer was lost.
        """
        clean = self.mapper.clean(obj, fields)
        body = self.mapper.to_wire(obj, clean)
        before: dict[str, Any] | None = None
        for _ in range(MAX_PRECONDITION_ATTEMPTS):
            current, etag = self._read(obj, record_id)
            if before is not None and not stale_fields(clean, current):
                return before
            stale = stale_fields(expected, current)
            if stale:
                changed = ", ".join(f"{k}={v!r}" for k, v in stale.items())
                raise StaleRecordError(f"{obj} {record_id} changed in rest since it was read: now {changed}",
                                       current=current)
            if before is None:
                before = {k: current.get(k) for k in clean}
            headers = {"If-Match": etag} if self.options.etag and etag else {}
            response = self._request("PATCH", self._record_path(obj, record_id), f"update {obj}",
                                     expect=(412,), json=body, headers=headers)
            if response.status_code != 412:
                return before
        raise StaleRecordError(f"{obj} {record_id} kept changing in rest while updating "
                               f"({MAX_PRECONDITION_ATTEMPTS} failed preconditions); re-read and re-plan",
                               current=current)

    # --- one record: get, delete --------------------------------------------------------
    def get(self, obj: ObjectType, record_id: str) -> dict[str, Any] | None:
        """GET <resource>/{id} in the unified model (as export_all() gives it); 404 -> None."""
        if not str(record_id).strip():
            check_object_type(obj)
            return None
        response = self._request("GET", self._record_path(obj, record_id), f"read {obj}", expect=(404,))
        if response.status_code == 404:
            return None
        return self.mapper.from_wire(obj, _json(response, f"read {obj}"))

    def delete(self, obj: ObjectType, record_id: str) -> bool:
        """DELETE <resource>/{id}: 2xx -> True, 404 -> False (True when an earlier attempt of this call
        got no answer or a 5xx: that attempt did it). A contact is first checked with the lookup
        templates (activities_of_contact, cases_of_contact, tasks_of_contact; a null template skips
        that object): any record pointing at it -> CrmRecordError RELATED_RECORDS, nothing deleted."""
        url = self._record_path(obj, record_id)
        if not str(record_id).strip():
            return False
        if obj == "contact":
            counts = {child: self._children(child, record_id) for child, lookup in CHILD_LOOKUPS.items()
                      if getattr(self.options.lookup, lookup) is not None}
            if any(counts.values()):
                raise related_records_error(record_id, counts)
        seen: list[int] = []
        response = self._request("DELETE", url, f"delete {obj} {record_id}", expect=(404,), seen=seen)
        if response.status_code == 404:
            return any(status == 0 or status >= 500 for status in seen[:-1])
        return True

    def _children(self, obj: str, contact_id: str) -> int:
        """How many records of `obj` (on the first page of its lookup) point at this contact."""
        action = f"list the {EXPORT_KEYS[obj]} of contact {contact_id}"
        response = self._request("GET", self._lookup(CHILD_LOOKUPS[obj], contact_id=contact_id,
                                                     limit=self.options.page_size), action)
        items, _ = self._items(response, action)
        return sum(1 for item in items if self.mapper.from_wire(obj, item)["contact_id"] == contact_id)

    # --- whole-CRM -----------------------------------------------------------------------
    def _pages(self, obj: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        cursor: str | None = None
        action = f"list {obj} records"
        while True:
            params: dict[str, Any] = {}
            if self.options.limit_param:
                params[self.options.limit_param] = self.options.page_size
            if cursor:
                params[self.options.cursor_param] = cursor
            response = self._request("GET", self._path(obj), action, params=params)
            items, cursor = self._items(response, action)
            records.extend(items)
            if not cursor or not items:
                return records

    def export_all(self) -> dict[str, list[dict[str, Any]]]:
        return {EXPORT_KEYS[obj]: [self.mapper.from_wire(obj, r) for r in self._pages(obj)] for obj in OBJECT_TYPES}

    def check(self) -> CheckReport:
        """Who the token is, what it may do (a read probe per object, scopes for writes), budget left."""
        me = _json(self._request("GET", self.options.identity_path, "read identity"), "read identity")
        report = CheckReport(crm="rest", endpoint=self.options.base_url)
        report.identity = str(me.get("user") or me.get("name") or me.get("email") or "") if isinstance(me, dict) \
            else ""
        scopes = me.get("scopes") if isinstance(me, dict) else None
        for obj in OBJECT_TYPES:
            response = self._request("GET", self._path(obj), f"probe {obj} access", expect=(403, 404),
                                     params={self.options.limit_param: 1} if self.options.limit_param else None)
            report.permissions[f"{obj}:read"] = response.status_code < 400
            resource = self._path(obj).rstrip("/").rsplit("/", 1)[-1]
            if isinstance(scopes, list):
                writable = f"{resource}:write" in scopes
                report.permissions[f"{obj}:create"] = writable
                report.permissions[f"{obj}:update"] = writable
        if not isinstance(scopes, list):
            report.notes.append(f"{self.options.identity_path} reports no scopes: write access is not verified "
                                "(check never writes)")
        report.budget = _budget(self.last_response)
        return report

    def close(self) -> None:
        self.client.close()


def _json(response: httpx.Response, action: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise ConnectorError(f"rest answered {action} with a body that is not JSON "
                             f"({response.status_code})") from exc


def _budget(response: httpx.Response | None) -> dict[str, Any]:
    if response is None:
        return {}
    budget: dict[str, Any] = {}
    for header, key in (("X-RateLimit-Limit", "limit"), ("X-RateLimit-Remaining", "remaining"),
                        ("X-RateLimit-Reset", "reset_s")):
        value = response.headers.get(header)
        if value is not None:
            budget[key] = int(value) if value.isdigit() else value
    return budget

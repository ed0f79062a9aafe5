"""An emulator of HubSpot's CRM v3 objects API and v4 associations API (contacts, notes, tasks, tickets).

Served (plain HTTP, `Authorization: Bearer <token>`):

  GET    /crm/v3/objects/{type}?limit=&after=&properties=&associations=    200 list, `after` paging
  GET    /crm/v3/objects/{type}/{id}[?idProperty=&properties=&associations=] 200 | 404
  POST   /crm/v3/objects/{type}                       201; 409 for a contact email that exists
  PATCH  /crm/v3/objects/{type}/{id}[?idProperty=]     200
  DELETE /crm/v3/objects/{type}/{id}                  204, also for an unknown id (archive)
  POST   /crm/v3/objects/{type}/search                200; 400 for limit > 200 or past 10,000 results
  POST   /crm/v3/objects/{type}/batch/read|update|upsert   200, or 207 with "errors"/"numErrors"
  POST   /crm/v3/objects/{type}/batch/create|archive  201 / 204
  PUT    /crm/v4/objects/{from}/{id}/associations/{to}/{toId}            201 (typed, body = types)
  PUT    /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}    200
  GET    /crm/v4/objects/{from}/{id}/associations/{to}                   200
  POST   /crm/v4/associations/{from}/{to}/batch/create                   201, or 207
  GET    /crm/v3/properties/{type}/{name}                                200 | 404

Archiving (DELETE, batch/archive) moves a record out of reads, lists, searches and unique-value
checks (a new record may take its email or crm_crew_key) and drops its associations; GET by id
with `archived=true` still finds it. Errors are `{"status": "error", "message", "correlationId", "category", ...}`. Every response carries
`X-HubSpot-RateLimit-Daily` and `-Daily-Remaining`; with `rate_limit=(max, seconds)` a rolling window is
enforced (429 TEN_SECONDLY_ROLLING) and reported in `-Max`, `-Remaining`, `-Interval-Milliseconds`
(without `rate_limit` those three headers are left out, so nothing ever waits for a window).
"""

from __future__ import annotations

import copy
import itertools
import re
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from crm_crew.testing.emulator import DEFAULT_TOKEN, Emulator, Fault, Request, Response
from crm_crew.testing.hubspot import schema
from crm_crew.testing.hubspot.associations import AssociationRoutes, error
from crm_crew.testing.hubspot.search import check_request, matches, sort_key

DEFAULT_DAILY = 250_000
PORTAL_ID = 40_000_001
_OBJECT = re.compile(r"^/crm/v3/objects/(?P<type>[^/]+)(?:/(?P<rest>.+))?$")
_ASSOC = re.compile(r"^/crm/v4/objects/(?P<type>[^/]+)/(?P<id>[^/]+)/associations/(?P<rest>.+)$")
_ASSOC_BATCH = re.compile(r"^/crm/v4/associations/(?P<type>[^/]+)/(?P<to>[^/]+)/batch/create$")
_PROPERTY = re.compile(r"^/crm/v3/properties/(?P<type>[^/]+)/(?P<name>[^/]+)$")


class HubSpotEmulator(AssociationRoutes, Emulator):
    name = "hubspot"
    tls = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str = DEFAULT_TOKEN,
                 cert_dir: Path | None = None, page_size: int = 100,
                 rate_limit: tuple[int, float] | None = None, portal_id: int = PORTAL_ID) -> None:
        self.page_size = page_size
        self.portal_id = portal_id
        self.rate_limit = rate_limit
        self._window: deque[float] = deque()
        self._window_lock = threading.Lock()
        super().__init__(host, port, token, cert_dir)

    # --- Emulator hooks --------------------------------------------------------------
    def reset_records(self) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in schema.PROPERTIES}
        self.archived: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in schema.PROPERTIES}
        self.associations: list[dict[str, Any]] = []
        self._ids = itertools.count(1001)
        if hasattr(self, "_window_lock"):
            with self._window_lock:
                self._window.clear()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            out: dict[str, Any] = {t: [copy.deepcopy(r) for r in rs.values()] for t, rs in self.records.items()}
            out["associations"] = [dict(a) for a in self.associations]
            return out

    def external_edit(self, obj: str, record_id: str, fields: dict[str, Any]) -> None:
        kind = schema.object_type(obj)
        with self.lock:
            record = self.records[kind or obj][str(record_id)]
            time.sleep(0.002)            # updatedAt must move even within one millisecond
            record["properties"].update({k: None if v is None else str(v) for k, v in fields.items()})
            self._touch(record)

    def connection(self) -> dict[str, Any]:
        return {"crm": {"type": "hubspot", "options": {"base_url": self.url}},
                "env": {"HUBSPOT_ACCESS_TOKEN": self.token}}

    def common_headers(self) -> dict[str, str]:
        daily = self.daily_limit if self.daily_limit is not None else DEFAULT_DAILY
        headers = {"X-HubSpot-RateLimit-Daily": str(daily),
                   "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, daily - self.used_today))}
        if self.rate_limit is not None:
            most, interval = self.rate_limit
            with self._window_lock:
                self._expire(time.monotonic())
                used = len(self._window)
            headers.update({"X-HubSpot-RateLimit-Max": str(most),
                            "X-HubSpot-RateLimit-Remaining": str(max(0, most - used)),
                            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(interval * 1000))})
        return headers

    def unauthorized(self, request: Request) -> Response:
        return error(401, "INVALID_AUTHENTICATION",
                     "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
                     "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")

    def limit_reached(self, request: Request) -> Response:
        return error(429, "RATE_LIMITS", "You have reached your daily limit.", errorType="RATE_LIMIT",
                     policyName="DAILY")

    def fault_response(self, fault: Fault, request: Request) -> Response:
        if fault.status == 401:
            return self.unauthorized(request)
        if fault.status == 429:
            response = self._rate_limited()
            if fault.retry_after_s is not None:
                response.headers["Retry-After"] = str(int(fault.retry_after_s))
            return response
        if fault.status >= 500:
            return error(fault.status, "INTERNAL_ERROR" if fault.status == 500 else "SERVICE_UNAVAILABLE",
                         "internal error" if fault.status == 500 else "The service is temporarily unavailable")
        return error(fault.status, "VALIDATION_ERROR", f"injected {fault.status}")

    def _rate_limited(self) -> Response:
        return error(429, "RATE_LIMITS", "You have reached your ten_secondly_rolling limit.",
                     errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")

    def _expire(self, now: float) -> None:
        assert self.rate_limit is not None
        while self._window and self._window[0] <= now - self.rate_limit[1]:
            self._window.popleft()

    def _admit(self) -> bool:
        """Count this request in the rolling window; False when the window is full."""
        if self.rate_limit is None:
            return True
        with self._window_lock:
            now = time.monotonic()
            self._expire(now)
            if len(self._window) >= self.rate_limit[0]:
                return False
            self._window.append(now)
            return True

    # --- routing ---------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        if not self._admit():
            return self._rate_limited()
        with self.lock:
            return self._route(request)

    def _route(self, request: Request) -> Response:
        path, method = request.path.rstrip("/"), request.method
        if path == "/account-info/v3/details" and method == "GET":
            return Response(200, {"portalId": self.portal_id, "accountType": "STANDARD", "timeZone": "Europe/Berlin",
                                  "companyCurrency": "EUR", "uiDomain": "app.hubspot.com", "dataHostingLocation": "eu1"})
        if found := _OBJECT.match(path):
            kind = schema.object_type(found["type"])
            if kind is None:
                return error(400, "VALIDATION_ERROR", f"Unable to infer object type from: {found['type']}")
            return self._objects(kind, found["rest"] or "", request)
        if found := _ASSOC.match(path):
            return self._association(found["type"], found["id"], found["rest"], request)
        if (found := _ASSOC_BATCH.match(path)) and method == "POST":
            return self._association_batch(found["type"], found["to"], request)
        if (found := _PROPERTY.match(path)) and method == "GET":
            kind = schema.object_type(found["type"])
            if kind is None or found["name"] not in {*schema.PROPERTIES[kind], *schema.ALWAYS}:
                return error(404, "OBJECT_NOT_FOUND", f"Unable to find property {found['name']}")
            return Response(200, {"name": found["name"], "type": "string", "fieldType": "text",
                                  "hasUniqueValue": found["name"] in schema.UNIQUE[kind]})
        return error(404, "OBJECT_NOT_FOUND", f"No route for {method} {request.path}")

    def _objects(self, kind: str, rest: str, request: Request) -> Response:
        method = request.method
        if rest == "" and method == "GET":
            return self._list(kind, request)
        if rest == "" and method == "POST":
            return self._create_one(kind, request.json() or {})
        if rest == "search" and method == "POST":
            return self._search(kind, request.json() or {})
        if rest.startswith("batch/") and method == "POST":
            return self._batch(kind, rest[len("batch/"):], request.json() or {})
        if "/" not in rest and rest and method == "DELETE":
            self._archive(kind, rest)
            return Response(204)
        if "/" not in rest and rest:
            record = self._find(kind, rest, request.param("idProperty"))
            if record is None and method == "GET" and (request.param("archived") or "").lower() == "true":
                record = self.archived[kind].get(rest)
                if record is not None:
                    return Response(200, self._view(kind, record, request.query.get("properties")))
            if record is None:
                return error(404, "OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.")
            if method == "GET":
                return Response(200, self._view(kind, record, request.query.get("properties"),
                                                request.query.get("associations")))
            if method == "PATCH":
                written = (request.json() or {}).get("properties") or {}
                outcome = self._write(kind, record, written)
                return outcome if isinstance(outcome, Response) else Response(200, self._view(kind, record,
                                                                                              list(written)))
        return error(405, "VALIDATION_ERROR", f"Method {method} not allowed on this resource")

    # --- records ---------------------------------------------------------------------
    def _find(self, kind: str, key: str, id_property: str | None = None) -> dict[str, Any] | None:
        if not id_property or id_property == "hs_object_id":
            return self.records[kind].get(key)
        wanted = key.strip().casefold()
        for record in self.records[kind].values():
            if (record["properties"].get(id_property) or "").casefold() == wanted:
                return record
        return None

    def _archive(self, kind: str, record_id: str) -> None:
        """Archive a record (nothing for an unknown id, as HubSpot): gone from reads, its associations removed."""
        record = self.records[kind].pop(str(record_id), None)
        if record is None:
            return
        now = schema.now_iso()
        record.update(archived=True, archivedAt=now)
        self.archived[kind][record["id"]] = record
        self.associations = [a for a in self.associations
                             if not ((a["from_type"] == kind and a["from_id"] == record["id"])
                                     or (a["to_type"] == kind and a["to_id"] == record["id"]))]

    def _touch(self, record: dict[str, Any]) -> None:
        now = schema.now_iso()
        record["updatedAt"] = now
        record["properties"]["lastmodifieddate"] = now

    def _view(self, kind: str, record: dict[str, Any], properties: list[str] | None = None,
              associations: list[str] | None = None) -> dict[str, Any]:
        names = [p for value in properties for p in value.split(",")] if properties else None
        wanted = set(names) if names is not None else set(schema.DEFAULT_PROPERTIES[kind])
        props = {k: v for k, v in record["properties"].items() if k in wanted or k in schema.ALWAYS}
        for name in wanted:
            if name in schema.PROPERTIES[kind]:
                props.setdefault(name, None)
        view = {"id": record["id"], "properties": props, "createdAt": record["createdAt"],
                "updatedAt": record["updatedAt"], "archived": bool(record.get("archived"))}
        if record.get("archivedAt"):
            view["archivedAt"] = record["archivedAt"]
        if associations:
            linked: dict[str, Any] = {}
            for to in {a for value in associations for a in value.split(",")}:
                to_kind = schema.object_type(to)
                ids = self._linked(kind, record["id"], to_kind) if to_kind else []
                if ids:
                    label = schema.ASSOCIATION_LABELS.get((kind, to_kind or ""), "")
                    linked[to_kind or to] = {"results": [{"id": i, "type": label} for i, _ in ids]}
            if linked:
                view["associations"] = linked
        return view

    def _validate(self, kind: str, properties: dict[str, Any], creating: bool,
                  record: dict[str, Any] | None = None) -> tuple[dict[str, str], Response | None]:
        clean, errors = schema.normalize(kind, properties)
        if errors:
            return clean, error(400, "VALIDATION_ERROR", schema.validation_message(errors), errors=[
                {"message": e["message"], "code": e["error"], "context": {"propertyName": [e["name"]]}}
                for e in errors])
        if creating:
            missing = [p for p in schema.REQUIRED[kind] if not clean.get(p)]
            if missing:
                return clean, error(400, "VALIDATION_ERROR", schema.validation_message(
                    [schema.property_error(p, f"Property \"{p}\" is required", "REQUIRED_PROPERTY") for p in missing]))
        for unique in schema.UNIQUE[kind]:
            value = clean.get(unique)
            owner = self._find(kind, value, unique) if value else None
            if owner is not None and owner is not record:
                if kind == "contacts":
                    return clean, error(409, "CONFLICT", f"Contact already exists. Existing ID: {owner['id']}")
                return clean, error(400, "VALIDATION_ERROR", schema.validation_message([schema.property_error(
                    unique, f"{value} already has that value on {kind[:-1]} {owner['id']}.",
                    "CONFLICTING_UNIQUE_VALUE")]))
        return clean, None

    def _insert(self, kind: str, clean: dict[str, str]) -> dict[str, Any]:
        now = schema.now_iso()
        record_id = str(next(self._ids))
        props: dict[str, Any] = {**clean, "createdate": now, "lastmodifieddate": now, "hs_object_id": record_id}
        record = {"id": record_id, "properties": props, "createdAt": now, "updatedAt": now, "archived": False}
        self.records[kind][record_id] = record
        return record

    def _write(self, kind: str, record: dict[str, Any], properties: dict[str, Any]) -> Response | None:
        clean, problem = self._validate(kind, properties, creating=False, record=record)
        if problem is not None:
            return problem
        record["properties"].update(clean)
        self._touch(record)
        return None

    def _associate_on_create(self, kind: str, associations: list[dict[str, Any]]) -> Response | list[Any]:
        links = []
        for item in associations:
            to_id = str((item.get("to") or {}).get("id", ""))
            for spec in item.get("types") or []:
                type_id = spec.get("associationTypeId")
                to_kind = next((to for (frm, to), tid in schema.ASSOCIATION_TYPES.items()
                                if frm == kind and tid == type_id), None)
                if to_kind is None:
                    return error(400, "VALIDATION_ERROR", f"{type_id} is not a valid association type id for "
                                 f"{kind}; invalid association {item}")
                if to_id not in self.records[to_kind]:
                    return error(400, "VALIDATION_ERROR", f"One or more associations are invalid: {to_kind[:-1]} "
                                 f"{to_id} does not exist")
                links.append((to_kind, to_id, type_id))
        return links

    def _create_one(self, kind: str, body: dict[str, Any]) -> Response:
        clean, problem = self._validate(kind, body.get("properties") or {}, creating=True)
        if problem is not None:
            return problem
        links = self._associate_on_create(kind, body.get("associations") or [])
        if isinstance(links, Response):
            return links
        record = self._insert(kind, clean)
        for to_kind, to_id, type_id in links:
            self._link(kind, record["id"], to_kind, to_id, type_id)
        return Response(201, self._view(kind, record, list(clean)))

    def _list(self, kind: str, request: Request) -> Response:
        try:
            limit = int(request.param("limit", "10") or 10)
            offset = int(request.param("after", "0") or 0)
        except ValueError:
            return error(400, "VALIDATION_ERROR", "limit and after must be integers")
        limit = max(1, min(limit, 100, self.page_size))
        ordered = sorted(self.records[kind].values(), key=lambda r: int(r["id"]))
        page = ordered[offset:offset + limit]
        body: dict[str, Any] = {"results": [self._view(kind, r, request.query.get("properties"),
                                                       request.query.get("associations")) for r in page]}
        if offset + limit < len(ordered):
            after = str(offset + limit)
            body["paging"] = {"next": {"after": after, "link": f"{self.url}/crm/v3/objects/{kind}?after={after}"}}
        return Response(200, body)

    def _search(self, kind: str, body: dict[str, Any]) -> Response:
        problem = check_request(body)
        if problem is not None:
            return error(400, "VALIDATION_ERROR", problem)
        found = [r for r in self.records[kind].values() if matches(r["properties"], body.get("filterGroups") or [])]
        key, descending = sort_key(body.get("sorts") or [])
        found.sort(key=key, reverse=descending)
        offset, limit = int(body.get("after") or 0), int(body.get("limit", 10))
        page = found[offset:offset + limit]
        out: dict[str, Any] = {"total": len(found),
                               "results": [self._view(kind, r, body.get("properties")) for r in page]}
        if offset + limit < len(found):
            out["paging"] = {"next": {"after": str(offset + limit)}}
        return Response(200, out)

    # --- batch -----------------------------------------------------------------------
    def _batch(self, kind: str, action: str, body: dict[str, Any]) -> Response:
        inputs = body.get("inputs")
        if not isinstance(inputs, list):
            return error(400, "VALIDATION_ERROR", "Invalid input JSON: \"inputs\" is required")
        if len(inputs) > 100:
            return error(400, "VALIDATION_ERROR", f"Batch input size {len(inputs)} exceeds the limit of 100")
        started = schema.now_iso()
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        if action == "read":
            id_property = body.get("idProperty")
            for item in inputs:
                record = self._find(kind, str(item.get("id", "")), id_property)
                if record is None:
                    errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                                   "message": f"Could not get some {kind} objects, they may be deleted or not exist.",
                                   "context": {"ids": [str(item.get("id", ""))]}})
                else:
                    results.append(self._view(kind, record, body.get("properties")))
        elif action in ("create", "upsert"):
            outcome = self._batch_write(kind, action, inputs, results)
            if outcome is not None:
                return outcome
        elif action == "update":
            for item in inputs:
                record = self._find(kind, str(item.get("id", "")), item.get("idProperty"))
                if record is None:
                    errors.append({"status": "error", "category": "OBJECT_NOT_FOUND",
                                   "message": "Object not found", "context": {"ids": [str(item.get("id", ""))]}})
                    continue
                problem = self._write(kind, record, item.get("properties") or {})
                if problem is not None:
                    return problem
                results.append(self._view(kind, record, list(item.get("properties") or {})))
        elif action == "archive":
            for item in inputs:
                self._archive(kind, str(item.get("id", "")))
            return Response(204)
        else:
            return error(404, "OBJECT_NOT_FOUND", f"No route for batch/{action}")
        reply: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": started,
                                 "completedAt": schema.now_iso()}
        if errors:
            reply.update({"errors": errors, "numErrors": len(errors)})
            return Response(207, reply)
        return Response(201 if action == "create" else 200, reply)

    def _batch_write(self, kind: str, action: str, inputs: list[dict[str, Any]],
                     results: list[dict[str, Any]]) -> Response | None:
        """All or nothing, like HubSpot: one invalid input fails the whole batch with 400."""
        if action == "upsert":
            keys = [(i.get("idProperty"), str(i.get("id", "")).strip().casefold()) for i in inputs]
            if len(set(keys)) != len(keys):
                return error(400, "VALIDATION_ERROR", "Duplicate IDs found in batch input: each input must "
                             "resolve to a distinct record")
            for id_property, _ in keys:
                if id_property not in schema.UNIQUE[kind]:
                    return error(400, "VALIDATION_ERROR", f"Unable to perform update/upsert by non-unique "
                                 f"{schema.OBJECT_TYPE_IDS[kind]} property {id_property} in portal ID {self.portal_id}")
        planned: list[tuple[dict[str, Any] | None, dict[str, str], list[Any]]] = []
        for item in inputs:
            properties = dict(item.get("properties") or {})
            record = None
            if action == "upsert":
                record = self._find(kind, str(item["id"]), item["idProperty"])
                properties[item["idProperty"]] = str(item["id"])
            clean, problem = self._validate(kind, properties, creating=record is None, record=record)
            if problem is not None:
                return problem
            links = self._associate_on_create(kind, item.get("associations") or []) if record is None else []
            if isinstance(links, Response):
                return links
            planned.append((record, clean, links))
        for record, clean, links in planned:
            if record is None:
                record = self._insert(kind, clean)
                for to_kind, to_id, type_id in links:
                    self._link(kind, record["id"], to_kind, to_id, type_id)
                view = self._view(kind, record, list(clean))
                view["new"] = True
            else:
                record["properties"].update(clean)
                self._touch(record)
                view = self._view(kind, record, list(clean))
                view["new"] = False
            results.append(view if action == "upsert" else {k: v for k, v in view.items() if k != "new"})
        return None

"""The Connector protocol on HubSpot through hubspot-api-client (CRM v3 objects, v4 associations).

Every request goes through `call`: the shared rate gate, then `ctx.retry.call` exactly once per
logical request (the client's own urllib3 retries are off), with client and network errors
translated by `errors.translate`. Responses are read raw (`_preload_content=False`) so the status
code and the X-HubSpot-RateLimit-* headers are seen on every call.

Idempotency: contacts are matched by email (a create answered 409 "Contact already exists. Existing
ID: N" returns N); notes, tasks and tickets are created with `batch/upsert` by the unique property
`idempotency_property` holding the idempotency key, so a create retried after a lost response finds
the record it made; the association to the contact is then PUT, which is idempotent too.

`get` is one GET by id; `delete` archives (DELETE, 204), a contact only once no note, task or
ticket is associated with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import urllib3
from hubspot import HubSpot  # type: ignore[import-untyped]

from crm_crew.connectors.base import (
    CHILD_TYPES,
    EXPORT_KEYS,
    NO_LOSSY_FIELDS,
    UNIFIED_FIELDS,
    CheckReport,
    ObjectType,
    check_object_type,
    related_records_error,
    stale_fields,
    url_target,
)
from crm_crew.connectors.candidates import query_tokens, rank_candidates, search_probes
from crm_crew.connectors.contacts_file import is_valid_email, normalize_email
from crm_crew.connectors.hubspot.batch import BATCH_SIZE, create_in_batches
from crm_crew.connectors.hubspot.errors import ALL_ERRORS, translate
from crm_crew.connectors.hubspot.mapping import (
    HUBSPOT_TYPES,
    TO_CONTACT_TYPE_IDS,
    Mapper,
)
from crm_crew.connectors.hubspot.options import HubSpotOptions
from crm_crew.connectors.hubspot.ratelimit import RateGate
from crm_crew.connectors.options import ConnectorContext, parse_options, secret_from_env
from crm_crew.errors import (
    ConnectorError,
    CrmRecordError,
    StaleRecordError,
)
from crm_crew.models import Activity, Contact

SEARCH_PAGE = 200
_EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")


@dataclass
class Reply:
    status: int
    body: Any
    headers: Any


def open_hubspot(options: dict[str, Any], ctx: ConnectorContext) -> HubSpotConnector:
    parsed = parse_options(HubSpotOptions, options, "hubspot")
    token = secret_from_env(ctx, parsed.access_token_env, "access_token_env", "hubspot")
    return HubSpotConnector(parsed, ctx, token)


class HubSpotConnector:
    name = "hubspot"
    lossy_fields = NO_LOSSY_FIELDS

    def __init__(self, options: HubSpotOptions, ctx: ConnectorContext, token: str) -> None:
        self.options = options
        self.ctx = ctx
        self.gate = RateGate()
        self.mapper = Mapper(options.field_map, options.value_map, options.idempotency_property,
                             options.ticket_pipeline, options.ticket_stage)
        retry = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0, raise_on_status=False,
                              respect_retry_after_header=False)
        crm = HubSpot(access_token=token, host=options.base_url, retry=retry).crm
        kinds = {"contacts": crm.contacts, "notes": crm.objects.notes, "tasks": crm.objects.tasks,
                 "tickets": crm.tickets}
        self.basic = {k: d.basic_api for k, d in kinds.items()}
        self.batch = {k: d.batch_api for k, d in kinds.items()}
        self.search = {k: d.search_api for k, d in kinds.items()}
        self.assoc = crm.associations.v4.basic_api
        self.assoc_batch = crm.associations.v4.batch_api
        self.properties_api = crm.properties.core_api
        self._portal: str | None = None

    # --- plumbing ----------------------------------------------------------------------
    def call(self, action: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Reply:
        def once() -> Reply:
            self.gate.wait()
            try:
                response = fn(*args, _preload_content=False, _request_timeout=self.ctx.timeout_s, **kwargs)
                raw = response.data
                response.release_conn()
            except ALL_ERRORS as exc:
                self.gate.observe(getattr(exc, "headers", None), int(getattr(exc, "status", 0) or 0))
                raise translate(exc, action, self.options.access_token_env) from exc
            self.gate.observe(response.headers, response.status)
            return Reply(response.status, json.loads(raw) if raw else None, response.headers)

        return self.ctx.retry.call(once)

    def _get(self, obj: str, record_id: str, id_property: str | None = None) -> dict[str, Any] | None:
        kind = HUBSPOT_TYPES[obj]
        extra: dict[str, Any] = {"id_property": id_property} if id_property else {}
        if obj != "contact":
            extra["associations"] = ["contacts"]
        try:
            reply = self.call(f"read {kind[:-1]} {record_id}", self.basic[kind].get_by_id, record_id,
                               properties=self.mapper.properties(obj), **extra)
        except CrmRecordError as exc:
            if exc.status == 404:
                return None
            raise
        body: dict[str, Any] = reply.body
        return body

    # --- reads -------------------------------------------------------------------------
    def find_contact_by_email(self, email: str) -> Contact | None:
        wanted = normalize_email(email)
        if not wanted:
            return None
        record = self._get("contact", wanted, id_property="email")
        return self.mapper.contact(record) if record else None

    def get_contact(self, contact_id: str) -> Contact | None:
        if not str(contact_id).strip().isdigit():
            return None
        record = self._get("contact", str(contact_id).strip())
        return self.mapper.contact(record) if record else None

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        """Contacts sharing a name or company token with the query, best overlap first (LocalCRM's rules:
        tokens of 2+ characters match when equal or, from 3 characters on, when one is a prefix of the other).

        HubSpot search: one CONTAINS_TOKEN `<first 3 letters>*` filter per token and property, at most
        5 filter groups (ORed) per request, one page of up to 200 results per request."""
        query = query_tokens(name, company)
        if not query or limit <= 0:
            return []
        fields = self.mapper.fields["contact"]
        targets = [t for t in (fields.get("first_name"), fields.get("last_name"), fields.get("company")) if t]
        groups = [{"filters": [{"propertyName": p, "operator": "CONTAINS_TOKEN", "value": f"{probe}*"}]}
                  for probe in search_probes(query) for p in targets]
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(groups), 5):
            body = {"filterGroups": groups[start:start + 5], "properties": self.mapper.properties("contact"),
                    "limit": SEARCH_PAGE}
            reply = self.call("search contacts", self.search["contacts"].do_search, body)
            for record in reply.body.get("results") or []:
                found[str(record["id"])] = record
        return rank_candidates(query, (self.mapper.contact(record) for record in found.values()), limit)

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        """The contact's notes newest first: their ids from the v4 associations, then batch reads."""
        if limit <= 0 or not str(contact_id).strip().isdigit():
            return []
        note_ids = self._linked_ids("contacts", str(contact_id), "notes") or []
        activities = []
        for start in range(0, len(note_ids), BATCH_SIZE):
            body = {"inputs": [{"id": i} for i in note_ids[start:start + BATCH_SIZE]],
                    "properties": self.mapper.properties("activity")}
            reply = self.call("read notes", self.batch["notes"].read, body)
            for record in reply.body.get("results") or []:
                activities.append((record.get("createdAt") or "", self.mapper.activity(record, str(contact_id))))
        activities.sort(key=lambda item: (item[1].occurred_at, item[0], int(item[1].id)), reverse=True)
        return [activity for _, activity in activities[:limit]]

    # --- writes ------------------------------------------------------------------------
    def prepare(self, obj: str, fields: dict[str, Any]) -> dict[str, Any]:
        clean = self.mapper.clean(obj, fields)
        if obj == "contact":
            if not is_valid_email(clean.get("email", "")):
                raise CrmRecordError(f"contact email {fields.get('email')!r} is not a valid email address")
        else:
            if not str(clean.get("contact_id", "")).isdigit():
                raise CrmRecordError(f"a {obj} needs the contact_id of an existing hubspot contact, "
                                     f"got {clean.get('contact_id')!r}")
            if obj == "activity" and not clean.get("occurred_at"):
                clean["occurred_at"] = datetime.now(UTC).isoformat()
            if obj == "task" and not clean.get("due_date"):
                clean["due_date"] = datetime.now(UTC).date().isoformat()
        return clean

    def create(self, obj: ObjectType, fields: dict[str, Any], idempotency_key: str) -> str:
        """Create a record and return its id; never creates the same thing twice.

        - A contact whose email exists -> that contact's id (HubSpot's 409), nothing written.
        - A note/task/ticket with a key -> `batch/upsert` by `idempotency_property` (the key), then the
          association to its contact. Without a key (or with `idempotency_property: null`) a plain create.
        """
        clean = self.prepare(obj, fields)
        kind = HUBSPOT_TYPES[obj]
        if obj == "contact":
            new = {"properties": self.mapper.to_properties("contact", clean)}
            try:
                return str(self.call("create contact", self.basic[kind].create, new).body["id"])
            except CrmRecordError as exc:
                existing = _EXISTING_ID.search(str(exc)) if exc.status == 409 else None
                if existing:
                    return existing.group(1)
                raise
        props = self.mapper.to_properties(obj, clean, idempotency_key)
        contact_id = str(clean["contact_id"])
        if not (idempotency_key and self.options.idempotency_property):
            body: dict[str, Any] = {"properties": props, "associations": [{"to": {"id": contact_id}, "types": [
                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TO_CONTACT_TYPE_IDS[obj]}]}]}
            return str(self.call(f"create {kind[:-1]}", self.basic[kind].create, body).body["id"])
        upsert = {"inputs": [{"id": idempotency_key, "idProperty": self.options.idempotency_property,
                              "properties": props}]}
        reply = self.call(f"create {kind[:-1]}", self.batch[kind].upsert, upsert)
        record_id = str(reply.body["results"][0]["id"])
        self.call(f"associate {kind[:-1]} {record_id} with contact {contact_id}", self.assoc.create,
                   kind, record_id, "contacts", contact_id,
                   [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TO_CONTACT_TYPE_IDS[obj]}])
        return record_id

    def create_many(self, obj: ObjectType, items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
        """Batches of 100 (see batch.py); an item HubSpot refuses gets its own error."""
        return create_in_batches(self, obj, items)

    def update(self, obj: ObjectType, record_id: str, fields: dict[str, Any],
               expected: dict[str, Any] | None = None) -> dict[str, Any]:
        """Update fields of a record; return their previous values (unified names).

        HubSpot has no precondition header (no If-Match / If-Unmodified-Since on PATCH). With `expected`,
        the record is read and compared, then read again right before the PATCH: if its updatedAt moved
        in between, the comparison is redone on the fresh copy (at most 3 times). A change landing between
        that last read and the PATCH cannot be detected on HubSpot.
        """
        clean = self.mapper.clean(obj, fields)
        if obj != "contact" and "contact_id" in clean:
            raise CrmRecordError(f"moving a hubspot {HUBSPOT_TYPES[obj][:-1]} to another contact is not supported")
        kind = HUBSPOT_TYPES[obj]
        record = self._require(obj, record_id)
        for _ in range(3):
            current = self.mapper.to_unified(obj, record)
            stale = stale_fields(expected, current)
            if stale:
                shown = ", ".join(f"{k}={v!r}" for k, v in stale.items())
                raise StaleRecordError(f"{obj} {record_id} changed in hubspot since it was read: now {shown}",
                                       current=current)
            if expected:
                fresh = self._require(obj, record_id)
                if fresh.get("updatedAt") != record.get("updatedAt"):
                    record = fresh
                    continue
            before = {k: current.get(k) for k in clean}
            if obj == "contact":
                props = self.mapper.to_properties("contact", clean)
            else:
                old = self.mapper.to_properties(obj, _fields_of(obj, current))
                new = self.mapper.to_properties(obj, {**_fields_of(obj, current), **clean})
                props = {k: v for k, v in new.items() if old.get(k) != v}
            if props:
                self.call(f"update {kind[:-1]} {record_id}", self.basic[kind].update, str(record_id),
                           {"properties": props})
            return before
        raise StaleRecordError(f"{obj} {record_id} keeps changing in hubspot; re-read it and try again",
                               current=self.mapper.to_unified(obj, record))

    def _require(self, obj: str, record_id: str) -> dict[str, Any]:
        record = self._get(obj, str(record_id)) if str(record_id).isdigit() else None
        if record is None:
            raise CrmRecordError(f"hubspot has no {HUBSPOT_TYPES[obj][:-1]} with id {record_id}", 404)
        return record

    # --- one record: get, delete -------------------------------------------------------
    def get(self, obj: ObjectType, record_id: str) -> dict[str, Any] | None:
        """GET /crm/v3/objects/<type>/<id> with the mapped properties (and, but for contacts, the
        associated contact): the record as export_all() gives it, plus (notes, tasks, tickets)
        `idempotency_key`, the idempotency_property it was created with; None when missing or archived."""
        check_object_type(obj)
        record = self._get(obj, str(record_id).strip()) if str(record_id).strip().isdigit() else None
        if record is None:
            return None
        unified = self.mapper.to_unified(obj, record)
        prop = self.options.idempotency_property
        if obj != "contact" and prop:
            unified["idempotency_key"] = (record.get("properties") or {}).get(prop) or None
        return unified

    def delete(self, obj: ObjectType, record_id: str) -> bool:
        """Archive: DELETE /crm/v3/objects/<type>/<id> (HubSpot answers 204 even for an unknown id,
        so the record is read first: missing -> False). A contact is first checked for associated
        notes, tasks and tickets (v4 associations): any -> CrmRecordError RELATED_RECORDS, nothing
        archived. A retried archive answers 204 again, so a lost answer still ends in True."""
        check_object_type(obj)
        record_id = str(record_id).strip()
        if not record_id.isdigit() or self._get(obj, record_id) is None:
            return False
        if obj == "contact":
            counts = {}
            for child in CHILD_TYPES:
                linked = self._linked_ids("contacts", record_id, HUBSPOT_TYPES[child])
                if linked is None:
                    return False
                counts[child] = len(linked)
            if any(counts.values()):
                raise related_records_error(record_id, counts)
        kind = HUBSPOT_TYPES[obj]
        self.call(f"archive {kind[:-1]} {record_id}", self.basic[kind].archive, record_id)
        return True

    def _linked_ids(self, kind: str, record_id: str, to_kind: str) -> list[str] | None:
        """Ids of the `to_kind` records associated with this one (v4, every page); None: no such record."""
        ids: list[str] = []
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": 500, **({"after": after} if after else {})}
            try:
                reply = self.call(f"read the {to_kind} of {kind[:-1]} {record_id}", self.assoc.get_page,
                                   kind, record_id, to_kind, **kwargs)
            except CrmRecordError as exc:
                if exc.status == 404:
                    return None
                raise
            ids += [str(r["toObjectId"]) for r in reply.body.get("results") or []]
            after = ((reply.body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return ids

    # --- account -----------------------------------------------------------------------
    @property
    def target(self) -> str:
        """The base URL and the portal (account) the token belongs to, read once from account-info."""
        if self._portal is None:
            api = self.basic["contacts"].api_client
            reply = self.call("read the account (portal) id", api.call_api, "/account-info/v3/details", "GET",
                              auth_settings=["oauth2"], _return_http_data_only=True)
            portal = (reply.body or {}).get("portalId") if isinstance(reply.body, dict) else None
            if portal in (None, ""):
                raise CrmRecordError("hubspot: account-info/v3/details gave no portalId: cannot tell which "
                                     "portal this token writes to")
            self._portal = str(portal)
        return f"{url_target('hubspot', self.options.base_url)}#portal={self._portal}"

    def check(self) -> CheckReport:
        from crm_crew.connectors.hubspot.checks import run_check

        return run_check(self)

    def export_all(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for obj, kind in HUBSPOT_TYPES.items():
            rows: list[dict[str, Any]] = []
            after: str | None = None
            extra = {"associations": ["contacts"]} if obj != "contact" else {}
            while True:
                paging = {"after": after} if after else {}
                reply = self.call(f"list {kind}", self.basic[kind].get_page, limit=100,
                                   properties=self.mapper.properties(obj), **extra, **paging)
                rows += [self.mapper.to_unified(obj, r) for r in reply.body.get("results") or []]
                after = ((reply.body.get("paging") or {}).get("next") or {}).get("after")
                if not after:
                    break
            out[EXPORT_KEYS[obj]] = rows
        return out

    def close(self) -> None:
        return None


def _fields_of(obj: str, unified: dict[str, Any]) -> dict[str, Any]:
    return {k: unified[k] for k in UNIFIED_FIELDS[obj] if k in unified}

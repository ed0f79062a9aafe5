"""The Connector protocol on a Salesforce org (REST API through simple-salesforce).

Contacts are Contacts (003) or unconverted Leads (00Q): unknown senders become Leads by
default. Activities are completed Tasks, tasks are open Tasks, cases are Cases. Creates
are idempotent: contacts match by email first (and the org's duplicate rules answer
DUPLICATES_DETECTED with the existing id), other records are upserted by the
`idempotency_field` External ID, so a write whose response was lost is not repeated.
Updates re-read the record, refuse stale expectations and write under If-Unmodified-Since.
`get` reads one record with SOQL; `delete` sends it to the recycle bin (a contact only once no
Task or Case points at it).
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from simple_salesforce.exceptions import SalesforceMalformedRequest

from crm_crew.connectors.base import (
    NO_LOSSY_FIELDS,
    UNIFIED_FIELDS,
    CheckReport,
    ObjectType,
    check_object_type,
    stale_fields,
    url_target,
)
from crm_crew.connectors.candidates import query_tokens, rank_candidates, search_probes
from crm_crew.connectors.contacts_file import is_valid_email, normalize_email
from crm_crew.connectors.options import ConnectorContext, parse_options, secret_from_env
from crm_crew.connectors.salesforce.batch import create_contacts_many, create_records_many
from crm_crew.connectors.salesforce.client import SalesforceClient, path_value, soql_like, soql_quote
from crm_crew.connectors.salesforce.deletion import delete_record
from crm_crew.connectors.salesforce.errors import CRM
from crm_crew.connectors.salesforce.mapping import (
    COMPLETED,
    CONTACT_OBJECTS,
    SOBJECT,
    Mapping,
    task_kind,
    upsertable,
)
from crm_crew.connectors.salesforce.options import SalesforceOptions
from crm_crew.errors import ConnectorError, CrmRecordError, StaleRecordError, UserError
from crm_crew.models import Activity, Contact

PREFIX_OBJECTS: dict[str, str] = {"003": "Contact", "00Q": "Lead"}
UPDATE_ATTEMPTS = 3
_ID = re.compile(r"[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?")


def open_salesforce(options: dict[str, Any], ctx: ConnectorContext) -> SalesforceConnector:
    parsed = parse_options(SalesforceOptions, options, CRM)
    token = secret_from_env(ctx, parsed.access_token_env, "access_token_env", CRM)
    if parsed.ca_bundle and not Path(parsed.ca_bundle).expanduser().is_file():
        raise UserError(f"{CRM}: crm.options.ca_bundle: no such file {parsed.ca_bundle}")
    return SalesforceConnector(parsed, token, ctx)


def http_date(stamp: str) -> str:
    """If-Unmodified-Since for a LastModifiedDate like 2026-11-21T10:00:00.000+0000."""
    moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(timezone.utc)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


def duplicate_ids(content: Any) -> list[str]:
    """The existing records named by a DUPLICATES_DETECTED error body."""
    ids: list[str] = []
    items = content if isinstance(content, list) else []
    for item in items:
        if not isinstance(item, dict) or item.get("errorCode") != "DUPLICATES_DETECTED":
            continue
        for match in (item.get("duplicateResult") or {}).get("matchResults") or []:
            for hit in match.get("matchRecords") or []:
                record_id = (hit.get("record") or {}).get("Id")
                if record_id:
                    ids.append(str(record_id))
    return ids


class SalesforceConnector:
    name = "salesforce"
    lossy_fields = NO_LOSSY_FIELDS

    def __init__(self, options: SalesforceOptions, token: str, ctx: ConnectorContext) -> None:
        self.options = options
        self.target = url_target("salesforce", options.instance_url)
        self.map = Mapping.build(options.field_map, options.value_map)
        self.client = SalesforceClient(options, token, ctx)
        self.key_field = options.idempotency_field
        self._accounts: dict[str, str] = {}
        self._lock = threading.Lock()

    # --- reads --------------------------------------------------------------------------
    def _contacts(self, sobject: str, where: str, suffix: str = "") -> list[Contact]:
        extra = " AND IsConverted = false" if sobject == "Lead" else ""
        soql = f"SELECT {', '.join(self.map.contact_select(sobject))} FROM {sobject} WHERE ({where}){extra}{suffix}"
        return [self.map.contact_from_sf(sobject, r) for r in self.client.query(soql, f"query {sobject}s")]

    def find_contact_by_email(self, email: str) -> Contact | None:
        email = normalize_email(email)
        if not email:
            return None
        for sobject in CONTACT_OBJECTS:
            field = self.map.contact[sobject]["email"] or "Email"
            found = self._contacts(sobject, f"{field} = {soql_quote(email)}", " ORDER BY CreatedDate ASC LIMIT 1")
            if found:
                return found[0]
        return None

    def get_contact(self, contact_id: str) -> Contact | None:
        sobject = PREFIX_OBJECTS.get(contact_id[:3])
        if sobject is None or not _ID.fullmatch(contact_id):
            return None
        soql = f"SELECT {', '.join(self.map.contact_select(sobject))} FROM {sobject} WHERE Id = {soql_quote(contact_id)}"
        records = self.client.query(soql, f"read {sobject} {contact_id}")
        return self.map.contact_from_sf(sobject, records[0]) if records else None

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        """Contacts and open Leads sharing a name or company token (prefix match from 3 characters)."""
        query = query_tokens(name, company)
        if not query or limit <= 0:
            return []
        probes = search_probes(query)
        candidates: list[Contact] = []
        for sobject in CONTACT_OBJECTS:
            targets = [self.map.contact[sobject][f] for f in ("first_name", "last_name", "company")]
            paths = [t for t in targets if t]
            where = " OR ".join(f"{path} LIKE {soql_like(p)}" for p in probes for path in paths)
            candidates.extend(self._contacts(sobject, where, " LIMIT 200"))
        return rank_candidates(query, candidates, limit)

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        if limit <= 0:
            return []
        select = f"SELECT {', '.join(self.map.record_select('activity'))} FROM Task"
        where = f"WhoId = {soql_quote(contact_id)} AND Status = {soql_quote(COMPLETED)}"
        records = self.client.query(f"{select} WHERE {where} ORDER BY ActivityDate DESC NULLS LAST, "
                                    f"CreatedDate DESC LIMIT {limit}", "read activities")
        if len(records) == limit and records[-1].get("ActivityDate"):
            # the exact time lives in the marker line: fetch the whole last day to order it right
            seen = {r["Id"] for r in records}
            records += [r for r in self.client.query(f"{select} WHERE {where} AND ActivityDate = "
                                                     f"{records[-1]['ActivityDate']}", "read activities")
                        if r["Id"] not in seen]
        unified = [self.map.record_from_sf("activity", r) | {"created": r.get("CreatedDate") or ""}
                   for r in records]
        unified.sort(key=lambda a: (_instant(a["occurred_at"]), a["created"]), reverse=True)
        return [Activity(id=a["id"], contact_id=a["contact_id"], subject=a["subject"], kind=a["kind"],
                         occurred_at=a["occurred_at"], description=a["description"], intent=a["intent"],
                         sentiment=a["sentiment"]) for a in unified[:limit]]

    def _with_key(self, unified: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
        if self.key_field:
            unified["idempotency_key"] = raw.get(self.key_field)
        return unified

    def fetch(self, obj: str, sobject: str, record_id: str, keyed: bool = False) -> dict[str, Any] | None:
        """The raw record (SOQL: deleted records are not seen), or None; `keyed`: with the idempotency field."""
        if not _ID.fullmatch(record_id):
            return None
        select = self.map.contact_select(sobject) if obj == "contact" else self.map.record_select(obj)
        if keyed and self.key_field:
            select = list(dict.fromkeys([*select, self.key_field]))
        records = self.client.query(f"SELECT {', '.join(select)} FROM {sobject} WHERE Id = {soql_quote(record_id)}",
                                    f"read {sobject} {record_id}")
        return records[0] if records else None

    def _read(self, obj: str, sobject: str, record_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(raw record, unified fields) or None."""
        raw = self.fetch(obj, sobject, record_id)
        if raw is None:
            return None
        if obj == "contact":
            contact = self.map.contact_from_sf(sobject, raw).to_dict()
            return raw, {k: contact[k] for k in UNIFIED_FIELDS["contact"]}
        return raw, {k: v for k, v in self.map.record_from_sf(obj, raw).items() if k in UNIFIED_FIELDS[obj]}

    # --- writes -------------------------------------------------------------------------
    def create(self, obj: ObjectType, fields: dict[str, Any], idempotency_key: str) -> str:
        if obj == "contact":
            return self._create_contact(fields, idempotency_key)
        if obj not in SOBJECT:
            raise ConnectorError(f"unknown object type {obj!r}; expected one of {', '.join(UNIFIED_FIELDS)}")
        return self._create_record(obj, fields, idempotency_key)

    def _create_contact(self, fields: dict[str, Any], key: str) -> str:
        email = normalize_email(str(fields.get("email") or ""))
        if not email:
            raise ConnectorError("a contact needs an email")
        if not is_valid_email(email):
            raise ConnectorError(f"contact email {fields.get('email')!r} is not a valid email address")
        existing = self.find_contact_by_email(email)
        if existing is not None:
            return existing.id
        sobject = self.options.new_contact_object
        payload = self.contact_payload(sobject, fields, creating=True)
        return self.insert(sobject, payload, key)

    def contact_payload(self, sobject: str, fields: dict[str, Any], creating: bool) -> dict[str, Any]:
        payload, company = self.map.contact_to_sf(sobject, fields, creating)
        if company is not None:
            payload["AccountId"] = self.account_id(company) if company else None
        return payload

    def account_id(self, name: str) -> str:
        """The Account named `name`, created when missing (cached for the connector's life)."""
        with self._lock:
            cached = self._accounts.get(name.casefold())
        if cached:
            return cached
        found = self.client.query(f"SELECT Id FROM Account WHERE Name = {soql_quote(name)} "
                                  "ORDER BY CreatedDate ASC LIMIT 1", "find Account")
        account = str(found[0]["Id"]) if found else self.insert("Account", {"Name": name}, "")
        with self._lock:
            self._accounts[name.casefold()] = account
        return account

    def insert(self, sobject: str, payload: dict[str, Any], key: str) -> str:
        """Create one record: upsert by the idempotency field when there is a key, else POST.
        A DUPLICATES_DETECTED answer (also to our own retried create) yields the existing id."""
        if key and self.key_field and sobject != "Account":
            path, method = f"sobjects/{sobject}/{self.key_field}/{path_value(key)}", "PATCH"
            payload = upsertable(payload)
        else:
            path, method = f"sobjects/{sobject}/", "POST"

        def request() -> str:
            try:
                body = self.client.sf.restful(path, method=method, json=payload)
            except SalesforceMalformedRequest as exc:
                found = duplicate_ids(exc.content)
                if found:
                    return found[0]
                raise
            return str(body["id"])  # type: ignore[index]

        return self.client.call(f"create {sobject}", request)

    def _create_record(self, obj: str, fields: dict[str, Any], key: str) -> str:
        contact_id = str(fields.get("contact_id") or "")
        if not contact_id:
            raise ConnectorError(f"a {obj} needs the contact_id of an existing contact")
        full = dict(fields)
        if obj == "activity" and not full.get("occurred_at"):
            full["occurred_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        ref, extra = self.contact_ref(obj, contact_id, self.lead_emails([contact_id]) if obj == "case" else {})
        payload = self.map.record_to_sf(obj, full, extra, creating=True) | ref
        return self.insert(SOBJECT[obj], payload, key)

    def contact_ref(self, obj: str, contact_id: str, lead_emails: dict[str, str]) -> tuple[dict[str, Any],
                                                                                           dict[str, str]]:
        """(reference fields, marker extras) pointing a Task or Case at a contact or lead."""
        if contact_id[:3] not in PREFIX_OBJECTS:
            raise ConnectorError(f"contact {contact_id} does not exist (not a Salesforce Contact or Lead id)")
        if obj != "case":
            return {"WhoId": contact_id}, {}
        if contact_id.startswith("003"):
            return {"ContactId": contact_id, "SuppliedEmail": None}, {}
        email = lead_emails.get(contact_id)
        if email is None:
            raise ConnectorError(f"contact {contact_id} does not exist")
        # Case.ContactId takes Contacts only: a Lead is named by its email and the marker line
        return {"ContactId": None, "SuppliedEmail": email or None}, {"lead": contact_id}

    def lead_emails(self, contact_ids: list[str]) -> dict[str, str]:
        leads = sorted({c for c in contact_ids if c.startswith("00Q")})
        out: dict[str, str] = {}
        for start in range(0, len(leads), 100):
            chunk = ", ".join(soql_quote(c) for c in leads[start:start + 100])
            for record in self.client.query(f"SELECT Id, Email FROM Lead WHERE Id IN ({chunk})", "read Leads"):
                out[str(record["Id"])] = str(record.get("Email") or "")
                out[str(record["Id"])[:15]] = out[str(record["Id"])]
        return out

    def create_many(self, obj: ObjectType, items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
        if obj == "contact":
            return create_contacts_many(self, items)
        if obj not in SOBJECT:
            raise ConnectorError(f"unknown object type {obj!r}; expected one of {', '.join(UNIFIED_FIELDS)}")
        return create_records_many(self, obj, items)

    def update(self, obj: ObjectType, record_id: str, fields: dict[str, Any],
               expected: dict[str, Any] | None = None) -> dict[str, Any]:
        if obj not in UNIFIED_FIELDS:
            raise ConnectorError(f"unknown object type {obj!r}; expected one of {', '.join(UNIFIED_FIELDS)}")
        unknown = sorted(set(fields) - set(UNIFIED_FIELDS[obj]))
        if unknown:
            raise ConnectorError(f"unknown {obj} field(s) {', '.join(unknown)}; allowed: "
                                 f"{', '.join(UNIFIED_FIELDS[obj])}")
        sobject = PREFIX_OBJECTS.get(record_id[:3], "") if obj == "contact" else SOBJECT[obj]
        current: dict[str, Any] = {}
        for _ in range(UPDATE_ATTEMPTS):
            found = self._read(obj, sobject, record_id) if sobject else None
            if found is None:
                raise ConnectorError(f"{obj} {record_id} does not exist")
            raw, current = found
            stale = stale_fields(expected, current)
            if stale:
                listed = ", ".join(f"{k}={v!r}" for k, v in stale.items())
                raise StaleRecordError(f"{obj} {record_id} changed in salesforce since it was read: now {listed}",
                                       current=current)
            before = {k: current.get(k) for k in fields}
            payload = self._update_payload(obj, sobject, current, fields)
            header = {"If-Unmodified-Since": http_date(str(raw["LastModifiedDate"]))}
            try:
                self.client.rest(f"update {sobject} {record_id}", f"sobjects/{sobject}/{record_id}", "PATCH",
                                 payload, header)
            except CrmRecordError as exc:
                if exc.status == 412:
                    continue
                raise
            return before
        raise StaleRecordError(f"{obj} {record_id} kept changing in salesforce while updating it "
                               f"({UPDATE_ATTEMPTS} attempts); re-read and re-plan", current=current)

    def _update_payload(self, obj: str, sobject: str, current: dict[str, Any],
                        fields: dict[str, Any]) -> dict[str, Any]:
        if obj == "contact":
            return self.contact_payload(sobject, fields, creating=False)
        merged = {**current, **fields}
        contact_id = str(merged.get("contact_id") or "")
        emails = self.lead_emails([contact_id]) if obj == "case" and "contact_id" in fields else \
            {contact_id: ""}
        ref, extra = self.contact_ref(obj, contact_id, emails) if contact_id else ({}, {})
        full = self.map.record_to_sf(obj, merged, extra, creating=False)
        touched = {"Description"} | {self.map.fields[obj][f] for f in fields if self.map.fields[obj].get(f)}
        if obj == "activity" and "occurred_at" in fields:
            touched.add("ActivityDate")
        payload = {k: v for k, v in full.items() if k in touched}
        return payload | (ref if "contact_id" in fields else {})

    # --- one record: get, delete --------------------------------------------------------
    def sobject_of(self, obj: str, record_id: str) -> str | None:
        """Where a record of this type lives (a contact: by its id prefix); None: it cannot exist."""
        check_object_type(obj)
        if not _ID.fullmatch(record_id):
            return None
        return PREFIX_OBJECTS.get(record_id[:3]) if obj == "contact" else SOBJECT[obj]

    def get(self, obj: ObjectType, record_id: str) -> dict[str, Any] | None:
        """The record as export_all() gives it, read with SOQL (a deleted record is None), plus
        `idempotency_key`: the idempotency_field value it was created (upserted) with, None if none."""
        sobject = self.sobject_of(obj, record_id)
        raw = self.fetch(obj, sobject, record_id, keyed=True) if sobject else None
        if raw is None or sobject is None:
            return None
        if obj == "contact":
            return self._with_key({**self.map.contact_from_sf(sobject, raw).to_dict(), "object": sobject}, raw)
        record = self._with_key(self.map.record_from_sf(obj, raw), raw)
        if obj == "case" and not record["contact_id"] and raw.get("SuppliedEmail"):
            record["contact_id"] = self._lead_with_email(str(raw["SuppliedEmail"]))
        return record

    def _lead_with_email(self, email: str) -> str:
        field = self.map.contact["Lead"]["email"] or "Email"
        found = self.client.query(f"SELECT Id FROM Lead WHERE {field} = {soql_quote(email)} AND IsConverted = false "
                                  "ORDER BY CreatedDate ASC LIMIT 1", "find the Lead of a Case")
        return str(found[0]["Id"]) if found else ""

    def delete(self, obj: ObjectType, record_id: str) -> bool:
        """DELETE /sobjects/<SObject>/<id>: the record goes to the org's recycle bin (see deletion.py)."""
        return delete_record(self, obj, record_id)

    # --- whole org ----------------------------------------------------------------------
    def export_all(self) -> dict[str, list[dict[str, Any]]]:
        contacts: list[dict[str, Any]] = []
        for sobject in CONTACT_OBJECTS:
            for contact in self._contacts(sobject, "Id != null", " ORDER BY CreatedDate ASC"):
                contacts.append({**contact.to_dict(), "object": sobject})
        lead_by_email = {c["email"].casefold(): c["id"] for c in contacts if c["object"] == "Lead" and c["email"]}
        out: dict[str, list[dict[str, Any]]] = {"contacts": contacts, "activities": [], "cases": [], "tasks": []}
        select = list(dict.fromkeys([*self.map.record_select("activity"), *self.map.record_select("task")]))
        for record in self.client.query(f"SELECT {', '.join(select)} FROM Task WHERE WhoId != null "
                                        "ORDER BY CreatedDate ASC", "export Tasks"):
            kind = task_kind(record)
            out["activities" if kind == "activity" else "tasks"].append(self.map.record_from_sf(kind, record))
        for record in self.client.query(f"SELECT {', '.join(self.map.record_select('case'))} FROM Case "
                                        "ORDER BY CreatedDate ASC", "export Cases"):
            case = self.map.record_from_sf("case", record)
            if not case["contact_id"]:
                case["contact_id"] = lead_by_email.get(str(record.get("SuppliedEmail") or "").casefold(), "")
            out["cases"].append(case)
        return out

    def check(self) -> CheckReport:
        from crm_crew.connectors.salesforce.checks import run_check

        return run_check(self)

    def close(self) -> None:
        self.client.close()


def _instant(value: str) -> str:
    """A sortable UTC form of an ISO date or date-time (unparseable values sort as given)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")

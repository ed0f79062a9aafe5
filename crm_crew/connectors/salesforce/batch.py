"""`create_many` on sObject Collections: up to 200 records per call, allOrNone false.

Records with an idempotency key go through the collection upsert
(PATCH composite/sobjects/<Object>/<idempotency_field>, API 46+), so a retried batch whose
response was lost updates what it created instead of duplicating it. Contacts match by
email first (one query per 100 emails); an item the org's duplicate rules refuse is looked
up by email again.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from crm_crew.connectors.contacts_file import is_valid_email, normalize_email
from crm_crew.connectors.salesforce.client import soql_quote
from crm_crew.connectors.salesforce.errors import first_error, record_error
from crm_crew.connectors.salesforce.mapping import CONTACT_OBJECTS, SOBJECT, upsertable
from crm_crew.errors import ConnectorError, CrmUnavailableError

if TYPE_CHECKING:
    from crm_crew.connectors.salesforce.connector import SalesforceConnector


COLLECTION_SIZE = 200
IN_CHUNK = 100
Result = str | ConnectorError | None


def create_contacts_many(conn: SalesforceConnector,
                         items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
    results: list[Result] = [None] * len(items)
    firsts: dict[str, int] = {}                       # email -> the first item that has it
    for index, (fields, _) in enumerate(items):
        email = normalize_email(str(fields.get("email") or ""))
        if not email:
            results[index] = ConnectorError("a contact needs an email")
        elif not is_valid_email(email):
            results[index] = ConnectorError(f"contact email {fields.get('email')!r} is not a valid email address")
        else:
            firsts.setdefault(email, index)
    existing = ids_by_email(conn, list(firsts))
    sobject = conn.options.new_contact_object
    payloads: dict[int, dict[str, Any]] = {}
    for email, index in firsts.items():
        if email in existing:
            results[index] = existing[email]
            continue
        try:
            payloads[index] = conn.contact_payload(sobject, items[index][0], creating=True)
        except CrmUnavailableError:
            raise
        except ConnectorError as exc:
            results[index] = exc
    keys = {i: key for i, (_, key) in enumerate(items)}
    refused = send(conn, sobject, list(payloads), payloads, keys, results)
    if refused:
        emails = {i: normalize_email(str(items[i][0].get("email"))) for i in refused}
        found = ids_by_email(conn, list(emails.values()))
        for index, email in emails.items():
            results[index] = found.get(email) or ConnectorError(
                f"salesforce refused to create {sobject} {email}: DUPLICATES_DETECTED, and no matching record is "
                "visible to this user")
    for index, (fields, _) in enumerate(items):
        if results[index] is None:
            results[index] = results[firsts[normalize_email(str(fields.get("email")))]]
    return [r if r is not None else ConnectorError("no result") for r in results]


def create_records_many(conn: SalesforceConnector, obj: str,
                        items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
    results: list[Result] = [None] * len(items)
    contact_ids = [str(fields.get("contact_id") or "") for fields, _ in items]
    emails = conn.lead_emails(contact_ids) if obj == "case" else {}
    payloads: dict[int, dict[str, Any]] = {}
    for index, (fields, _) in enumerate(items):
        try:
            if not contact_ids[index]:
                raise ConnectorError(f"a {obj} needs the contact_id of an existing contact")
            full = dict(fields)
            if obj == "activity" and not full.get("occurred_at"):
                full["occurred_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
            ref, extra = conn.contact_ref(obj, contact_ids[index], emails)
            payloads[index] = conn.map.record_to_sf(obj, full, extra, creating=True) | ref
        except ConnectorError as exc:
            results[index] = exc
    send(conn, SOBJECT[obj], list(payloads), payloads, {i: key for i, (_, key) in enumerate(items)}, results)
    return [r if r is not None else ConnectorError("no result") for r in results]


def send(conn: SalesforceConnector, sobject: str, indexes: list[int], payloads: dict[int, dict[str, Any]],
         keys: dict[int, str], results: list[Result]) -> list[int]:
    """Create the records in collections of 200; fill `results`; return the items refused as duplicates."""
    key_field = conn.key_field
    keyed = [i for i in indexes if keys[i] and key_field]
    plain = [i for i in indexes if not (keys[i] and key_field)]
    refused: list[int] = []
    groups = ((keyed, f"composite/sobjects/{sobject}/{key_field}", "PATCH"), (plain, "composite/sobjects", "POST"))
    for group, path, method in groups:
        for start in range(0, len(group), COLLECTION_SIZE):
            chunk = group[start:start + COLLECTION_SIZE]
            if method == "PATCH":
                records = [{"attributes": {"type": sobject}, **upsertable(payloads[i]), str(key_field): keys[i]}
                           for i in chunk]
            else:
                records = [{"attributes": {"type": sobject}, **payloads[i]} for i in chunk]
            try:
                answer = conn.client.rest(f"create {sobject}s", path, method,
                                          {"allOrNone": False, "records": records})
            except CrmUnavailableError:
                raise
            except ConnectorError as exc:
                for index in chunk:
                    results[index] = exc
                continue
            for index, item in zip(chunk, answer or []):
                if item.get("success"):
                    results[index] = str(item["id"])
                elif first_error(item.get("errors"))[0] == "DUPLICATES_DETECTED":
                    refused.append(index)
                else:
                    results[index] = record_error(item.get("errors"), f"create {sobject}")
    return refused


def ids_by_email(conn: SalesforceConnector, emails: list[str]) -> dict[str, str]:
    """Normalized email -> id of the Contact (preferred) or open Lead that has it."""
    found: dict[str, str] = {}
    unique = sorted(set(emails))
    for sobject in CONTACT_OBJECTS:
        field = conn.map.contact[sobject]["email"] or "Email"
        extra = " AND IsConverted = false" if sobject == "Lead" else ""
        unique = [e for e in unique if e not in found]
        for start in range(0, len(unique), IN_CHUNK):
            chunk = ", ".join(soql_quote(e) for e in unique[start:start + IN_CHUNK])
            soql = f"SELECT Id, {field} FROM {sobject} WHERE {field} IN ({chunk}){extra} ORDER BY CreatedDate ASC"
            for record in conn.client.query(soql, f"match {sobject}s by email"):
                found.setdefault(normalize_email(str(record.get(field) or "")), str(record["Id"]))
    return found

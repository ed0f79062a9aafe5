"""Deleting a Salesforce record: DELETE /sobjects/<SObject>/<id> sends it to the recycle bin.

A contact (Contact or Lead) is first checked for Tasks (WhoId) and Cases (ContactId; for a Lead,
Cases without a contact whose SuppliedEmail is the Lead's email): any -> CrmRecordError
RELATED_RECORDS, nothing deleted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import requests
from simple_salesforce.exceptions import SalesforceError

from crm_crew.connectors.base import ObjectType, related_records_error
from crm_crew.connectors.salesforce.client import soql_quote
from crm_crew.connectors.salesforce.errors import first_error
from crm_crew.connectors.salesforce.mapping import dig, task_kind
from crm_crew.errors import CrmRecordError

if TYPE_CHECKING:
    from crm_crew.connectors.salesforce.connector import SalesforceConnector

RELATED_LIMIT = 200                 # related records counted per object when refusing to delete a contact
GONE = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})


def delete_record(conn: SalesforceConnector, obj: ObjectType, record_id: str) -> bool:
    """DELETE /sobjects/<SObject>/<id>: the record goes to the org's recycle bin.

    A contact (Contact or Lead) is first checked for Tasks (WhoId) and Cases (ContactId; for a
    Lead, Cases without a contact whose SuppliedEmail is the Lead's email): any -> CrmRecordError
    RELATED_RECORDS, nothing deleted. 404 (NOT_FOUND, ENTITY_IS_DELETED) -> False; after an
    attempt whose answer was lost (5xx, dropped connection) it means that attempt did it -> True.
    """
    sobject = conn.sobject_of(obj, record_id)
    if sobject is None:
        return False
    if obj == "contact":
        raw = conn.fetch("contact", sobject, record_id)
        if raw is None:
            return False
        counts = _related(conn, sobject, record_id, raw)
        if any(counts.values()):
            raise related_records_error(record_id, counts)
    try:
        return _delete(conn, sobject, record_id)
    except CrmRecordError as exc:
        # a Case attached since the check: the org refuses with DELETE_FAILED naming the case numbers
        if obj == "contact" and exc.code == "DELETE_FAILED" and "cases" in str(exc):
            numbers = re.findall(r"\b\d{5,}\b", str(exc).rpartition("cases")[2])
            raise related_records_error(record_id, {"case": max(1, len(numbers))}) from exc
        raise


def _related(conn: SalesforceConnector, sobject: str, contact_id: str, raw: dict[str, Any]) -> dict[str, int]:
    counts = {"activity": 0, "case": 0, "task": 0}
    for record in conn.client.query(f"SELECT Id, Status, Description FROM Task WHERE WhoId = "
                                    f"{soql_quote(contact_id)} LIMIT {RELATED_LIMIT}", "count related Tasks"):
        counts[task_kind(record)] += 1
    if sobject == "Contact":
        where = f"ContactId = {soql_quote(contact_id)}"
    else:
        email = dig(raw, conn.map.contact["Lead"]["email"] or "Email")
        if not email:
            return counts
        where = f"ContactId = null AND SuppliedEmail = {soql_quote(str(email))}"
    counts["case"] = len(conn.client.query(f"SELECT Id FROM Case WHERE {where} LIMIT {RELATED_LIMIT}",
                                           "count related Cases"))
    return counts


def _delete(conn: SalesforceConnector, sobject: str, record_id: str) -> bool:
    lost = False

    def request() -> bool:
        nonlocal lost
        try:
            getattr(conn.client.sf, sobject).delete(record_id)
        except SalesforceError as exc:
            if exc.status == 404 or first_error(exc.content)[0] in GONE:
                return lost
            lost = lost or exc.status >= 500
            raise
        except requests.exceptions.ConnectTimeout:
            raise
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout):
            lost = True
            raise
        return True

    return conn.client.call(f"delete {sobject} {record_id}", request)

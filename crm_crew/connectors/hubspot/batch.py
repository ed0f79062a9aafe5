"""HubSpot batch creation: batches of 100.

Contacts: a batch read by email finds the existing ones (left unchanged, like `create`), a batch
upsert on email creates the others. Notes, tasks and tickets: a batch upsert on the idempotency
property, then one v4 batch association call. A batch HubSpot refuses as a whole (400) is retried
item by item, so each item gets its own result or error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_crew.connectors.base import ObjectType, create_each
from crm_crew.connectors.contacts_file import normalize_email
from crm_crew.connectors.hubspot.mapping import HUBSPOT_TYPES, TO_CONTACT_TYPE_IDS
from crm_crew.errors import ConnectorError, CrmRecordError, CrmUnavailableError

if TYPE_CHECKING:
    from crm_crew.connectors.hubspot.connector import HubSpotConnector

BATCH_SIZE = 100


def create_in_batches(conn: HubSpotConnector, obj: ObjectType,
                      items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
    """Batches of 100: contacts by email (batch read, then batch upsert of the new ones), notes/tasks/tickets
    by batch upsert on the idempotency property plus one v4 batch association call. A batch HubSpot
    refuses as a whole (400) is retried item by item, so each item gets its own result or error."""
    results: list[str | ConnectorError] = []
    for start in range(0, len(items), BATCH_SIZE):
        chunk = items[start:start + BATCH_SIZE]
        if obj != "contact" and (not conn.options.idempotency_property or not all(k for _, k in chunk)):
            results += create_each(conn, obj, chunk)
            continue
        try:
            results += _create_chunk(conn, obj, chunk)
        except CrmUnavailableError:
            raise
        except CrmRecordError:
            results += create_each(conn, obj, chunk)
        except ConnectorError as exc:
            results += [exc] * len(chunk)
    return results


def _create_chunk(conn: HubSpotConnector, obj: str,
                  chunk: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
    out: list[str | ConnectorError] = []
    prepared: dict[int, dict[str, Any]] = {}
    for index, (fields, _) in enumerate(chunk):
        try:
            prepared[index] = conn.prepare(obj, fields)
            out.append("")
        except ConnectorError as exc:
            out.append(exc)
    if obj == "contact":
        ids = _upsert_contacts(conn, {i: c for i, c in prepared.items()})
        for index, clean in prepared.items():
            out[index] = ids[clean["email"]]
        return out
    if not prepared:
        return out
    kind, prop = HUBSPOT_TYPES[obj], str(conn.options.idempotency_property)
    by_key: dict[str, dict[str, Any]] = {}
    for index, clean in prepared.items():
        by_key.setdefault(chunk[index][1], clean)
    body = {"inputs": [{"id": key, "idProperty": prop, "properties": conn.mapper.to_properties(obj, clean, key)}
                       for key, clean in by_key.items()]}
    reply = conn.call(f"create {len(by_key)} {kind}", conn.batch[kind].upsert, body)
    ids = {str(r["properties"].get(prop)): str(r["id"]) for r in reply.body.get("results") or []}
    links = {ids[key]: str(clean["contact_id"]) for key, clean in by_key.items() if key in ids}
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TO_CONTACT_TYPE_IDS[obj]}]
    assoc = conn.call(f"associate {len(links)} {kind} with contacts", conn.assoc_batch.create, kind, "contacts",
                       {"inputs": [{"from": {"id": f}, "to": {"id": t}, "types": spec} for f, t in links.items()]})
    linked = {str(r["fromObjectId"]) for r in assoc.body.get("results") or []}
    for index, clean in prepared.items():
        record_id = ids.get(chunk[index][1])
        if record_id is None:
            out[index] = CrmRecordError(f"hubspot did not return the {kind[:-1]} for key {chunk[index][1]}")
        elif record_id not in linked:
            out[index] = CrmRecordError(f"hubspot refused to associate {kind[:-1]} {record_id} with contact "
                                        f"{clean['contact_id']} (does the contact exist?)")
        else:
            out[index] = record_id
    return out


def _upsert_contacts(conn: HubSpotConnector, prepared: dict[int, dict[str, Any]]) -> dict[str, str]:
    """email -> id: existing contacts are found by a batch read and left unchanged (like `create`);
    the others are created by a batch upsert on email, idempotent when retried."""
    wanted = {c["email"]: c for c in prepared.values()}
    if not wanted:
        return {}
    reply = conn.call(f"read {len(wanted)} contacts by email", conn.batch["contacts"].read,
                       {"idProperty": "email", "properties": ["email"], "inputs": [{"id": e} for e in wanted]})
    ids = {normalize_email(r["properties"].get("email") or ""): str(r["id"]) for r in reply.body.get("results")
           or []}
    missing = [e for e in wanted if e not in ids]
    if missing:
        body = {"inputs": [{"id": e, "idProperty": "email",
                            "properties": conn.mapper.to_properties("contact", wanted[e])} for e in missing]}
        reply = conn.call(f"create {len(missing)} contacts", conn.batch["contacts"].upsert, body)
        ids.update({normalize_email(r["properties"].get("email") or ""): str(r["id"])
                    for r in reply.body.get("results") or []})
    return ids

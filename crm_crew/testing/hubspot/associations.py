"""The v4 associations API of the HubSpot emulator (a mixin of `HubSpotEmulator`).

Associations are stored once, as created ({"from_type", "from_id", "to_type", "to_id", "type_id",
"category"}), and read from either side with the type id seen from that side (note->contact 202,
contact->note 201, ...).
"""

from __future__ import annotations

import uuid
from typing import Any

from crm_crew.testing.emulator import Request, Response
from crm_crew.testing.hubspot import schema


def error(status: int, category: str, message: str, **extra: Any) -> Response:
    return Response(status, {"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
                             "category": category, **extra})


class AssociationRoutes:
    records: dict[str, dict[str, dict[str, Any]]]
    associations: list[dict[str, Any]]
    page_size: int

    def _link(self, kind: str, record_id: str, to_kind: str, to_id: str, type_id: int) -> None:
        link = {"from_type": kind, "from_id": record_id, "to_type": to_kind, "to_id": to_id, "type_id": type_id,
                "category": "HUBSPOT_DEFINED"}
        if link not in self.associations:
            self.associations.append(link)

    def _linked(self, kind: str, record_id: str, to_kind: str) -> list[tuple[str, int]]:
        """(id, type id seen from `kind`) of the `to_kind` records linked to this one, either direction."""
        out: dict[str, int] = {}
        for a in self.associations:
            if a["from_type"] == kind and a["from_id"] == record_id and a["to_type"] == to_kind:
                out[a["to_id"]] = a["type_id"]
            elif a["to_type"] == kind and a["to_id"] == record_id and a["from_type"] == to_kind:
                out[a["from_id"]] = schema.ASSOCIATION_TYPES.get((kind, to_kind), a["type_id"])
        return sorted(out.items(), key=lambda item: int(item[0]))

    def _association(self, from_name: str, record_id: str, rest: str, request: Request) -> Response:
        kind = schema.object_type(from_name)
        parts = rest.split("/")
        default = parts[0] == "default"
        if default:
            parts = parts[1:]
        to_kind = schema.object_type(parts[0]) if parts else None
        if kind is None or to_kind is None:
            return error(400, "VALIDATION_ERROR", f"Unknown object type in {request.path}")
        if record_id not in self.records[kind]:
            return error(404, "OBJECT_NOT_FOUND", f"No {kind[:-1]} with id {record_id}")
        if request.method == "GET" and len(parts) == 1:
            linked = self._linked(kind, record_id, to_kind)
            offset = int(request.param("after", "0") or 0)
            limit = min(int(request.param("limit", "500") or 500), 500, self.page_size)
            page = linked[offset:offset + limit]
            body: dict[str, Any] = {"results": [{"toObjectId": int(i), "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": t, "label": None}]} for i, t in page]}
            if offset + limit < len(linked):
                body["paging"] = {"next": {"after": str(offset + limit)}}
            return Response(200, body)
        if request.method != "PUT" or len(parts) != 2:
            return error(405, "VALIDATION_ERROR", f"Method {request.method} not allowed on {request.path}")
        to_id = parts[1]
        if to_id not in self.records[to_kind]:
            return error(404, "OBJECT_NOT_FOUND", f"No {to_kind[:-1]} with id {to_id}")
        expected = schema.ASSOCIATION_TYPES.get((kind, to_kind))
        if expected is None:
            return error(400, "VALIDATION_ERROR", f"{kind} cannot be associated with {to_kind}")
        if default:
            self._link(kind, record_id, to_kind, to_id, expected)
            return Response(200, {"status": "COMPLETE", "results": [{"from": {"id": record_id}, "to": {"id": to_id},
                                  "associationSpec": {"associationCategory": "HUBSPOT_DEFINED",
                                                      "associationTypeId": expected}}],
                                  "startedAt": schema.now_iso(), "completedAt": schema.now_iso()})
        specs = request.json() or []
        for spec in specs:
            if spec.get("associationTypeId") != expected:
                return error(400, "VALIDATION_ERROR", f"{spec.get('associationTypeId')} is not a valid "
                             f"association type between {kind} and {to_kind}")
        for spec in specs:
            self._link(kind, record_id, to_kind, to_id, int(spec["associationTypeId"]))
        return Response(201, {"fromObjectTypeId": schema.OBJECT_TYPE_IDS[kind], "fromObjectId": int(record_id),
                              "toObjectTypeId": schema.OBJECT_TYPE_IDS[to_kind], "toObjectId": int(to_id),
                              "labels": []})

    def _association_batch(self, from_name: str, to_name: str, request: Request) -> Response:
        kind, to_kind = schema.object_type(from_name), schema.object_type(to_name)
        if kind is None or to_kind is None:
            return error(400, "VALIDATION_ERROR", f"Unknown object type in {request.path}")
        inputs = (request.json() or {}).get("inputs") or []
        if len(inputs) > 100:
            return error(400, "VALIDATION_ERROR", f"Batch input size {len(inputs)} exceeds the limit of 100")
        expected = schema.ASSOCIATION_TYPES.get((kind, to_kind))
        results, errors = [], []
        for item in inputs:
            from_id, to_id = str(item["from"]["id"]), str(item["to"]["id"])
            types = [t.get("associationTypeId") for t in item.get("types") or []]
            if expected is None or any(t != expected for t in types):
                return error(400, "VALIDATION_ERROR", f"{types} is not a valid association type between "
                             f"{kind} and {to_kind}")
            if from_id not in self.records[kind] or to_id not in self.records[to_kind]:
                errors.append({"status": "error", "category": "VALIDATION_ERROR",
                               "message": f"No {kind[:-1]} {from_id} or {to_kind[:-1]} {to_id}",
                               "context": {"fromObjectId": [from_id], "toObjectId": [to_id]}})
                continue
            self._link(kind, from_id, to_kind, to_id, expected)
            results.append({"fromObjectTypeId": schema.OBJECT_TYPE_IDS[kind], "fromObjectId": int(from_id),
                            "toObjectTypeId": schema.OBJECT_TYPE_IDS[to_kind], "toObjectId": int(to_id),
                            "labels": []})
        reply: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": schema.now_iso(),
                                 "completedAt": schema.now_iso()}
        if errors:
            reply.update({"errors": errors, "numErrors": len(errors)})
            return Response(207, reply)
        return Response(201, reply)

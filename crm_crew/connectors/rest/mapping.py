"""Unified model <-> wire records, driven by `field_map` and `value_map` from the options."""

from __future__ import annotations

from typing import Any

from crm_crew.connectors.base import UNIFIED_FIELDS, clean_unified
from crm_crew.connectors.contacts_file import parse_bool
from crm_crew.connectors.options import FieldMap, merge_field_map
from crm_crew.models import Activity, Contact

DEFAULT_FIELD_MAP: FieldMap = {
    "contact": {"email": "email", "first_name": "firstName", "last_name": "lastName", "company": "company",
                "phone": "phone", "tier": "tier", "lead_status": "leadStatus", "opted_out": "optedOut"},
    **{obj: {f: f for f in UNIFIED_FIELDS[obj]} for obj in ("activity", "case", "task")},
}


def _key(value: Any) -> str:
    """How a unified value is written as a value_map key in YAML (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


class Mapper:
    def __init__(self, field_map: FieldMap, value_map: dict[str, dict[str, Any]], id_field: str) -> None:
        self.fields = merge_field_map(DEFAULT_FIELD_MAP, field_map, "rest")
        self.values = {key: {str(k): v for k, v in table.items()} for key, table in value_map.items()}
        self.id_field = id_field

    def _table(self, obj: str, name: str) -> dict[str, Any] | None:
        return self.values.get(f"{obj}.{name}", self.values.get(name))

    def clean(self, obj: str, fields: dict[str, Any]) -> dict[str, Any]:
        return clean_unified(obj, fields)

    def to_wire(self, obj: str, unified: dict[str, Any]) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        for name, value in unified.items():
            target = self.fields[obj].get(name)
            if target is None:
                continue
            table = self._table(obj, name)
            wire[target] = table.get(_key(value), value) if table else value
        return wire

    def from_wire(self, obj: str, record: dict[str, Any]) -> dict[str, Any]:
        """{"id", every unified field of `obj`} from a wire record; unmapped fields read as their default."""
        unified: dict[str, Any] = {"id": str(record.get(self.id_field, ""))}
        for name in UNIFIED_FIELDS[obj]:
            target = self.fields[obj].get(name)
            value = record.get(target) if target is not None else None
            table = self._table(obj, name)
            if table and value is not None:
                reverse = {_key(v): k for k, v in table.items()}
                value = reverse.get(_key(value), value)
            if name == "opted_out":
                unified[name] = bool(parse_bool(value)) if value is not None else False
            else:
                unified[name] = "" if value is None else str(value)
        unified["updated_at"] = str(record.get("updated_at") or "")
        return unified

    def contact(self, record: dict[str, Any]) -> Contact:
        u = self.from_wire("contact", record)
        return Contact(id=u["id"], email=u["email"], first_name=u["first_name"], last_name=u["last_name"],
                       company=u["company"], phone=u["phone"], tier=u["tier"], lead_status=u["lead_status"],
                       opted_out=u["opted_out"], updated_at=u["updated_at"])

    def activity(self, record: dict[str, Any]) -> Activity:
        u = self.from_wire("activity", record)
        return Activity(id=u["id"], contact_id=u["contact_id"], subject=u["subject"], kind=u["kind"],
                        occurred_at=u["occurred_at"], description=u["description"], intent=u["intent"],
                        sentiment=u["sentiment"])

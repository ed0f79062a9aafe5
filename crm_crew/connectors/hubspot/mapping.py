"""The unified model <-> HubSpot properties, driven by `field_map` and `value_map`.

contact -> contacts, activity -> notes, task -> tasks, case -> tickets. Unified fields with no
HubSpot property (mapped to None: by default an activity's subject, kind, intent, sentiment and
interaction_id, a task's kind, a case's status, origin and reason) travel in a last line of the
record's body property, e.g. `[crm-crew] kind=email intent=refund sentiment=negative interaction=msg-001`
(values percent-encoded), which reading parses back, so every value round-trips. A date or
timestamp HubSpot would not give back as written (hs_timestamp keeps UTC milliseconds: "…Z",
a naive time, microseconds, a time in a due date) is remembered in that line too, and read
back as written while hs_timestamp still holds that instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, unquote

from crm_crew.connectors.base import UNIFIED_FIELDS, clean_unified
from crm_crew.connectors.options import FieldMap, merge_field_map
from crm_crew.models import Activity, Contact

HUBSPOT_TYPES: dict[str, str] = {"contact": "contacts", "activity": "notes", "task": "tasks", "case": "tickets"}
TO_CONTACT_TYPE_IDS: dict[str, int] = {"activity": 202, "task": 204, "case": 16}   # HUBSPOT_DEFINED
BODY: dict[str, str] = {"activity": "hs_note_body", "task": "hs_task_body", "case": "content"}
FOOTER = "[crm-crew]"
_FOOTER_NAMES: dict[str, str] = {"interaction_id": "interaction"}

DEFAULT_FIELD_MAP: FieldMap = {
    "contact": {"email": "email", "first_name": "firstname", "last_name": "lastname", "company": "company",
                "phone": "phone", "tier": "customer_tier", "lead_status": "hs_lead_status",
                "opted_out": "hs_email_optout"},
    "activity": {"contact_id": None, "subject": None, "kind": None, "occurred_at": "hs_timestamp",
                 "description": "hs_note_body", "intent": None, "sentiment": None, "interaction_id": None},
    "task": {"contact_id": None, "subject": "hs_task_subject", "kind": None, "due_date": "hs_timestamp",
             "status": "hs_task_status", "description": "hs_task_body"},
    "case": {"contact_id": None, "subject": "subject", "description": "content", "priority": "hs_ticket_priority",
             "status": None, "origin": None, "reason": None},
}
DEFAULT_VALUE_MAP: dict[str, dict[str, str]] = {
    # hs_lead_status has no "Customer" option (customers are a lifecycle stage): CONNECTED stands in.
    "contact.lead_status": {"New": "NEW", "Working": "IN_PROGRESS", "Nurturing": "OPEN", "Qualified": "OPEN_DEAL",
                            "Unqualified": "UNQUALIFIED", "Customer": "CONNECTED"},
    "task.status": {"Open": "NOT_STARTED", "In Progress": "IN_PROGRESS", "Waiting": "WAITING",
                    "Completed": "COMPLETED", "Deferred": "DEFERRED"},
    "task.kind": {"call": "CALL", "email": "EMAIL", "meeting": "TODO", "quote": "TODO"},     # -> hs_task_type
    "case.priority": {"Low": "LOW", "Medium": "MEDIUM", "High": "HIGH", "Critical": "URGENT"},
    "case.origin": {"email": "EMAIL", "chat": "CHAT", "call": "PHONE", "web_form": "FORM"},  # -> source_type
}
_TIME_FIELDS = frozenset({"occurred_at", "due_date"})


def to_hubspot_time(value: str, date_only: bool) -> str:
    """A unified date or timestamp as HubSpot's UTC ISO form; unparsable text is passed on for HubSpot to judge."""
    text = value.strip()
    try:
        if date_only and len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        return text
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def from_hubspot_time(value: str | None, date_only: bool) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return value
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.date().isoformat() if date_only else moment.isoformat()


def same_instant(remembered: str, stored: str | None, date_only: bool) -> bool:
    """Whether hs_timestamp `stored` is what `remembered` was written as."""
    return bool(stored) and to_hubspot_time(remembered, date_only) == to_hubspot_time(str(stored), False)


def render_footer(values: dict[str, str]) -> str:
    parts = [f"{_FOOTER_NAMES.get(k, k)}={quote(v, safe='@')}" for k, v in values.items() if v]
    return f"{FOOTER} {' '.join(parts)}".rstrip()


def split_body(body: str | None) -> tuple[str, dict[str, str]]:
    """(text above the footer, footer values by unified field name)."""
    text = (body or "").rstrip()
    head, _, last = text.rpartition("\n")
    if not last.startswith(FOOTER):
        return text, {}
    names = {v: k for k, v in _FOOTER_NAMES.items()}
    values: dict[str, str] = {}
    for part in last[len(FOOTER):].split():
        key, sep, value = part.partition("=")
        if sep:
            values[names.get(key, key)] = unquote(value)
    return head.rstrip(), values


class Mapper:
    def __init__(self, field_map: FieldMap, value_map: dict[str, dict[str, str]], idempotency_property: str | None,
                 ticket_pipeline: str, ticket_stage: str) -> None:
        self.fields = merge_field_map(DEFAULT_FIELD_MAP, field_map, "hubspot")
        self.values = {k: dict(v) for k, v in DEFAULT_VALUE_MAP.items()}
        for key, table in value_map.items():
            targets = [key] if "." in key else [f"{o}.{key}" for o, fs in UNIFIED_FIELDS.items() if key in fs]
            for target in targets:
                self.values.setdefault(target, {}).update({str(k): str(v) for k, v in table.items()})
        self.idempotency_property = idempotency_property
        self.ticket_pipeline = ticket_pipeline
        self.ticket_stage = ticket_stage

    # --- values ----------------------------------------------------------------------
    def forward(self, obj: str, name: str, value: str) -> str:
        return self.values.get(f"{obj}.{name}", {}).get(value, value)

    def backward(self, obj: str, name: str, value: str) -> str:
        for unified, native in self.values.get(f"{obj}.{name}", {}).items():
            if native == value:
                return unified
        return value

    def clean(self, obj: str, fields: dict[str, Any]) -> dict[str, Any]:
        return clean_unified(obj, fields)

    # --- writing ---------------------------------------------------------------------
    def properties(self, obj: str) -> list[str]:
        """The HubSpot properties to read for `obj`."""
        names = {t for t in self.fields[obj].values() if t}
        if obj != "contact":
            names.add(self.body(obj))
            if self.idempotency_property:
                names.add(self.idempotency_property)
        return sorted(names)

    def body(self, obj: str) -> str:
        return self.fields[obj].get("description") or BODY[obj]

    def to_properties(self, obj: str, unified: dict[str, Any], key: str = "") -> dict[str, str]:
        """HubSpot properties for these (clean) unified values. Contacts: only the given fields;
        other objects: every property, since their body carries the footer of all unmapped fields."""
        props: dict[str, str] = {}
        footer: dict[str, str] = {}
        for name, value in unified.items():
            target = self.fields[obj].get(name)
            if name == "contact_id" or (obj != "contact" and name == "description"):
                continue
            if name == "opted_out":
                text = "true" if value else "false"
            elif name in _TIME_FIELDS and value:
                text = to_hubspot_time(str(value), date_only=name == "due_date")
                if target and from_hubspot_time(text, date_only=name == "due_date") != str(value):
                    footer[name] = str(value)
            else:
                text = self.forward(obj, name, str(value))
            if target:
                props[target] = text
            elif obj != "contact":
                footer[name] = str(value)
        if obj == "contact":
            return props
        lines = []
        if obj == "activity" and "subject" in footer and footer["subject"]:
            lines.append(footer["subject"])
        if self.fields[obj].get("description"):
            lines.append(str(unified.get("description") or ""))
        else:
            footer["description"] = str(unified.get("description") or "")
        lines.append(render_footer(footer))
        props[self.body(obj)] = "\n\n".join(line for line in lines if line)
        if obj == "task":
            props["hs_task_type"] = self.values.get("task.kind", {}).get(str(unified.get("kind", "")), "TODO")
        if obj == "case":
            props["hs_pipeline"] = self.ticket_pipeline
            props["hs_pipeline_stage"] = self.ticket_stage
            origin = self.values.get("case.origin", {}).get(str(unified.get("origin", "")))
            if origin:
                props["source_type"] = origin
        if key and self.idempotency_property:
            props[self.idempotency_property] = key
        return props

    # --- reading ---------------------------------------------------------------------
    def to_unified(self, obj: str, record: dict[str, Any]) -> dict[str, Any]:
        """{"id", unified fields..., "updated_at"} of a HubSpot record (its JSON as the API returns it)."""
        props: dict[str, Any] = record.get("properties") or {}
        out: dict[str, Any] = {"id": str(record["id"])}
        text, footer = ("", {}) if obj == "contact" else split_body(props.get(self.body(obj)))
        if obj == "activity" and footer.get("subject") and (text == footer["subject"]
                                                             or text.startswith(footer["subject"] + "\n\n")):
            text = text[len(footer["subject"]):].lstrip("\n")
        for name in UNIFIED_FIELDS[obj]:
            target = self.fields[obj].get(name)
            raw = props.get(target) if target else None
            if name == "contact_id":
                linked = ((record.get("associations") or {}).get("contacts") or {}).get("results") or []
                out[name] = str(linked[0]["id"]) if linked else ""
            elif name == "description" and obj != "contact":
                out[name] = text if self.fields[obj].get("description") else footer.get("description", "")
            elif target is None:
                out[name] = footer.get(name, "") if obj != "contact" else ("" if name != "opted_out" else False)
            elif name == "opted_out":
                out[name] = str(raw).lower() == "true"
            elif name in _TIME_FIELDS:
                written = footer.get(name)
                out[name] = written if written and same_instant(written, raw, name == "due_date") \
                    else from_hubspot_time(raw, date_only=name == "due_date")
            else:
                out[name] = self.backward(obj, name, "" if raw is None else str(raw))
        out["updated_at"] = str(record.get("updatedAt") or props.get("lastmodifieddate") or "")
        return out

    def contact(self, record: dict[str, Any]) -> Contact:
        u = self.to_unified("contact", record)
        return Contact(id=u["id"], email=u["email"], first_name=u["first_name"], last_name=u["last_name"],
                       company=u["company"], phone=u["phone"], tier=u["tier"], lead_status=u["lead_status"],
                       opted_out=bool(u["opted_out"]), updated_at=u["updated_at"])

    def activity(self, record: dict[str, Any], contact_id: str) -> Activity:
        u = self.to_unified("activity", record)
        return Activity(id=u["id"], contact_id=u["contact_id"] or contact_id, subject=u["subject"], kind=u["kind"],
                        occurred_at=u["occurred_at"], description=u["description"], intent=u["intent"],
                        sentiment=u["sentiment"])

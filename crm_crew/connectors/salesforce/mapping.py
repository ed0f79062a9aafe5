"""The unified model on Salesforce objects: field maps, value maps and the crm-crew marker line.

contact  -> Contact (003) or Lead (00Q); activity -> completed Task; task -> open Task;
case     -> Case. Unified fields with no Salesforce home (field map entry null) travel in a
last line of Description, e.g.
  [crm-crew] object=activity kind=email intent=pricing sentiment=negative interaction=msg-1 occurred_at=...
Values there are percent-encoded, so spaces and "=" survive. A value that would not come
back as written also keeps its unified form in that line: value maps whose way back is
ambiguous (Critical and High both become High), a Subject cut at 255 characters, a date-time
stored in a date field (ActivityDate). Reading prefers that remembered value while the field
still holds what it was written as, so an untouched record reads back exactly as created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, unquote

from crm_crew.connectors.base import UNIFIED_FIELDS
from crm_crew.connectors.contacts_file import is_valid_email, normalize_email, parse_bool
from crm_crew.connectors.options import FieldMap, merge_field_map
from crm_crew.errors import ConnectorError, UserError
from crm_crew.models import Contact

CRM = "salesforce"
CONTACT_OBJECTS: tuple[str, ...] = ("Contact", "Lead")
SOBJECT: dict[str, str] = {"activity": "Task", "task": "Task", "case": "Case"}
NOT_PROVIDED = "[not provided]"
MARKER = "[crm-crew]"
MARKER_ALIASES: dict[str, str] = {"interaction_id": "interaction"}
COMPLETED = "Completed"
MAX_TEXT = 255                 # Subject and other text fields
MAX_LONG_TEXT = 32000         # Description
CREATE_ONLY: frozenset[str] = frozenset({"TaskSubtype"})

DEFAULT_FIELD_MAP: FieldMap = {
    "contact": {"email": "Email", "first_name": "FirstName", "last_name": "LastName",
                "company": "Contact=Account.Name,Lead=Company", "phone": "Phone", "tier": "Tier__c",
                "lead_status": "Contact=Lead_Status__c,Lead=Status", "opted_out": "HasOptedOutOfEmail"},
    "activity": {"contact_id": "WhoId", "subject": "Subject", "kind": None, "occurred_at": None,
                 "description": "Description", "intent": None, "sentiment": None, "interaction_id": None},
    "task": {"contact_id": "WhoId", "subject": "Subject", "kind": None, "due_date": "ActivityDate",
             "status": "Status", "description": "Description"},
    "case": {"contact_id": "ContactId", "subject": "Subject", "description": "Description", "priority": "Priority",
             "status": "Status", "origin": "Origin", "reason": "Reason"},
}
DEFAULT_VALUE_MAP: dict[str, dict[str, str]] = {
    "lead_status": {"New": "Open - Not Contacted", "Working": "Working - Contacted"},
    "task.status": {"Open": "Not Started", "Completed": "Completed"},
    "case.priority": {"Critical": "High", "High": "High", "Medium": "Medium", "Low": "Low"},
    "case.origin": {"email": "Email", "web_form": "Web", "chat": "Chat", "call": "Phone"},
    "kind": {"email": "Email", "call": "Call"},              # -> TaskSubtype (set on create only)
}
STRUCTURAL: dict[str, str] = {"activity.contact_id": "WhoId", "task.contact_id": "WhoId",
                              "case.contact_id": "ContactId", "activity.description": "Description",
                              "task.description": "Description", "case.description": "Description"}
BASE_FIELDS: dict[str, tuple[str, ...]] = {
    "Task": ("Id", "CreatedDate", "LastModifiedDate", "Status", "ActivityDate", "TaskSubtype"),
    "Case": ("Id", "CreatedDate", "LastModifiedDate", "SuppliedEmail"),
}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def split_contact_target(target: str | None) -> dict[str, str | None]:
    """ "Contact=Account.Name,Lead=Company" -> per object; a plain name applies to both."""
    if target is None or "=" not in target:
        return {obj: target for obj in CONTACT_OBJECTS}
    out: dict[str, str | None] = {obj: None for obj in CONTACT_OBJECTS}
    for part in target.split(","):
        obj, _, name = part.partition("=")
        if obj.strip() not in CONTACT_OBJECTS:
            raise UserError(f"{CRM}: crm.options.field_map.contact: {part!r}: expected Contact=Field or Lead=Field")
        out[obj.strip()] = name.strip() or None
    return out


@dataclass(frozen=True)
class Mapping:
    fields: FieldMap
    values: dict[str, dict[str, str]]
    contact: dict[str, dict[str, str | None]]        # Contact|Lead -> unified -> field

    @classmethod
    def build(cls, field_map: FieldMap, value_map: dict[str, dict[str, str]]) -> Mapping:
        fields = merge_field_map(DEFAULT_FIELD_MAP, field_map, CRM)
        for obj, names in field_map.items():
            for name, target in names.items():
                if f"{obj}.{name}" in STRUCTURAL and target != STRUCTURAL[f"{obj}.{name}"]:
                    raise UserError(f"{CRM}: crm.options.field_map.{obj}.{name} cannot be changed (always "
                                    f"{STRUCTURAL[f'{obj}.{name}']})")
        contact: dict[str, dict[str, str | None]] = {obj: {} for obj in CONTACT_OBJECTS}
        for name, target in fields["contact"].items():
            for obj, field in split_contact_target(target).items():
                if field is not None and not _NAME.match(field) and not (obj == "Contact" and field == "Account.Name"):
                    raise UserError(f"{CRM}: crm.options.field_map.contact.{name}: {field!r} is not a field name")
                contact[obj][name] = field
        values = {k: dict(v) for k, v in DEFAULT_VALUE_MAP.items()}
        for key, entries in value_map.items():
            obj, _, name = key.rpartition(".")
            known = UNIFIED_FIELDS.get(obj, ()) if obj else {f for fs in UNIFIED_FIELDS.values() for f in fs}
            if name not in known:
                raise UserError(f"{CRM}: crm.options.value_map.{key}: unknown field; use a unified field name, "
                                "optionally prefixed by its object (e.g. case.priority)")
            values.setdefault(key, {}).update(entries)
        return cls(fields, values, contact)

    # --- values -------------------------------------------------------------------------
    def _values(self, obj: str, field: str) -> dict[str, str]:
        return self.values.get(f"{obj}.{field}") or self.values.get(field) or {}

    def forward(self, obj: str, field: str, value: str) -> str:
        return self._values(obj, field).get(value, value)

    def reverse(self, obj: str, field: str, native: Any, remembered: str | None = None) -> str:
        """The unified value of a Salesforce value: the remembered one while it still maps there,
        else an identity entry, else the first entry mapping to it, else the value itself."""
        text = "" if native is None else str(native)
        if remembered is not None and self.forward(obj, field, remembered) == text:
            return remembered
        table = self._values(obj, field)
        if table.get(text) == text:
            return text
        return next((u for u, c in table.items() if c == text), text)

    def encode(self, obj: str, name: str, target: str, text: str) -> str | None:
        """What a Task or Case field holds for a unified value: value-mapped, a Subject cut to
        255 characters, a date field given the date part; None for nothing."""
        native = self.forward(obj, name, text) if text else ""
        if target == "Subject":
            native = native[:MAX_TEXT]
        return (_date_part(native) if target == "ActivityDate" else native) or None

    def decode(self, obj: str, name: str, target: str, raw: Any, remembered: str | None = None) -> str:
        """The unified value of a Task or Case field: the remembered one (marker line) while the
        field still holds what that value encodes to, else the value map read backwards."""
        if raw in (None, ""):
            return ""
        text = str(raw)
        if remembered and self.encode(obj, name, target, remembered) == text:
            return remembered
        return self.reverse(obj, name, text)

    # --- contacts -----------------------------------------------------------------------
    def contact_select(self, sobject: str) -> list[str]:
        names = ["Id", "LastModifiedDate", *(f for f in self.contact[sobject].values() if f)]
        return list(dict.fromkeys(names))

    def contact_to_sf(self, sobject: str, fields: dict[str, Any], creating: bool) -> tuple[dict[str, Any], str | None]:
        """The Salesforce fields for unified contact `fields`, and the company when it lives on an Account."""
        unknown = sorted(set(fields) - set(UNIFIED_FIELDS["contact"]))
        if unknown:
            raise ConnectorError(f"unknown contact field(s) {', '.join(unknown)}; allowed: "
                                 f"{', '.join(UNIFIED_FIELDS['contact'])}")
        out: dict[str, Any] = {}
        account: str | None = None
        for name, value in fields.items():
            target = self.contact[sobject].get(name)
            if target is None:
                continue
            text = "" if value is None else str(value).strip()
            if name == "email":
                text = normalize_email(text)
                if not is_valid_email(text):
                    raise ConnectorError(f"contact email {value!r} is not a valid email address")
            if name == "opted_out":
                flag = parse_bool(value)
                if flag is None:
                    raise ConnectorError(f"opted_out: expected true or false, got {value!r}")
                out[target] = flag
                continue
            if name == "lead_status":
                text = self.forward("contact", name, text) if text else ""
                if not text and creating and target == "Status":
                    continue
            if target == "Account.Name":
                account = text
                continue
            if not text and target in ("LastName", "Company"):
                text = NOT_PROVIDED
            out[target] = text or None
        if creating:
            for required in ("LastName", "Company") if sobject == "Lead" else ("LastName",):
                out.setdefault(required, NOT_PROVIDED)
        return out, account

    def contact_from_sf(self, sobject: str, record: dict[str, Any]) -> Contact:
        values: dict[str, Any] = {}
        for name, target in self.contact[sobject].items():
            raw = dig(record, target) if target else None
            if name == "opted_out":
                values[name] = bool(raw)
                continue
            text = "" if raw is None else str(raw)
            if text == NOT_PROVIDED:
                text = ""
            values[name] = self.reverse("contact", name, text) if name == "lead_status" and text else text
        return Contact(id=str(record["Id"]), updated_at=str(record.get("LastModifiedDate") or ""), **values)

    # --- activities, tasks, cases -------------------------------------------------------
    def record_select(self, obj: str) -> list[str]:
        sobject = SOBJECT[obj]
        names = [*BASE_FIELDS[sobject], *(f for f in self.fields[obj].values() if f)]
        return list(dict.fromkeys(names))

    def record_to_sf(self, obj: str, fields: dict[str, Any], marker_extra: dict[str, str],
                     creating: bool) -> dict[str, Any]:
        """Salesforce fields for a complete unified record (contact reference excluded)."""
        unknown = sorted(set(fields) - set(UNIFIED_FIELDS[obj]))
        if unknown:
            raise ConnectorError(f"unknown {obj} field(s) {', '.join(unknown)}; allowed: "
                                 f"{', '.join(UNIFIED_FIELDS[obj])}")
        out: dict[str, Any] = {}
        marker: dict[str, str] = {"object": obj}
        for name, value in fields.items():
            if name in ("contact_id", "description"):
                continue
            text = "" if value is None else str(value).strip()
            target = self.fields[obj].get(name)
            if target is None:
                marker[name] = text
                continue
            if name in ("due_date", "occurred_at") and text and _date_part(text) is None:
                raise ConnectorError(f"{obj} {name}: expected an ISO 8601 date, got {value!r}")
            out[target] = self.encode(obj, name, target, text)
            if text and self.decode(obj, name, target, out[target]) != text:
                marker[name] = text
        if obj == "activity":
            out["Status"] = COMPLETED
            if "ActivityDate" not in out:
                out["ActivityDate"] = _date_part(str(fields.get("occurred_at") or ""))
        status = self.fields[obj].get("status")
        if obj == "task" and status and not out.get(status):
            out[status] = self.forward("task", "status", "Open")
        if creating and obj in ("activity", "task"):
            out["TaskSubtype"] = self._values(obj, "kind").get(str(fields.get("kind") or ""), "Task")
        marker.update(marker_extra)
        line = with_marker("", marker)
        body = str(fields.get("description") or "").strip()[:MAX_LONG_TEXT - len(line) - 2]
        out["Description"] = with_marker(body, marker)
        return out

    def record_from_sf(self, obj: str, record: dict[str, Any]) -> dict[str, Any]:
        """Unified fields of a Task or Case (contact_id from WhoId/ContactId or the marker's lead)."""
        body, marker = split_marker(str(record.get("Description") or ""))
        out: dict[str, Any] = {"id": str(record["Id"])}
        for name in UNIFIED_FIELDS[obj]:
            target = self.fields[obj].get(name)
            if name == "description":
                out[name] = body
            elif name == "contact_id":
                out[name] = str(record.get(target or "") or marker.get("lead") or "")
            elif target is None:
                out[name] = marker.get(name, "")
            else:
                out[name] = self.decode(obj, name, target, record.get(target), marker.get(name))
        if obj == "activity":
            out["occurred_at"] = out["occurred_at"] or str(record.get("ActivityDate") or record.get("CreatedDate")
                                                            or "")
            if not out["kind"]:
                out["kind"] = {"Email": "email", "Call": "call"}.get(str(record.get("TaskSubtype") or ""), "other")
        out["updated_at"] = str(record.get("LastModifiedDate") or "")
        return out


def upsertable(payload: dict[str, Any]) -> dict[str, Any]:
    """Without create-only fields: a repeated upsert updates, and Salesforce refuses to update TaskSubtype."""
    return {k: v for k, v in payload.items() if k not in CREATE_ONLY}


def task_kind(record: dict[str, Any]) -> str:
    """Whether a Task is an activity (done) or a task (to do): the marker says, else its Status."""
    _, marker = split_marker(str(record.get("Description") or ""))
    if marker.get("object") in ("activity", "task"):
        return marker["object"]
    return "activity" if record.get("Status") == COMPLETED else "task"


def with_marker(body: str, marker: dict[str, str]) -> str:
    items = [f"{MARKER_ALIASES.get(k, k)}={quote(v, safe='')}" for k, v in marker.items() if v]
    line = " ".join([MARKER, *items])
    return f"{body}\n\n{line}" if body else line


def split_marker(text: str) -> tuple[str, dict[str, str]]:
    """(description without the marker line, marker values by unified name)."""
    head, _, last = text.rpartition("\n")
    if not last.startswith(MARKER + " ") and last != MARKER:
        return text, {}
    aliases = {v: k for k, v in MARKER_ALIASES.items()}
    values: dict[str, str] = {}
    for item in last[len(MARKER):].split():
        key, sep, value = item.partition("=")
        if sep:
            values[aliases.get(key, key)] = unquote(value)
    body = head[:-1] if head.endswith("\n") else head
    return body, values


def dig(record: dict[str, Any], path: str) -> Any:
    """A field or relationship path of a query record ("Account.Name"); None across a null."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _date_part(text: str) -> str | None:
    try:
        return date.fromisoformat(text[:10]).isoformat() if text else None
    except ValueError:
        return None

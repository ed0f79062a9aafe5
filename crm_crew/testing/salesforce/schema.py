"""The emulated org's schema: objects, fields, id prefixes, required fields, describe output.

Standard fields are the ones crm-crew touches (a real org has many more); the custom fields
are the ones a crm-crew install adds: Tier__c, Lead_Status__c and the CrmCrew_Key__c
External ID (unique text) on Contact, Lead, Task and Case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str = "string"                 # id, string, textarea, email, phone, boolean, date, datetime, picklist,
                                         # reference
    createable: bool = True
    updateable: bool = True
    required: bool = False               # nillable false and no default on create: REQUIRED_FIELD_MISSING
    default: Any = None
    unique: bool = False
    external_id: bool = False
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None      # AccountId -> "Account"
    custom: bool = False


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    prefix: str
    label: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    duplicate_fields: tuple[str, ...] = ()      # the standard duplicate rule matches on these (case-insensitive)
    duplicate_scope: tuple[str, ...] = ()       # objects the rule searches

    def field_named(self, name: str) -> FieldSpec | None:
        """Field names are case-insensitive in Salesforce."""
        return self._lower().get(name.lower())

    def relationship_named(self, name: str) -> FieldSpec | None:
        for spec in self.fields.values():
            if spec.relationship and spec.relationship.lower() == name.lower():
                return spec
        return None

    def _lower(self) -> dict[str, FieldSpec]:
        return {k.lower(): v for k, v in self.fields.items()}


def _system() -> list[FieldSpec]:
    return [
        FieldSpec("Id", "id", createable=False, updateable=False),
        FieldSpec("IsDeleted", "boolean", createable=False, updateable=False, default=False),
        FieldSpec("CreatedDate", "datetime", createable=False, updateable=False),
        FieldSpec("LastModifiedDate", "datetime", createable=False, updateable=False),
        FieldSpec("SystemModstamp", "datetime", createable=False, updateable=False),
    ]


def _key() -> FieldSpec:
    return FieldSpec("CrmCrew_Key__c", unique=True, external_id=True, custom=True)


def _object(name: str, prefix: str, specs: list[FieldSpec], duplicate_fields: tuple[str, ...] = (),
            duplicate_scope: tuple[str, ...] = ()) -> ObjectSpec:
    fields = {f.name: f for f in [*_system(), *specs]}
    return ObjectSpec(name, prefix, name, fields, duplicate_fields, duplicate_scope or ((name,) if duplicate_fields
                                                                                        else ()))


PERSON = [
    FieldSpec("FirstName"), FieldSpec("LastName", required=True), FieldSpec("Email", "email"),
    FieldSpec("Phone", "phone"), FieldSpec("HasOptedOutOfEmail", "boolean", default=False),
    FieldSpec("Tier__c", "picklist", custom=True), FieldSpec("Description", "textarea"), _key(),
]

OBJECTS: dict[str, ObjectSpec] = {
    "Account": _object("Account", "001", [FieldSpec("Name", required=True), FieldSpec("Phone", "phone")],
                       duplicate_fields=("Name",)),
    "Contact": _object("Contact", "003", [
        *PERSON, FieldSpec("AccountId", "reference", reference_to=("Account",), relationship="Account"),
        FieldSpec("Lead_Status__c", custom=True)],
        duplicate_fields=("Email",), duplicate_scope=("Contact", "Lead")),
    "Lead": _object("Lead", "00Q", [
        *PERSON, FieldSpec("Company", required=True),
        FieldSpec("Status", "picklist", default="Open - Not Contacted"),
        FieldSpec("IsConverted", "boolean", default=False, updateable=False),
        FieldSpec("ConvertedContactId", "reference", createable=False, updateable=False, reference_to=("Contact",))],
        duplicate_fields=("Email",), duplicate_scope=("Lead", "Contact")),
    "Task": _object("Task", "00T", [
        FieldSpec("Subject", "combobox"), FieldSpec("Description", "textarea"),
        FieldSpec("Status", "picklist", default="Not Started"), FieldSpec("Priority", "picklist", default="Normal"),
        FieldSpec("ActivityDate", "date"), FieldSpec("TaskSubtype", "picklist", updateable=False, default="Task"),
        FieldSpec("WhoId", "reference", reference_to=("Contact", "Lead"), relationship="Who"),
        FieldSpec("WhatId", "reference", reference_to=("Account", "Case"), relationship="What"),
        FieldSpec("IsClosed", "boolean", createable=False, updateable=False, default=False), _key()]),
    "Case": _object("Case", "500", [
        FieldSpec("CaseNumber", createable=False, updateable=False), FieldSpec("Subject"),
        FieldSpec("Description", "textarea"), FieldSpec("Status", "picklist", default="New"),
        FieldSpec("Origin", "picklist"), FieldSpec("Priority", "picklist", default="Medium"),
        FieldSpec("Reason", "picklist"), FieldSpec("SuppliedEmail", "email"),
        FieldSpec("ContactId", "reference", reference_to=("Contact",), relationship="Contact"),
        FieldSpec("AccountId", "reference", reference_to=("Account",), relationship="Account"), _key()]),
}
PREFIXES: dict[str, str] = {spec.prefix: name for name, spec in OBJECTS.items()}
CLOSED_TASK_STATUSES = frozenset({"Completed"})


def object_named(name: str) -> ObjectSpec | None:
    for key, spec in OBJECTS.items():
        if key.lower() == name.lower():
            return spec
    return None


def describe(spec: ObjectSpec, version: str) -> dict[str, Any]:
    """The subset of DescribeSObjectResult crm-crew reads (names as the real API spells them)."""
    base = f"/services/data/v{version}/sobjects/{spec.name}"
    return {
        "name": spec.name, "label": spec.label, "labelPlural": f"{spec.label}s", "keyPrefix": spec.prefix,
        "custom": False, "createable": True, "updateable": True, "deletable": True, "queryable": True,
        "retrieveable": True, "searchable": True, "undeletable": True,
        "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        "fields": [_describe_field(f) for f in spec.fields.values()],
    }


def _describe_field(spec: FieldSpec) -> dict[str, Any]:
    return {
        "name": spec.name, "label": spec.name.removesuffix("__c").replace("_", " "), "type": spec.type,
        "custom": spec.custom, "createable": spec.createable, "updateable": spec.updateable,
        "nillable": not spec.required and spec.type != "boolean", "defaultedOnCreate": spec.default is not None,
        "unique": spec.unique, "externalId": spec.external_id, "idLookup": spec.external_id or spec.name == "Id",
        "referenceTo": list(spec.reference_to), "relationshipName": spec.relationship,
        "length": 18 if spec.type in ("id", "reference") else 0 if spec.type in ("boolean", "date", "datetime")
        else 32000 if spec.type == "textarea" else 255,
    }

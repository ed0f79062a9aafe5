"""The emulated org's records and the rules a real org applies when writing them.

Field names are case-insensitive; "" is stored as null (as Salesforce does); unknown or
read-only fields, missing required fields, bad references, duplicate unique values and the
standard duplicate rules are refused with the real errorCodes.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from crm_crew.testing.salesforce import soql
from crm_crew.testing.salesforce.schema import (
    CLOSED_TASK_STATUSES,
    OBJECTS,
    PREFIXES,
    ObjectSpec,
    describe,
    object_named,
)

_ID_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID_SHAPE = re.compile(r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$")
_STAMP = "%Y-%m-%dT%H:%M:%S.%f%z"


class OrgError(Exception):
    """A refusal the API reports as a JSON error array."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields if fields is not None else []
        self.extra = extra


def now_stamp(after: str | None = None, at_least: timedelta = timedelta(0)) -> str:
    """Now as Salesforce prints it ("2026-11-21T10:00:00.000+0000"), never before `after` + `at_least`."""
    moment = datetime.now(UTC)
    if after:
        moment = max(moment, datetime.strptime(after, _STAMP) + at_least)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def http_date(stamp: str) -> str:
    """The HTTP-date of a stored timestamp (whole seconds), as If-Unmodified-Since carries it."""
    return datetime.strptime(stamp, _STAMP).strftime("%a, %d %b %Y %H:%M:%S GMT")


def checksum_id(id15: str) -> str:
    """The 18-character form: three check characters encode the case of each 5-character chunk."""
    suffix = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _CHECKSUM[bits]
    return id15 + suffix


class Store:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in OBJECTS}
        self._counter = itertools.count(1)
        self._case_numbers = itertools.count(1001)

    # --- lookups --------------------------------------------------------------------------
    @staticmethod
    def spec(name: str) -> ObjectSpec:
        spec = object_named(name)
        if spec is None:
            raise OrgError(404, "NOT_FOUND", "The requested resource does not exist")
        return spec

    def rows(self, obj: str, include_deleted: bool = False) -> list[dict[str, Any]]:
        return [r for r in self.records[obj].values() if include_deleted or not r["IsDeleted"]]

    def _record(self, spec: ObjectSpec, record_id: str) -> dict[str, Any]:
        """A live record; one in the recycle bin is 404 ENTITY_IS_DELETED, an unknown id 404 NOT_FOUND."""
        record = self.records[spec.name].get(self._full_id(record_id))
        if record is None:
            raise OrgError(404, "NOT_FOUND", "The requested resource does not exist")
        if record["IsDeleted"]:
            raise OrgError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return record

    def _full_id(self, record_id: str) -> str:
        return checksum_id(record_id) if len(record_id) == 15 else record_id

    def find_by_id(self, record_id: str) -> dict[str, Any] | None:
        obj = PREFIXES.get(record_id[:3])
        if obj is None:
            return None
        record = self.records[obj].get(self._full_id(record_id))
        return None if record is None or record["IsDeleted"] else record

    def new_id(self, spec: ObjectSpec) -> str:
        number, digits = next(self._counter), ""
        while number:
            number, rest = divmod(number, 62)
            digits = _ID_CHARS[rest] + digits
        return checksum_id(f"{spec.prefix}5g0{digits:0>9}")

    def external_field(self, obj: str, name: str) -> str:
        spec = self.spec(obj)
        found = spec.field_named(name)
        if found is None or not (found.external_id or found.name == "Id"):
            raise OrgError(404, "NOT_FOUND", f"Provided external ID field does not exist or is not accessible: "
                           f"{name}")
        return found.name

    # --- reads ----------------------------------------------------------------------------
    def value(self, record: dict[str, Any], path: str) -> Any:
        """A field or relationship path ("Account.Name") of a record; None across a null reference."""
        head, _, rest = path.partition(".")
        if not rest:
            return record.get(head)
        spec = OBJECTS[record["attributes_type"]]
        rel = spec.relationship_named(head)
        target = self.find_by_id(record.get(rel.name) or "") if rel else None
        return self.value(target, rest) if target is not None else None

    def shape(self, record: dict[str, Any], version: str, paths: list[str] | None = None) -> dict[str, Any]:
        """A record as the API returns it: attributes first, then the asked fields."""
        obj = record["attributes_type"]
        out: dict[str, Any] = {"attributes": {"type": obj, "url": f"/services/data/v{version}/sobjects/{obj}/"
                                                                  f"{record['Id']}"}}
        for path in paths if paths is not None else list(OBJECTS[obj].fields):
            head, _, rest = path.partition(".")
            if not rest:
                out[head] = record.get(head)
                continue
            rel = OBJECTS[obj].relationship_named(head)
            target = self.find_by_id(record.get(rel.name) or "") if rel else None
            if target is None:
                out[head] = None
            else:
                nested = out.get(head) or self.shape(target, version, [])
                nested.update({k: v for k, v in self.shape(target, version, [rest]).items() if k != "attributes"})
                out[head] = nested
        return out

    def get(self, obj: str, record_id: str, version: str, fields: list[str] | None) -> dict[str, Any]:
        spec = self.spec(obj)
        record = self._record(spec, record_id)
        paths = None
        if fields is not None:
            paths = []
            for name in fields:
                found = spec.field_named(name.strip())
                if found is None:
                    raise OrgError(400, "INVALID_FIELD", f"No such column '{name.strip()}' on entity '{spec.name}'")
                paths.append(found.name)
        return self.shape(record, version, paths)

    def get_by_external_id(self, obj: str, field: str, value: str, version: str) -> dict[str, Any]:
        spec = self.spec(obj)
        name = self.external_field(spec.name, field)
        found = self._matching(spec, name, value)
        if not found:
            raise OrgError(404, "NOT_FOUND", "The requested resource does not exist")
        if len(found) > 1:
            raise OrgError(300, "MULTIPLE_CHOICES", "More than one record found for external id field "
                           f"{name} with value {value}")
        return self.shape(found[0], version)

    def _matching(self, spec: ObjectSpec, name: str, value: str) -> list[dict[str, Any]]:
        return [r for r in self.rows(spec.name) if r.get(name) is not None and str(r[name]).casefold()
                == value.casefold()]

    def describe(self, obj: str, version: str) -> dict[str, Any]:
        return describe(self.spec(obj), version)

    def select(self, query: soql.Query, version: str, include_deleted: bool) -> list[dict[str, Any]]:
        rows = [r for r in self.rows(query.obj.name, include_deleted)
                if soql.matches(query.where, r, self.value)]
        soql.sort_records(rows, query.order, self.value)
        rows = rows[query.offset:]
        if query.limit is not None:
            rows = rows[:query.limit]
        return [self.shape(r, version, query.fields) for r in rows]

    # --- writes ---------------------------------------------------------------------------
    def create(self, obj: str, fields: dict[str, Any], version: str) -> str:
        spec = self.spec(obj)
        clean = self._clean(spec, fields, creating=True)
        record: dict[str, Any] = {name: f.default for name, f in spec.fields.items()}
        record.update({k: v for k, v in clean.items()})
        missing = [name for name, f in spec.fields.items() if f.required and record.get(name) in (None, "")]
        if missing:
            raise OrgError(400, "REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]",
                           missing)
        self._check_unique(spec, record, None)
        self._check_duplicates(spec, record, version)
        stamp = now_stamp()
        record.update({"Id": self.new_id(spec), "attributes_type": spec.name, "IsDeleted": False,
                       "CreatedDate": stamp, "LastModifiedDate": stamp, "SystemModstamp": stamp})
        if spec.name == "Case":
            record["CaseNumber"] = f"{next(self._case_numbers):08d}"
        self._derive(spec, record)
        self.records[spec.name][record["Id"]] = record
        return str(record["Id"])

    def update(self, obj: str, record_id: str, fields: dict[str, Any], if_unmodified_since: str | None) -> None:
        spec = self.spec(obj)
        record = self._record(spec, record_id)
        if if_unmodified_since is not None:
            try:
                limit = parsedate_to_datetime(if_unmodified_since)
            except (TypeError, ValueError):
                raise OrgError(400, "INVALID_HEADER_VALUE", "If-Unmodified-Since: invalid date value "
                               f"{if_unmodified_since}") from None
            if limit.tzinfo is None:
                limit = limit.replace(tzinfo=UTC)
            modified = datetime.strptime(record["LastModifiedDate"], _STAMP).replace(microsecond=0)
            if modified > limit:
                raise OrgError(412, "PRECONDITION_FAILED", "The requested resource has been modified since the "
                               "time specified in If-Unmodified-Since.", None)
        clean = self._clean(spec, fields, creating=False)
        self._check_unique(spec, {**record, **clean}, record["Id"])
        record.update(clean)
        record["LastModifiedDate"] = record["SystemModstamp"] = now_stamp(after=record["LastModifiedDate"])
        self._derive(spec, record)

    def upsert(self, obj: str, field: str, value: str, fields: dict[str, Any], version: str) -> tuple[str, bool]:
        spec = self.spec(obj)
        name = self.external_field(spec.name, field)
        body_value = next((v for k, v in fields.items() if k.lower() == name.lower()), None)
        if body_value is not None and str(body_value) != value:
            raise OrgError(400, "INVALID_FIELD", f"The value of the {name} field in the request body does not "
                           f"match the value in the URL", [name])
        fields = {k: v for k, v in fields.items() if k.lower() != name.lower()}
        found = self._matching(spec, name, value)
        if len(found) > 1:
            raise OrgError(300, "MULTIPLE_CHOICES", f"More than one record found for {name} = {value}")
        if found:
            self.update(spec.name, found[0]["Id"], fields, None)
            return str(found[0]["Id"]), False
        return self.create(spec.name, {**fields, name: value}, version), True

    def delete(self, obj: str, record_id: str) -> None:
        """Move a record to the recycle bin (IsDeleted; queryAll still sees it), as an org does:
        a Contact that Cases point at is refused (DELETE_FAILED); the Tasks of a Contact or Lead
        (WhoId) and of a Case or Account (WhatId) go to the recycle bin with it."""
        spec = self.spec(obj)
        record = self._record(spec, record_id)
        if spec.name == "Contact":
            cases = [r for r in self.rows("Case") if r.get("ContactId") == record["Id"]]
            if cases:
                name = " ".join(str(record.get(f) or "") for f in ("FirstName", "LastName")).strip()
                numbers = ", ".join(str(r["CaseNumber"]) for r in cases)
                raise OrgError(400, "DELETE_FAILED", f"Your attempt to delete {name} could not be completed "
                               f"because it is associated with the following cases.: {numbers}\n")
        reference = "WhoId" if spec.name in ("Contact", "Lead") else "WhatId"
        for task in self.rows("Task"):
            if task.get(reference) == record["Id"]:
                self._to_recycle_bin(task)
        self._to_recycle_bin(record)

    @staticmethod
    def _to_recycle_bin(record: dict[str, Any]) -> None:
        record["IsDeleted"] = True
        record["LastModifiedDate"] = record["SystemModstamp"] = now_stamp(after=record["LastModifiedDate"])

    def external_edit(self, obj: str, record_id: str, fields: dict[str, Any]) -> None:
        """Someone edits the record in Salesforce: LastModifiedDate moves at least one second on."""
        spec = self.spec(obj)
        record = self._record(spec, record_id)
        record.update(self._clean(spec, fields, creating=False))
        record["LastModifiedDate"] = record["SystemModstamp"] = now_stamp(after=record["LastModifiedDate"],
                                                                         at_least=timedelta(seconds=1))
        self._derive(spec, record)

    # --- rules ----------------------------------------------------------------------------
    def _clean(self, spec: ObjectSpec, fields: dict[str, Any], creating: bool) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        for key, value in fields.items():
            found = spec.field_named(key)
            if found is None:
                raise OrgError(400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {spec.name}")
            if not (found.createable if creating else found.updateable):
                raise OrgError(400, "INVALID_FIELD_FOR_INSERT_UPDATE", f"Unable to create/update fields: "
                               f"{found.name}. Please check the security settings of this field and verify that "
                               "it is read/write for your profile or permission set.", [found.name])
            clean[found.name] = self._coerce(spec, found.name, found.type, found.reference_to, value)
        return clean

    def _coerce(self, spec: ObjectSpec, name: str, kind: str, reference_to: tuple[str, ...], value: Any) -> Any:
        if value is None or value == "":
            return False if kind == "boolean" else None
        if kind == "boolean":
            if not isinstance(value, bool):
                raise OrgError(400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of boolean from "
                               f"{type(value).__name__.upper()} value {value} or request may be missing a "
                               "required field")
            return value
        if isinstance(value, (dict, list)):
            raise OrgError(400, "JSON_PARSER_ERROR", f"Cannot deserialize instance of {kind} from START_OBJECT "
                           f"value for field {name}")
        if kind == "date":
            try:
                return date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise OrgError(400, "JSON_PARSER_ERROR", f"Cannot deserialize value of type `date` from String "
                               f"\"{value}\": expected format \"yyyy-MM-dd\"") from None
        if kind == "reference":
            text = str(value)
            if not _ID_SHAPE.match(text) or PREFIXES.get(text[:3]) not in reference_to:
                raise OrgError(400, "MALFORMED_ID", f"{name.removesuffix('Id') or name} ID: id value of incorrect "
                               f"type: {text}", [name])
            if self.find_by_id(text) is None:
                raise OrgError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [name])
            return self._full_id(text)
        text = str(value)
        limit = 32000 if kind == "textarea" else 255
        if len(text) > limit:
            raise OrgError(400, "STRING_TOO_LONG", f"{name}: data value too large: {text[:60]}... "
                           f"(max length={limit})", [name])
        return text

    def _check_unique(self, spec: ObjectSpec, record: dict[str, Any], own_id: str | None) -> None:
        for name, found in spec.fields.items():
            value = record.get(name)
            if not found.unique or value is None:
                continue
            for other in self._matching(spec, name, str(value)):
                if other["Id"] != own_id:
                    raise OrgError(400, "DUPLICATE_VALUE", f"duplicate value found: {name} duplicates value on "
                                   f"record with id: {other['Id']}", [name])

    def _check_duplicates(self, spec: ObjectSpec, record: dict[str, Any], version: str) -> None:
        """The standard duplicate rules, set to Block: an exact (case-insensitive) match refuses the save."""
        values = [record.get(f) for f in spec.duplicate_fields]
        if not spec.duplicate_fields or any(v in (None, "") for v in values):
            return
        results = []
        for obj in spec.duplicate_scope:
            hits = [r for r in self.rows(obj) if not r.get("IsConverted")
                    and all(str(r.get(f) or "").casefold() == str(v).casefold()
                            for f, v in zip(spec.duplicate_fields, values))]
            if hits:
                results.append({
                    "entityType": obj, "errors": [], "matchEngine": "ExactMatchEngine",
                    "matchRecords": [{"additionalInformation": [], "fieldDiffs": [], "matchConfidence": 100.0,
                                      "record": self.shape(r, version, ["Id"])} for r in hits],
                    "rule": f"Standard_{obj}_Match_Rule_v1_1", "size": len(hits), "success": True})
        if results:
            raise OrgError(400, "DUPLICATES_DETECTED", "Use one of these records?", [], duplicateResult={
                "allowSave": False, "duplicateRule": f"Standard_{spec.name}_Duplicate_Rule",
                "duplicateRuleEntityType": spec.name, "errorMessage": "Use one of these records?",
                "matchResults": results})

    @staticmethod
    def _derive(spec: ObjectSpec, record: dict[str, Any]) -> None:
        if spec.name == "Task":
            record["IsClosed"] = record.get("Status") in CLOSED_TASK_STATUSES

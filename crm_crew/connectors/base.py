"""The Connector protocol every CRM backend implements, in the unified model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol
from urllib.parse import urlsplit

from crm_crew.connectors.contacts_file import as_text, normalize_email, parse_bool
from crm_crew.errors import ConnectorError, CrmRecordError, CrmUnavailableError
from crm_crew.models import Activity, Contact

ObjectType = Literal["contact", "activity", "case", "task"]
OBJECT_TYPES: tuple[str, ...] = ("contact", "activity", "case", "task")

CONTACT_FIELDS: tuple[str, ...] = ("email", "first_name", "last_name", "company", "phone", "tier", "lead_status",
                                   "opted_out")
UNIFIED_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": CONTACT_FIELDS,
    "activity": ("contact_id", "subject", "kind", "occurred_at", "description", "intent", "sentiment",
                 "interaction_id"),
    "case": ("contact_id", "subject", "description", "priority", "status", "origin", "reason"),
    "task": ("contact_id", "subject", "kind", "due_date", "status", "description"),
}
EXPORT_KEYS: dict[str, str] = {"contact": "contacts", "activity": "activities", "case": "cases", "task": "tasks"}
CHILD_TYPES: tuple[str, ...] = ("activity", "case", "task")          # the records that point at a contact
RELATED_RECORDS = "RELATED_RECORDS"                                   # CrmRecordError.code of a refused delete

# Unified fields that do not come back from `get` exactly as `create` wrote them on some CRM
# ({object type: field names}); rollback ignores them when it asks "did someone change this record?".
NO_LOSSY_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType({})


@dataclass
class CheckReport:
    """What `crm-crew crm check` prints: who we are, what we may do, how much API is left."""

    crm: str
    endpoint: str
    identity: str = ""                                   # user, org or portal the credentials belong to
    permissions: dict[str, bool] = field(default_factory=dict)   # "contact:read" -> allowed
    budget: dict[str, Any] = field(default_factory=dict)         # e.g. daily_used, daily_max, window_remaining
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(self.permissions.values())

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


class Connector(Protocol):
    """A CRM seen through the unified model.

    Field names (unified model):
      contact:  email, first_name, last_name, company, phone, tier, lead_status, opted_out
      activity: contact_id, subject, kind, occurred_at, description, intent, sentiment, interaction_id
      case:     contact_id, subject, description, priority, status, origin, reason
      task:     contact_id, subject, kind, due_date, status, description
    """

    name: str
    lossy_fields: Mapping[str, frozenset[str]]   # see NO_LOSSY_FIELDS; empty on every shipped connector

    @property
    def target(self) -> str:
        """The CRM instance written to: type and instance, e.g. "salesforce:https://acme.my.salesforce.com"
        (idempotency keys, claims and runs belong to it; see store/targets.py). Never holds a credential."""

    def find_contact_by_email(self, email: str) -> Contact | None:
        """Exact match on the normalized (lower-cased, trimmed) email."""

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        """Candidates for a fuzzy name + company match; the caller scores them."""

    def get_contact(self, contact_id: str) -> Contact | None: ...

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        """Newest first."""

    def create(self, obj: ObjectType, fields: dict[str, Any], idempotency_key: str) -> str:
        """Create a record and return its id. A key seen before returns the existing id."""

    def create_many(self, obj: ObjectType, items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
        """`create` for many (fields, idempotency_key) pairs, batched where the API allows.

        Returns one entry per item, in order: the record id, or the error for that item.
        A failure that concerns the whole CRM (CrmUnavailableError) is raised instead.
        """

    def update(self, obj: ObjectType, record_id: str, fields: dict[str, Any],
               expected: dict[str, Any] | None = None) -> dict[str, Any]:
        """Update fields of a record; return the values those fields had before.

        `expected` holds the values the caller saw when it planned the change. If any of
        them differs from the record now, nothing is written and `StaleRecordError` (with
        the current values) is raised. Connectors also guard the read-then-write window
        with the CRM's own precondition where one exists (Salesforce If-Unmodified-Since).
        """

    def get(self, obj: ObjectType, record_id: str) -> dict[str, Any] | None:
        """One record in the unified model, never cached: {"id", every UNIFIED_FIELDS[obj] key, ...}
        (the shape of one export_all() entry), or None when it does not exist (deleted, archived,
        or an id this CRM could never have issued).

        A record made by `create(obj, fields, key)` and not changed since comes back with every
        field of `fields` equal to its `clean_unified` value, except the fields named in
        `lossy_fields[obj]`; a change made since (by `update` or anyone else) shows.
        """

    def delete(self, obj: ObjectType, record_id: str) -> bool:
        """Remove a record (where the CRM archives or has a recycle bin, that is what happens).

        True when this call removed it, False when it was already gone. Safe to retry: a retry
        after a lost response finds the record gone and answers True (the lost attempt removed it).
        A contact that still has activities, cases or tasks is not deleted: CrmRecordError with
        code RELATED_RECORDS (see `related_records_error`) and nothing is written.
        """

    def check(self) -> CheckReport:
        """Verify credentials and permissions; report the API budget left."""

    def export_all(self) -> dict[str, list[dict[str, Any]]]:
        """Every record crm-crew can see, keyed contacts/activities/cases/tasks, in the
        unified model: each dict has `id` and the UNIFIED_FIELDS of its type (more keys allowed)."""

    def close(self) -> None: ...


def create_each(connector: Connector, obj: ObjectType,
                items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
    """`create_many` for connectors without a batch API: one `create` per item."""
    results: list[str | ConnectorError] = []
    for fields, key in items:
        try:
            results.append(connector.create(obj, fields, key))
        except ConnectorError as exc:
            if isinstance(exc, CrmUnavailableError):
                raise
            results.append(exc)
    return results


def related_records_error(contact_id: str, counts: Mapping[str, int]) -> CrmRecordError:
    """The refusal to delete a contact that activities, cases or tasks still point at."""
    found = {obj: n for obj, n in counts.items() if n}
    total = sum(found.values())
    detail = ", ".join(f"{n} {EXPORT_KEYS[obj] if n != 1 else obj}" for obj, n in found.items())
    return CrmRecordError(f"contact {contact_id} still has {total} related record(s) (activities/cases/tasks); "
                          f"delete them first ({detail}), nothing was deleted", None, RELATED_RECORDS)


def check_object_type(obj: str) -> None:
    if obj not in UNIFIED_FIELDS:
        raise ConnectorError(f"unknown object type {obj!r}; expected one of {', '.join(UNIFIED_FIELDS)}")


def clean_unified(obj: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Check the object type and field names; unified values as every connector compares and
    stores them: trimmed strings, a normalized email, a bool opted_out."""
    check_object_type(obj)
    unknown = sorted(set(fields) - set(UNIFIED_FIELDS[obj]))
    if unknown:
        raise ConnectorError(f"unknown {obj} field(s) {', '.join(unknown)}; "
                             f"allowed: {', '.join(UNIFIED_FIELDS[obj])}")
    clean: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "opted_out":
            parsed = parse_bool(value)
            if parsed is None:
                raise ConnectorError(f"opted_out: expected true or false, got {value!r}")
            clean[name] = parsed
        elif name == "email":
            clean[name] = normalize_email(as_text(value))
        else:
            clean[name] = as_text(value)
    return clean


def stale_fields(expected: dict[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """The expected fields whose current value differs: {field: current value}."""
    if not expected:
        return {}
    return {k: current.get(k) for k, v in expected.items() if _same(v) != _same(current.get(k))}


def _same(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return value


def url_target(crm: str, url: str) -> str:
    """`crm:scheme://host[:port]/path` of an instance URL: host lower-cased; credentials, query and
    trailing slash dropped, so one instance always gets the same target."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{crm}:{parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}"

"""What the HubSpot emulator knows of a portal: object types, their properties, enumerations,
association types, and how property values are validated and normalized on write."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

OBJECT_TYPE_IDS: dict[str, str] = {"contacts": "0-1", "tickets": "0-5", "tasks": "0-27", "notes": "0-46"}
ALIASES: dict[str, str] = {**{v: k for k, v in OBJECT_TYPE_IDS.items()},
                           "contact": "contacts", "ticket": "tickets", "task": "tasks", "note": "notes"}
ALWAYS = ("createdate", "lastmodifieddate", "hs_object_id")
READ_ONLY = frozenset(ALWAYS)
IDEMPOTENCY_PROPERTY = "crm_crew_key"

# object type -> writable property -> kind ("string", "datetime", "bool", or the allowed enum values)
PROPERTIES: dict[str, dict[str, Any]] = {
    "contacts": {
        "email": "string", "firstname": "string", "lastname": "string", "company": "string", "phone": "string",
        "customer_tier": "string", "hs_email_optout": "bool", "lifecyclestage": "string",
        "hs_lead_status": ("NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
                           "CONNECTED", "BAD_TIMING"),
    },
    "notes": {"hs_note_body": "string", "hs_timestamp": "datetime", IDEMPOTENCY_PROPERTY: "string"},
    "tasks": {
        "hs_task_subject": "string", "hs_task_body": "string", "hs_timestamp": "datetime",
        "hs_task_status": ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"),
        "hs_task_priority": ("NONE", "LOW", "MEDIUM", "HIGH"),
        "hs_task_type": ("CALL", "EMAIL", "TODO", "LINKED_IN", "LINKEDIN_MESSAGE"),
        IDEMPOTENCY_PROPERTY: "string",
    },
    "tickets": {
        "subject": "string", "content": "string", "hs_pipeline": "string", "hs_pipeline_stage": "string",
        "hs_ticket_priority": ("LOW", "MEDIUM", "HIGH", "URGENT"),
        "source_type": ("CHAT", "EMAIL", "FORM", "PHONE"),
        IDEMPOTENCY_PROPERTY: "string",
    },
}
UNIQUE: dict[str, frozenset[str]] = {
    "contacts": frozenset({"email"}),
    "notes": frozenset({IDEMPOTENCY_PROPERTY}),
    "tasks": frozenset({IDEMPOTENCY_PROPERTY}),
    "tickets": frozenset({IDEMPOTENCY_PROPERTY}),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "contacts": (), "notes": ("hs_timestamp",), "tasks": ("hs_timestamp",), "tickets": ("hs_pipeline_stage",),
}
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("email", "firstname", "lastname"),
    "notes": (), "tasks": (), "tickets": ("subject", "content", "hs_pipeline", "hs_pipeline_stage"),
}
# (from, to) -> HUBSPOT_DEFINED association type id
ASSOCIATION_TYPES: dict[tuple[str, str], int] = {
    ("notes", "contacts"): 202, ("contacts", "notes"): 201,
    ("tasks", "contacts"): 204, ("contacts", "tasks"): 203,
    ("tickets", "contacts"): 16, ("contacts", "tickets"): 15,
    ("notes", "tickets"): 228, ("tickets", "notes"): 227,
    ("tasks", "tickets"): 230, ("tickets", "tasks"): 229,
}
ASSOCIATION_LABELS: dict[tuple[str, str], str] = {
    pair: f"{pair[0][:-1]}_to_{pair[1][:-1]}" for pair in ASSOCIATION_TYPES
}


def object_type(name: str) -> str | None:
    """'contacts', 'contact' or '0-1' -> 'contacts'; None for an unknown type."""
    if name in PROPERTIES:
        return name
    return ALIASES.get(name)


def iso_ms(moment: datetime) -> str:
    """HubSpot's timestamp format: UTC with milliseconds and Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso_ms(datetime.now(UTC))


def _parse_datetime(value: str) -> datetime | None:
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def property_error(name: str, message: str, error: str) -> dict[str, Any]:
    return {"isValid": False, "message": message, "error": error, "name": name, "localizedErrorMessage": message}


def validation_message(errors: list[dict[str, Any]]) -> str:
    return "Property values were not valid: " + json.dumps(errors, separators=(",", ":"))


def normalize(obj: str, properties: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Values as HubSpot stores them (strings), and the per-property errors, like the real API's."""
    clean: dict[str, str] = {}
    errors: list[dict[str, Any]] = []
    schema = PROPERTIES[obj]
    for name, raw in properties.items():
        kind = schema.get(name)
        if kind is None:
            if name in READ_ONLY:
                errors.append(property_error(name, f"\"{name}\" is a read only property; its value cannot be set.",
                                             "READ_ONLY_VALUE"))
            else:
                errors.append(property_error(name, f"Property \"{name}\" does not exist", "PROPERTY_DOESNT_EXIST"))
            continue
        if raw is None:
            clean[name] = ""
            continue
        value = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
        if value == "":
            clean[name] = ""
        elif kind == "datetime":
            parsed = _parse_datetime(value)
            if parsed is None:
                errors.append(property_error(name, f"{value} was not a valid long or ISO 8601 date.",
                                             "INVALID_DATE"))
                continue
            clean[name] = iso_ms(parsed)
        elif kind == "bool":
            if value.lower() not in ("true", "false"):
                errors.append(property_error(name, f"{value} was not a valid boolean option. Valid options "
                                             "are [true, false]", "INVALID_OPTION"))
                continue
            clean[name] = value.lower()
        elif isinstance(kind, tuple):
            if value not in kind:
                errors.append(property_error(name, f"{value} was not one of the allowed options: "
                                             f"[{', '.join(kind)}]", "INVALID_OPTION"))
                continue
            clean[name] = value
        else:
            clean[name] = value.strip().lower() if name == "email" else value
    return clean, errors

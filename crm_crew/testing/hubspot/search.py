"""The CRM search API's filters, as the HubSpot emulator evaluates them."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
MAX_LIMIT = 200
MAX_RESULTS = 10_000
OPERATORS = frozenset({"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
                       "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"})
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def check_request(body: dict[str, Any]) -> str | None:
    """The real API's complaint about a search request, or None when it is acceptable."""
    groups = body.get("filterGroups") or []
    if len(groups) > MAX_GROUPS:
        return f"Too many filter groups: {len(groups)}. The maximum is {MAX_GROUPS}."
    total = 0
    for group in groups:
        filters = group.get("filters") or []
        total += len(filters)
        if len(filters) > MAX_FILTERS_PER_GROUP:
            return f"Too many filters in a filter group: {len(filters)}. The maximum is {MAX_FILTERS_PER_GROUP}."
        for item in filters:
            if item.get("operator") not in OPERATORS:
                return f"Unknown operator {item.get('operator')!r} in filter on {item.get('propertyName')!r}"
            if not item.get("propertyName"):
                return "Every filter needs a propertyName"
    if total > MAX_FILTERS:
        return f"Too many filters: {total}. The maximum is {MAX_FILTERS}."
    limit = body.get("limit", 10)
    if not isinstance(limit, int) or limit < 0 or limit > MAX_LIMIT:
        return f"limit must be between 0 and {MAX_LIMIT}, got {limit}"
    try:
        after = int(body.get("after") or 0)
    except (TypeError, ValueError):
        return f"after must be an offset, got {body.get('after')!r}"
    if after + limit > MAX_RESULTS:
        return (f"Search results are limited to {MAX_RESULTS} results; after={after} with limit={limit} "
                "is past that. Narrow the query with filters.")
    return None


def matches(properties: dict[str, Any], groups: list[dict[str, Any]]) -> bool:
    if not groups:
        return True
    return any(all(_filter(properties, f) for f in g.get("filters") or []) for g in groups)


def _filter(properties: dict[str, Any], spec: dict[str, Any]) -> bool:
    name = str(spec["propertyName"])
    op = spec["operator"]
    actual = properties.get(name)
    has = actual not in (None, "")
    if op == "HAS_PROPERTY":
        return has
    if op == "NOT_HAS_PROPERTY":
        return not has
    text = "" if actual is None else str(actual)
    wanted = str(spec.get("value", ""))
    if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
        found = _contains_token(text, wanted)
        return found if op == "CONTAINS_TOKEN" else not found
    if op in ("IN", "NOT_IN"):
        values = {str(v).casefold() for v in spec.get("values") or []}
        return (text.casefold() in values) == (op == "IN")
    if op == "EQ":
        return has and text.casefold() == wanted.casefold()
    if op == "NEQ":
        return text.casefold() != wanted.casefold()
    if not has:
        return False
    left, right = _comparable(text), _comparable(wanted)
    if op == "BETWEEN":
        return right <= left <= _comparable(str(spec.get("highValue", "")))
    return {"LT": left < right, "LTE": left <= right, "GT": left > right, "GTE": left >= right}[op]


def _contains_token(text: str, wanted: str) -> bool:
    pattern = wanted.casefold()
    tokens = [t.casefold() for t in _TOKEN.findall(text)]
    if "*" in pattern:
        return any(fnmatch.fnmatchcase(t, pattern) for t in tokens) or fnmatch.fnmatchcase(text.casefold(), pattern)
    wanted_tokens = [t.casefold() for t in _TOKEN.findall(wanted)]
    return bool(wanted_tokens) and all(t in tokens for t in wanted_tokens)


def _comparable(value: str) -> Any:
    try:
        return (0, float(value))
    except ValueError:
        return (1, value)


def sort_key(sorts: list[Any]) -> Any:
    """A key function for records from `sorts` (default: by id, ascending)."""
    spec = sorts[0] if sorts else None
    if isinstance(spec, str):
        spec = {"propertyName": spec.lstrip("-"), "direction": "DESCENDING" if spec.startswith("-") else "ASCENDING"}
    name = spec.get("propertyName", "hs_object_id") if spec else "hs_object_id"

    def key(record: dict[str, Any]) -> Any:
        value = record["properties"].get(name)
        return ((0, int(value)) if name == "hs_object_id" else (0, value or "")), int(record["id"])

    return key, bool(spec and spec.get("direction") == "DESCENDING")

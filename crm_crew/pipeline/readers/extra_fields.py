"""An input's fields crm-crew does not know (CSV columns, JSON keys): kept as data in `metadata.extra_fields`.

Their names come from the file, so they are data too: they live in their own object, where they can never
replace a field the readers or the pipeline use, and their number and sizes are bounded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crm_crew.models import EXTRA_FIELDS

EXTRA_DROPPED = "extra_fields_dropped"   # metadata key: how many were left out (too many, or a name too long)
MAX_EXTRA_FIELDS = 30
MAX_NAME_CHARS = 64
MAX_VALUE_CHARS = 1000


def extra_fields(record: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The metadata entries for the record's unknown, non-empty fields (none when it has none)."""
    kept: dict[str, str] = {}
    dropped = 0
    for name, value in record.items():
        if name in known or value is None or value == "":
            continue
        if len(kept) >= MAX_EXTRA_FIELDS or not 0 < len(name) <= MAX_NAME_CHARS:
            dropped += 1
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        kept[name] = text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"
    meta: dict[str, Any] = {EXTRA_FIELDS: kept} if kept else {}
    if dropped:
        meta[EXTRA_DROPPED] = dropped
    return meta

"""Which review items to look at first: filters by urgency and age, and the orders of `review list`.

Urgency levels are the configured ones (`urgency.levels` in crm-crew.yaml, lowest first); an item
whose urgency is not among them (written under another config) ranks below the lowest. An item's
age is the time it has waited in the queue (since the run queued it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Literal

from crm_crew.errors import UsageError
from crm_crew.store.base import ReviewItem

SortKey = Literal["run", "urgency", "age"]
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION = re.compile(r"\s*(\d+)\s*([smhdw])\s*")
DURATION_HELP = "a whole number and a unit: 90s, 30m, 2h, 1d, 1w"


def parse_duration(text: str) -> timedelta:
    """`30m`, `2h`, `1d`... as a timedelta; a ValueError that says what is accepted otherwise."""
    match = DURATION.fullmatch(text.lower())
    if match is None:
        raise ValueError(f"{text!r} is not a duration: use {DURATION_HELP}")
    return timedelta(seconds=int(match.group(1)) * UNITS[match.group(2)])


def urgency_rank(levels: Sequence[str], urgency: str | None) -> int:
    return levels.index(urgency) if urgency in levels else -1


def queued_at(item: ReviewItem) -> datetime:
    at = datetime.fromisoformat(item.created_at)
    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def age_seconds(item: ReviewItem, now: datetime) -> int:
    return max(0, int((now - queued_at(item)).total_seconds()))


def select(items: list[ReviewItem], levels: Sequence[str], min_urgency: str | None, older_than: timedelta | None,
           now: datetime) -> list[ReviewItem]:
    """The items of at least `min_urgency` that have waited longer than `older_than`."""
    if min_urgency is not None and min_urgency not in levels:
        raise UsageError(f"--urgency {min_urgency!r} is not an urgency level: use one of {', '.join(levels)} "
                         "(urgency.levels of the config)")
    floor = urgency_rank(levels, min_urgency) if min_urgency is not None else None
    return [i for i in items
            if (floor is None or urgency_rank(levels, i.urgency) >= floor)
            and (older_than is None or now - queued_at(i) > older_than)]


def ordered(items: list[ReviewItem], levels: Sequence[str], key: SortKey) -> list[ReviewItem]:
    """urgency: most urgent first; age: oldest first; run: grouped by run; ties in queue order."""
    if key == "urgency":
        return sorted(items, key=lambda i: (-urgency_rank(levels, i.urgency), queued_at(i), i.review_id))
    if key == "age":
        return sorted(items, key=lambda i: (queued_at(i), i.review_id))
    return sorted(items, key=lambda i: (i.run_id, i.review_id))

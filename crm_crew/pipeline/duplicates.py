"""Duplicate interactions: the same message delivered twice, in one run or again in a later run.

An interaction is known by its id (the Message-ID, the record's id, else a content hash) and its
fingerprint (a hash of sender, subject, body, time and channel). Within a run, a second record
with the same id and fingerprint is a duplicate: it is not worked or journaled again, so the
first one's journal entry (and what rollback undoes) stays whole. A later run skips it too when
an earlier run acted on it against the same CRM (an apply run, or a shadow run whose plan was
applied) and nothing of that was undone or failed; a shadow run's plan alone is no reason to skip.
A record that reuses an id with other content is a different message: it gets its own id,
`ID~` and part of its fingerprint, and is worked as usual.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from crm_crew.models import Interaction, Reject
from crm_crew.store.audit import AuditKey
from crm_crew.store.base import RunInfo, Store
from crm_crew.store.seals import bad_seals

REUSED_ID = "id_reused_by"   # metadata key: the id another message of the run already had
LISTED = 50                  # duplicates listed by name in the summary (all are counted)


def fingerprint(item: Interaction) -> str:
    content = [item.sender_email.strip().lower(), item.subject, item.body, item.received_at, item.channel]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Duplicate:
    """A record not worked again, and the first one it repeats."""

    interaction: Interaction
    of_run: str | None = None       # journaled in this earlier run
    of_position: str | None = None  # or earlier in this run: "source position"

    def record(self) -> dict[str, Any]:
        it = self.interaction
        first = {"run_id": self.of_run} if self.of_run else {"position": self.of_position}
        return {"interaction_id": it.id, "status": "duplicate", "source": it.source, "position": it.position,
                "duplicate_of": first}


@dataclass
class Deduplicator:
    """Sorts the run's stream: new interactions and rejects pass, duplicates become `Duplicate`s.

    `done`: ids the run journaled before (resume); their first occurrence passes silently."""

    store: Store
    run_id: str
    target: str
    done: set[str] = field(default_factory=set)
    key: AuditKey | None = None     # when set, an earlier run counts only with its actions sealed as written
    seen: dict[str, tuple[str, str]] = field(default_factory=dict)   # id -> (fingerprint, where)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def sort(self, items: Iterable[Interaction | Reject]) -> Iterator[Interaction | Reject | Duplicate]:
        for item in items:
            if isinstance(item, Reject):
                yield self._reject(item)
                continue
            sorted_item = self._interaction(item)
            if sorted_item is not None:
                yield sorted_item

    def _reject(self, reject: Reject) -> Reject:
        """A malformed copy of a message already seen is journaled under its own place, not the message's id."""
        if reject.interaction_id and reject.interaction_id in self.seen:
            return replace(reject, interaction_id=f"{reject.source}#{reject.position}")
        return reject

    def _interaction(self, item: Interaction) -> Interaction | Duplicate | None:
        print_ = fingerprint(item)
        where = f"{item.source} {item.position}".strip()
        if item.id in self.seen:
            first_print, first_where = self.seen[item.id]
            if first_print == print_:
                return self._duplicate(Duplicate(item, of_position=first_where))
            item = replace(item, id=f"{item.id}~{print_[:12]}", metadata={**item.metadata, REUSED_ID: item.id})
            if item.id in self.seen:
                return self._duplicate(Duplicate(item, of_position=self.seen[item.id][1]))
        self.seen[item.id] = (print_, where)
        if item.id in self.done:
            return None
        earlier = self._acted_on_before(item.id, print_)
        if earlier is not None:
            return self._duplicate(Duplicate(item, of_run=earlier))
        return item

    def _duplicate(self, duplicate: Duplicate) -> Duplicate:
        self.count += 1
        if len(self.duplicates) < LISTED:
            self.duplicates.append(duplicate.record())
        return duplicate

    def _acted_on_before(self, interaction_id: str, print_: str) -> str | None:
        for info, record in self.store.earlier_results(interaction_id, self.run_id):
            if acted_on(info, record, print_, self.target) and self._as_written(info.run_id, interaction_id):
                return info.run_id
        return None

    def _as_written(self, run_id: str, interaction_id: str) -> bool:
        """An edited journal must not make a new message look handled already."""
        if self.key is None:
            return True
        return not any(bad_seals(self.key, self.store.actions(run_id, interaction_id)))


def acted_on(info: RunInfo, record: dict[str, Any], print_: str, target: str) -> bool:
    """Whether an earlier run's result stands for this message in this CRM (so working it again is a repeat)."""
    if record.get("status") not in ("processed", "escalated"):
        return False
    if record.get("fingerprint") not in (None, print_):
        return False
    if info.target and target and info.target != target:
        return False
    statuses = {a.get("status") for a in record.get("actions") or []}
    if statuses & {"rolled_back", "failed"}:
        return False
    return info.mode == "apply" or bool(statuses & {"applied", "skipped", "applying"})

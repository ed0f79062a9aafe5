"""Sealed action rows: the write path acts only on actions exactly as crm-crew journaled them.

Every action row a store writes while it holds the audit key (Store.seal_with) carries a MAC of
all its columns: place, type, fields, key, status, note, expected and before-values. Editing any
of them (a `held` action turned `planned`, an opt-out slipped into a plan, a record id swapped)
breaks the seal; so does copying one row's seal to another. Before `apply`, `review approve`,
`run --resume` and `rollback` act on a run's actions, they check them all and refuse, naming the
action, when one does not match. Rows planned without the key carry no seal and are refused too.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from crm_crew.errors import JournalTampered
from crm_crew.store.audit import AuditKey
from crm_crew.store.base import ActionRow
from crm_crew.store.rows import action_seal

UNSEALED = "carries no seal (it was planned without the audit key, or its seal was removed)"
ALTERED = ("does not match its seal: it was changed in the journal after crm-crew wrote it "
           "(or written with another audit key)")
SHOWN = 5


@dataclass
class BadSeal:
    row: ActionRow
    problem: str

    def __str__(self) -> str:
        return f"{describe(self.row)} {self.problem}"


def describe(row: ActionRow) -> str:
    return f"action {row.seq} ({row.type}) of interaction {row.interaction_id} in run {row.run_id}"


def bad_seals(key: AuditKey, rows: Iterable[ActionRow]) -> Iterator[BadSeal]:
    for row in rows:
        if not row.mac:
            yield BadSeal(row, UNSEALED)
        elif not hmac.compare_digest(action_seal(key, row), row.mac):
            yield BadSeal(row, ALTERED)


def require_sealed(key: AuditKey, rows: Iterable[ActionRow], doing: str) -> None:
    """Raise JournalTampered (exit 4) naming the first actions whose seal fails; nothing is written then."""
    bad = list(bad_seals(key, rows))
    if not bad:
        return
    shown = "; ".join(str(b) for b in bad[:SHOWN]) + (f"; and {len(bad) - SHOWN} more" if len(bad) > SHOWN else "")
    fix = ("plan the interactions again with the audit key set (crm-crew run ...)"
           if all(b.problem == UNSEALED for b in bad) else "run `crm-crew audit verify` to see what else changed")
    raise JournalTampered(f"refusing to {doing}: {shown}. Nothing was written; {fix}.")

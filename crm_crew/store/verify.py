"""`audit verify`, whole: the chain, its anchor outside the journal, a head the user recorded, and
the journal's actions (sealed as written, and every applied one present in the trail).

A shortened trail verifies on its own; what gives it away is what lives elsewhere: the anchor
(the last head crm-crew saw), a recorded `--expect-head`, and applied actions whose entries
are gone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from crm_crew.store.anchor import Anchor, AnchorFile, AnchorKeyMismatch
from crm_crew.store.audit import AuditEntry, AuditHead, AuditKey, VerifyResult, verify_chain
from crm_crew.store.base import ActionRow, Store
from crm_crew.store.seals import UNSEALED, bad_seals, describe
from crm_crew.store.key_source import KeySource
from crm_crew.store.trail import anchor_problem, wrong_key

WRITTEN = ("applied", "rolled_back")      # action statuses that had an `applied` audit entry
WRITES = ("create", "update")
LISTED = 10


@dataclass
class TrailReport:
    chain: VerifyResult
    head: AuditHead | None
    problems: list[str] = field(default_factory=list)
    actions: int = 0
    unsealed: int = 0

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    def all_problems(self) -> list[str]:
        first = [] if self.chain.ok else [f"audit trail broken at entry {self.chain.broken_seq}: {self.chain.problem} "
                                          f"({self.chain.entries} entries before it are intact)"]
        return first + self.problems


def _write_key(run_id: str | None, interaction_id: str | None, obj: str, record_id: str | None) -> bytes:
    return hashlib.blake2b(f"{run_id}\x1f{interaction_id}\x1f{obj}\x1f{record_id}".encode(), digest_size=12).digest()


@dataclass
class _Tap:
    """Watches the entries go by while the chain is verified."""

    expect: str | None
    writes: set[bytes] = field(default_factory=set)
    expected_seen: bool = False

    def entries(self, entries: Iterable[AuditEntry]) -> Iterator[AuditEntry]:
        for entry in entries:
            if entry.outcome == "applied" and entry.operation in WRITES:
                self.writes.add(_write_key(entry.run_id, entry.interaction_id, entry.object, entry.record_id))
            if self.expect and entry.hash == self.expect:
                self.expected_seen = True
            yield entry


def check_trail(store: Store, source: KeySource, anchor: AnchorFile,
                expect_head: str | None = None) -> TrailReport:
    key = source.key
    seen: Anchor | None = None
    anchor_key_problem = None
    try:
        seen = anchor.read()   # before the head: writers only ever move both forward
    except AnchorKeyMismatch:
        anchor_key_problem = wrong_key(source, "the audit anchor", str(anchor.path))
    head = store.audit_head()
    tap = _Tap(expect_head.strip().lower() if expect_head else None)
    report = TrailReport(verify_chain(key, tap.entries(store.audit_entries()), head), head)
    if report.chain.ok:
        if anchor_key_problem:
            report.problems.append(anchor_key_problem)
        elif seen is not None and (problem := anchor_problem(store, head, seen, anchor.path)):
            report.problems.append(problem)
        if tap.expect and not tap.expected_seen:
            report.problems.append(f"the trail does not contain the head you recorded ({tap.expect[:16]}...): it was "
                                   "cut short, rewritten, or replaced by an older copy")
    _check_actions(report, store.action_rows(), key, tap.writes if report.chain.ok else None)
    return report


def _check_actions(report: TrailReport, rows: Iterable[ActionRow], key: AuditKey, writes: set[bytes] | None) -> None:
    altered: list[str] = []
    missing: list[str] = []

    def counted(rows: Iterable[ActionRow]) -> Iterator[ActionRow]:
        for row in rows:
            report.actions += 1
            if writes is not None and row.status in WRITTEN and row.record_id \
                    and _write_key(row.run_id, row.interaction_id, row.object, row.record_id) not in writes:
                missing.append(describe(row))
            yield row

    for bad in bad_seals(key, counted(rows)):
        if bad.problem == UNSEALED:
            report.unsealed += 1
        else:
            altered.append(str(bad))
    report.problems += altered[:LISTED] + ([f"and {len(altered) - LISTED} more altered actions"]
                                           if len(altered) > LISTED else [])
    if missing:
        report.problems.append(f"{len(missing)} applied actions have no entry in the audit trail (entries were "
                               f"deleted, or an older trail restored), e.g. {'; '.join(missing[:3])}")


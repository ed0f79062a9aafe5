"""The audit trail: one entry per CRM write, chained with HMAC-SHA256.

Each entry's `hash` is HMAC(key, canonical JSON of the entry including its `seq` and the
previous entry's hash). Editing an entry breaks its own hash; deleting or reordering entries
breaks the chain (`seq` gaps, `prev_hash` mismatches); cutting entries off the end is caught
by the head record, whose MAC nobody can recompute without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any


GENESIS = "0" * 64
MIN_KEY_CHARS = 16


@dataclass
class AuditEntry:
    """What happened: `operation` on `object` `record_id`, with the fields before and after."""

    run_id: str | None
    interaction_id: str | None
    actor: str                      # the OS user or `--as NAME` who ran the command
    agent: str                      # the crew role that planned the change ("" for people)
    connector: str
    operation: str                  # create | update | delete | restore | review_approve | review_reject
    object: str
    record_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    outcome: str                    # applied | failed | not_overwritten | conflict | approved | rejected
    detail: str | None = None
    at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="microseconds"))
    seq: int = 0                    # set by the store when appended
    prev_hash: str = ""
    hash: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AuditHead:
    seq: int
    hash: str
    mac: str


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    broken_seq: int | None = None
    problem: str | None = None


class AuditKey:
    """The secret of the chain (crm_crew.store.key_source says where it comes from)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def seal(self, entry: AuditEntry) -> str:
        body = {k: v for k, v in entry.to_dict().items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return hmac.new(self._secret, canonical.encode(), hashlib.sha256).hexdigest()

    def mac(self, label: str, payload: str) -> str:
        """HMAC of `payload` under a label, so a MAC made for one purpose never passes for another."""
        return hmac.new(self._secret, f"{label}:{payload}".encode(), hashlib.sha256).hexdigest()

    def head_mac(self, seq: int, last_hash: str) -> str:
        return hmac.new(self._secret, f"head:{seq}:{last_hash}".encode(), hashlib.sha256).hexdigest()

    def chain(self, entry: AuditEntry, seq: int, prev_hash: str) -> AuditHead:
        """Number and seal `entry` after `prev_hash`; return the new head."""
        entry.seq, entry.prev_hash = seq, prev_hash
        entry.hash = self.seal(entry)
        return AuditHead(seq, entry.hash, self.head_mac(seq, entry.hash))

    def __repr__(self) -> str:
        return "AuditKey(***)"


def verify_chain(key: AuditKey, entries: Iterable[AuditEntry], head: AuditHead | None) -> VerifyResult:
    """Walk the entries in `seq` order; report the first one that breaks the chain."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for entry in entries:
        if entry.seq != expected_seq:
            what = "is missing (deleted)" if entry.seq > expected_seq else "appears twice"
            return VerifyResult(False, count, expected_seq, f"entry {expected_seq} {what}")
        if entry.prev_hash != prev_hash:
            return VerifyResult(False, count, entry.seq,
                                f"entry {entry.seq} does not follow entry {entry.seq - 1}: entries were reordered, "
                                "replaced or removed")
        if not hmac.compare_digest(key.seal(entry), entry.hash):
            return VerifyResult(False, count, entry.seq,
                                f"entry {entry.seq} was altered (or the key is not the one the trail was written with)")
        prev_hash, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    last_seq = expected_seq - 1
    if head is None:
        if count:
            return VerifyResult(False, count, last_seq, "the head record of the trail is missing")
        return VerifyResult(True, 0)
    if not hmac.compare_digest(key.head_mac(head.seq, head.hash), head.mac):
        return VerifyResult(False, count, head.seq, "the head record of the trail was altered")
    if head.seq != last_seq or head.hash != prev_hash:
        return VerifyResult(False, count, last_seq + 1,
                            f"entries after {last_seq} were deleted (the trail ends at {last_seq}, "
                            f"its head says {head.seq})")
    return VerifyResult(True, count)


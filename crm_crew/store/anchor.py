"""The audit anchor: the last head of the trail crm-crew saw, kept outside the journal.

The head record inside the journal proves nothing once someone deletes it with the entries, or
restores an older copy of the journal: the shorter trail verifies on its own. The anchor file
(in the state folder by default, one entry per store) remembers the highest head seen, with a
MAC under the audit key; a trail that no longer reaches that head, or reaches it with another
hash, was cut or replaced. Writing commands and `audit verify` move the anchor forward.
"""

from __future__ import annotations

import fcntl
import hmac
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from crm_crew.errors import JournalTampered
from crm_crew.storage import storage_error
from crm_crew.store.audit import GENESIS, AuditHead, AuditKey

ANCHOR_FILE = "audit-anchor.json"
FORMAT = "crm-crew audit anchors"


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str


class AnchorKeyMismatch(Exception):
    """The anchor's MAC fails under this key: another key wrote it (or someone edited it)."""


class AnchorFile:
    def __init__(self, path: Path, location: str, key: AuditKey) -> None:
        self.path = path
        self.location = location
        self.key = key

    def _mac(self, seq: int, last_hash: str) -> str:
        return self.key.mac("anchor", f"{self.location}|{seq}|{last_hash}")

    def _load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise storage_error(exc, self.path) from exc
        try:
            data = json.loads(text)
            stores = data["stores"]
            if data.get("format") != FORMAT or not isinstance(stores, dict):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            raise JournalTampered(f"the audit anchor {self.path} is not an anchor file any more (edited or "
                                  "damaged): nothing was written. Check the trail with `crm-crew audit verify "
                                  "--expect-head HASH` against a head you recorded, then move the file away") from None
        return stores

    def read(self) -> Anchor | None:
        """The last head seen of this store; AnchorKeyMismatch when its MAC fails under the key."""
        entry = self._load().get(self.location)
        if entry is None:
            return None
        try:
            anchor = Anchor(int(entry["seq"]), str(entry["hash"]))
            mac = str(entry["mac"])
        except (KeyError, TypeError, ValueError):
            raise AnchorKeyMismatch() from None
        if not hmac.compare_digest(self._mac(anchor.seq, anchor.hash), mac):
            raise AnchorKeyMismatch()
        return anchor

    def advance(self, head: AuditHead | None) -> None:
        """Remember `head` (already checked against the key) unless the anchor is at or past it."""
        seq, last_hash = (head.seq, head.hash) if head else (0, GENESIS)
        with self._locked():
            stores = self._load()
            current = stores.get(self.location)
            if isinstance(current, dict) and int(current.get("seq", -1)) >= seq:
                return
            stores[self.location] = {"seq": seq, "hash": last_hash,
                                     "seen_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                     "mac": self._mac(seq, last_hash)}
            self._write({"format": FORMAT, "stores": stores})

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path.with_name(self.path.name + ".lock"), "a")
        except OSError as exc:
            raise storage_error(exc, self.path) from exc
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def _write(self, data: dict[str, Any]) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("w", encoding="utf-8") as stream:
                json.dump(data, stream, indent=1, sort_keys=True)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise storage_error(exc, self.path) from exc

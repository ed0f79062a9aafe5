"""Model answers cached by request: a re-run or a duplicate interaction costs no API call.

The key is a sha256 over the canonical JSON of everything that shapes the answer (model, system, messages,
tools, sampling parameters, ...), without `metadata`. Streamed requests are never cached (the transport
decides). Entries live in their own SQLite file (WAL), shared by threads and processes, and expire after ttl_s.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

IGNORED_KEYS = ("metadata",)


class ResponseCache(Protocol):
    def get(self, key: str) -> dict[str, Any] | None: ...

    def put(self, key: str, body: dict[str, Any]) -> None: ...


def cache_key(request_body: dict[str, Any]) -> str:
    shaping = {k: v for k, v in request_body.items() if k not in IGNORED_KEYS}
    canonical = json.dumps(shaping, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class SqliteResponseCache:
    """Own SQLite file (WAL), safe from many threads, entries expire after ttl_s."""

    def __init__(self, path: Path, ttl_s: int, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS responses "
                         "(key TEXT PRIMARY KEY, body TEXT NOT NULL, stored_at REAL NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS responses_stored_at ON responses (stored_at)")

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT body, stored_at FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None or row[1] + self.ttl_s <= self._clock():
            return None
        body = json.loads(row[0])
        return body if isinstance(body, dict) else None

    def put(self, key: str, body: dict[str, Any]) -> None:
        now = self._clock()
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO responses (key, body, stored_at) VALUES (?, ?, ?)",
                             (key, json.dumps(body, separators=(",", ":")), now))
            self._db.execute("DELETE FROM responses WHERE stored_at + ? <= ?", (self.ttl_s, now))

    def close(self) -> None:
        with self._lock:
            self._db.close()

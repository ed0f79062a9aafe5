"""Reads cached for the run, in front of a remote connector; every write invalidates what it touches.

Matching asks for the same contacts many times in a batch (a customer who writes five
times, the history tool, the apply step); each answer costs an API call against a daily
allowance. Negative answers are cached too, and dropped when a contact is created.
"""

from __future__ import annotations

import copy
import threading
from typing import Any, Literal

from crm_crew.connectors.base import CheckReport, Connector, ObjectType
from crm_crew.errors import ConnectorError
from crm_crew.models import Activity, Contact

_MISSING = object()


Write = Literal["create", "update", "delete"]


class CacheFront:
    """A Connector wrapping another: writes pass through, then `_after_write` drops what they made stale.
    Subclasses answer the reads (a cache per process, or one shared by the workers)."""

    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.name = inner.name
        self.lossy_fields = inner.lossy_fields

    @property
    def target(self) -> str:
        return self.inner.target

    def _after_write(self, write: Write, obj: str, record_id: str | None, fields: dict[str, Any]) -> None:
        raise NotImplementedError

    def create(self, obj: ObjectType, fields: dict[str, Any], idempotency_key: str) -> str:
        try:
            return self.inner.create(obj, fields, idempotency_key)
        finally:
            self._after_write("create", obj, None, fields)

    def create_many(self, obj: ObjectType, items: list[tuple[dict[str, Any], str]]) -> list[str | ConnectorError]:
        try:
            return self.inner.create_many(obj, items)
        finally:
            for fields, _ in items:
                self._after_write("create", obj, None, fields)

    def update(self, obj: ObjectType, record_id: str, fields: dict[str, Any],
               expected: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            return self.inner.update(obj, record_id, fields, expected)
        finally:
            self._after_write("update", obj, record_id, fields)

    def get(self, obj: ObjectType, record_id: str) -> dict[str, Any] | None:
        """Never cached: rollback needs the record as it is now."""
        return self.inner.get(obj, record_id)

    def delete(self, obj: ObjectType, record_id: str) -> bool:
        try:
            return self.inner.delete(obj, record_id)
        finally:
            self._after_write("delete", obj, record_id, {})

    def check(self) -> CheckReport:
        return self.inner.check()

    def export_all(self) -> dict[str, list[dict[str, Any]]]:
        return self.inner.export_all()

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class CachedReads(CacheFront):
    """Reads answered from this process's memory when seen before."""

    def __init__(self, inner: Connector) -> None:
        super().__init__(inner)
        self._lock = threading.Lock()
        self._by_email: dict[str, Contact | None] = {}
        self._by_id: dict[str, Contact | None] = {}
        self._searches: dict[tuple[str, str, int], list[Contact]] = {}
        self._history: dict[tuple[str, int], list[Activity]] = {}
        self.hits = 0
        self.misses = 0

    def _get(self, table: dict[Any, Any], key: Any) -> Any:
        with self._lock:
            value = table.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return _MISSING
            self.hits += 1
            return copy.deepcopy(value)

    def _put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        with self._lock:
            table[key] = copy.deepcopy(value)

    def find_contact_by_email(self, email: str) -> Contact | None:
        key = email.strip().lower()
        cached = self._get(self._by_email, key)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        contact = self.inner.find_contact_by_email(email)
        self._put(self._by_email, key, contact)
        if contact is not None:
            self._put(self._by_id, contact.id, contact)
        return contact

    def get_contact(self, contact_id: str) -> Contact | None:
        cached = self._get(self._by_id, contact_id)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        contact = self.inner.get_contact(contact_id)
        self._put(self._by_id, contact_id, contact)
        return contact

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        key = (name, company, limit)
        cached = self._get(self._searches, key)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        found = self.inner.search_contacts(name, company, limit)
        self._put(self._searches, key, found)
        return found

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        key = (contact_id, limit)
        cached = self._get(self._history, key)
        if cached is not _MISSING:
            return cached  # type: ignore[no-any-return]
        found = self.inner.recent_activities(contact_id, limit)
        self._put(self._history, key, found)
        return found

    def _forget_contact(self, contact_id: str | None, email: str | None) -> None:
        with self._lock:
            if contact_id is not None:
                self._by_id.pop(contact_id, None)
                for key in [k for k, c in self._by_email.items() if c is not None and c.id == contact_id]:
                    del self._by_email[key]
                for history_key in [k for k in self._history if k[0] == contact_id]:
                    del self._history[history_key]
            if email:
                self._by_email.pop(email.strip().lower(), None)
            self._searches.clear()

    def _forget_history(self, contact_id: Any) -> None:
        with self._lock:
            for key in [k for k in self._history if k[0] == str(contact_id)]:
                del self._history[key]

    def _after_write(self, write: Write, obj: str, record_id: str | None, fields: dict[str, Any]) -> None:
        if obj == "contact":
            self._forget_contact(record_id, str(fields.get("email") or ""))
        elif write == "create":
            self._forget_history(fields.get("contact_id"))
        elif write == "delete" and obj == "activity" and record_id:
            self._forget_activity(record_id)

    def _forget_activity(self, activity_id: str) -> None:
        """Drop the cached histories that list this activity (a history without it stays true)."""
        with self._lock:
            for key in [k for k, found in self._history.items() if any(a.id == activity_id for a in found)]:
                del self._history[key]

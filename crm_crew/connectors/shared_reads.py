"""Reads cached in the Redis every worker shares, in front of a remote connector.

The shared twin of read_cache.CachedReads: answers live for `ttl_s` (default 5 minutes) and every write,
by any worker on any machine, drops the answers that mention the record it touched (its id, its email, and
for contacts every name search), so no worker plans from a stale read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm_crew.connectors.base import Connector
from crm_crew.connectors.read_cache import CacheFront, Write
from crm_crew.models import Activity, Contact
from crm_crew.shared.redis_cache import Mentions, RedisLookupCache

DEFAULT_TTL_S = 300.0


def _contact(value: dict[str, Any] | None) -> Contact | None:
    return None if value is None else Contact(**value)


def _contact_mentions(contact: Contact | None, email: str = "") -> Mentions:
    records = [("contact", contact.id)] if contact is not None else []
    return Mentions(records=records, emails=[email or (contact.email if contact else "")])


class SharedCachedReads(CacheFront):
    """Reads come from the shared cache when another worker made them. The cache is the one of the CRM
    instance (`caches(inner.target)`): two CRMs behind one Redis never answer for each other. It is opened at
    the first read, so opening the connector makes no request."""

    def __init__(self, inner: Connector, caches: Callable[[str], RedisLookupCache]) -> None:
        super().__init__(inner)
        self._caches = caches
        self._cache: RedisLookupCache | None = None

    @property
    def cache(self) -> RedisLookupCache:
        if self._cache is None:
            self._cache = self._caches(self.inner.target)
        return self._cache

    def find_contact_by_email(self, email: str) -> Contact | None:
        key = email.strip().lower()
        value = self.cache.lookup(self.name, "contact_by_email", key,
                                  lambda: _dump(self.inner.find_contact_by_email(email)),
                                  lambda v: _contact_mentions(_contact(v), key))
        return _contact(value)

    def get_contact(self, contact_id: str) -> Contact | None:
        value = self.cache.lookup(self.name, "contact_by_id", contact_id,
                                  lambda: _dump(self.inner.get_contact(contact_id)),
                                  lambda v: Mentions(records=[("contact", contact_id)]))
        return _contact(value)

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        found = self.cache.lookup(self.name, "search_contacts", [name, company, limit],
                                  lambda: [c.to_dict() for c in self.inner.search_contacts(name, company, limit)],
                                  lambda v: Mentions(types=["contact"]))
        return [Contact(**c) for c in found]

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        found = self.cache.lookup(self.name, "recent_activities", [contact_id, limit],
                                  lambda: [a.to_dict() for a in self.inner.recent_activities(contact_id, limit)],
                                  # any activity write drops every history: a deletion does not say whose
                                  lambda v: Mentions(records=[("history", contact_id)], types=["history"]))
        return [Activity(**a) for a in found]

    def _after_write(self, write: Write, obj: str, record_id: str | None, fields: dict[str, Any]) -> None:
        if obj == "contact":
            self.cache.invalidate_record("contact", record_id, str(fields.get("email") or "") or None)
        elif fields.get("contact_id"):
            self.cache.invalidate_record("history", str(fields["contact_id"]))
        elif record_id:          # a deleted activity, case or task: its contact is unknown here
            self.cache.invalidate_record("history", None)


def _dump(contact: Contact | None) -> dict[str, Any] | None:
    return None if contact is None else contact.to_dict()

"""Two workers' connectors share one lookup cache: a read made by one is a hit for the other, and a write by
either drops what it changed for both."""

from __future__ import annotations

from pathlib import Path

import redis

from crm_crew.connectors.shared_reads import SharedCachedReads
from crm_crew.shared.redis_cache import RedisLookupCache
from tests.connectors.test_read_cache import CountingCRM


def test_workers_share_reads_and_see_each_others_writes(tmp_path: Path, client: redis.Redis,
                                                        namespace: str) -> None:
    inner = CountingCRM(tmp_path / "crm.sqlite")          # one CRM, two workers in front of it
    first = SharedCachedReads(inner, RedisLookupCache(client, namespace, ttl_s=60))
    second = SharedCachedReads(inner, RedisLookupCache(client, namespace, ttl_s=60))

    assert first.find_contact_by_email("new@x.co") is None
    assert second.find_contact_by_email(" NEW@x.co ") is None
    assert inner.reads == 1                                # the second worker's read was a hit

    contact_id = second.create("contact", {"email": "new@x.co", "first_name": "N"}, "k1")
    found = first.find_contact_by_email("new@x.co")        # the negative answer went with the write
    assert found is not None and found.id == contact_id and inner.reads == 2

    first.update("contact", contact_id, {"first_name": "Nina"})
    assert second.find_contact_by_email("new@x.co").first_name == "Nina"  # type: ignore[union-attr]
    assert second.get_contact(contact_id).first_name == "Nina"  # type: ignore[union-attr]
    assert [c.id for c in second.search_contacts("Nina", "")] == [contact_id]

    assert first.recent_activities(contact_id) == []
    reads = inner.reads
    assert second.recent_activities(contact_id) == [] and inner.reads == reads
    second.create("activity", {"contact_id": contact_id, "subject": "hello", "occurred_at": "2026-01-01"}, "k2")
    assert [a.subject for a in first.recent_activities(contact_id)] == ["hello"]
    first.close()

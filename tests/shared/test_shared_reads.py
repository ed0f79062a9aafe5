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
    first = SharedCachedReads(inner, lambda _target: RedisLookupCache(client, namespace, ttl_s=60))
    second = SharedCachedReads(inner, lambda _target: RedisLookupCache(client, namespace, ttl_s=60))

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


def test_two_crms_behind_one_redis_never_answer_for_each_other(tmp_path: Path, client: redis.Redis,
                                                               namespace: str) -> None:
    from crm_crew.shared.state import SharedState

    shared = SharedState("redis://test", client, namespace)
    staging, production = CountingCRM(tmp_path / "staging.sqlite"), CountingCRM(tmp_path / "production.sqlite")
    assert staging.target != production.target
    on_staging = SharedCachedReads(staging, lambda target: shared.lookup_cache(target, 60))
    on_production = SharedCachedReads(production, lambda target: shared.lookup_cache(target, 60))
    staging.create("contact", {"email": "ana@x.co", "first_name": "Ana"}, "k1")   # behind the caches' backs

    assert on_staging.find_contact_by_email("ana@x.co") is not None
    assert on_production.find_contact_by_email("ana@x.co") is None     # its own CRM's answer, not staging's
    assert production.reads == 1
    on_staging.close()
    on_production.close()

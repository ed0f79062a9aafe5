"""The shared CRM lookup cache against a real Redis: round trip, TTL, invalidation on every machine, the
race of a read against a write, and a dead Redis turning into misses."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import redis

from crm_crew.errors import SharedStateUnavailable
from crm_crew.shared.client import connect
from crm_crew.shared.redis_cache import MISS, Mentions, RedisLookupCache
from crm_crew.testing.servers import RedisServer

ALICE = {"id": "c1", "email": "alice@example.com", "name": "Alice"}


def test_answers_round_trip_as_json_and_a_cached_none_is_not_a_miss(client: redis.Redis, namespace: str) -> None:
    cache = RedisLookupCache(client, namespace)
    assert cache.get("hubspot", "find_contact_by_email", ["alice@example.com"]) is MISS
    assert cache.put("hubspot", "find_contact_by_email", ["alice@example.com"], ALICE,
                     Mentions(records=[("contact", "c1")], emails=["alice@example.com"]))
    cache.put("hubspot", "find_contact_by_email", ["bob@example.com"], None, Mentions(emails=["bob@example.com"]))
    assert cache.get("hubspot", "find_contact_by_email", ["alice@example.com"]) == ALICE
    assert cache.get("hubspot", "find_contact_by_email", ["bob@example.com"]) is None
    assert cache.get("salesforce", "find_contact_by_email", ["alice@example.com"]) is MISS
    assert cache.get("hubspot", "find_contact_by_email", ["carol@example.com"]) is MISS
    assert (cache.hits, cache.misses) == (2, 3)


def test_answers_expire_after_the_ttl(client: redis.Redis, namespace: str) -> None:
    cache = RedisLookupCache(client, namespace, ttl_s=0.3)
    cache.put("hubspot", "get_contact", ["c1"], ALICE, Mentions(records=[("contact", "c1")]))
    assert cache.get("hubspot", "get_contact", ["c1"]) == ALICE
    time.sleep(0.5)
    assert cache.get("hubspot", "get_contact", ["c1"]) is MISS


def test_a_write_invalidates_every_answer_mentioning_the_record_on_every_machine(
        redis_url: str, namespace: str, client: redis.Redis) -> None:
    here, there = RedisLookupCache(client, namespace), RedisLookupCache(connect(redis_url), namespace)
    about_alice = Mentions(records=[("contact", "c1")], emails=["alice@example.com"])
    here.put("hubspot", "get_contact", ["c1"], ALICE, about_alice)
    here.put("hubspot", "find_contact_by_email", ["alice@example.com"], ALICE, about_alice)
    here.put("hubspot", "recent_activities", ["c1", 5], [{"id": "a1"}],
             Mentions(records=[("contact", "c1"), ("activity", "a1")]))
    here.put("hubspot", "search_contacts", ["Alice", "", 25], [ALICE], Mentions(types=["contact"]))
    here.put("hubspot", "get_contact", ["c2"], {"id": "c2"}, Mentions(records=[("contact", "c2")]))
    here.put("hubspot", "find_contact_by_email", ["new@example.com"], None, Mentions(emails=["new@example.com"]))

    assert there.invalidate_record("contact", "c1") == 4      # by id, email lookup, history, searches
    for operation, args in [("get_contact", ["c1"]), ("find_contact_by_email", ["alice@example.com"]),
                            ("recent_activities", ["c1", 5]), ("search_contacts", ["Alice", "", 25])]:
        assert here.get("hubspot", operation, args) is MISS
    assert here.get("hubspot", "get_contact", ["c2"]) == {"id": "c2"}

    # A created contact: its email's negative answer goes, known before the id is.
    assert there.invalidate_record("contact", None, email="New@Example.com") == 1
    assert here.get("hubspot", "find_contact_by_email", ["new@example.com"]) is MISS
    assert there.invalidate_record("activity", "a1") == 0      # already gone with c1


def test_a_read_that_began_before_a_write_does_not_cache_its_old_answer(client: redis.Redis,
                                                                          namespace: str) -> None:
    cache = RedisLookupCache(client, namespace)
    elsewhere = RedisLookupCache(client, namespace)

    def slow_read_overtaken_by_a_write() -> dict[str, str]:
        elsewhere.invalidate_record("contact", "c1")             # the write lands while the CRM answers
        return ALICE

    about = Mentions(records=[("contact", "c1")])
    assert cache.lookup("hubspot", "get_contact", ["c1"], slow_read_overtaken_by_a_write, lambda _: about) == ALICE
    assert cache.get("hubspot", "get_contact", ["c1"]) is MISS
    # A put tagged with an untouched record still goes in, and the next lookup is served from the cache.
    assert cache.lookup("hubspot", "get_contact", ["c2"], lambda: {"id": "c2"},
                        lambda _: Mentions(records=[("contact", "c2")])) == {"id": "c2"}
    assert cache.lookup("hubspot", "get_contact", ["c2"], lambda: pytest.fail("not cached"),
                        lambda _: Mentions()) == {"id": "c2"}


def test_a_dead_redis_makes_lookups_misses_and_invalidation_a_clear_error(tmp_path: Path, namespace: str) -> None:
    with RedisServer(tmp_path) as server:
        url = server.url
        cache = RedisLookupCache(connect(url), namespace)
        cache.put("hubspot", "get_contact", ["c1"], ALICE, Mentions(records=[("contact", "c1")]))
        assert cache.get("hubspot", "get_contact", ["c1"]) == ALICE
    loaded = cache.lookup("hubspot", "get_contact", ["c1"], lambda: {"id": "c1", "fresh": True},
                          lambda _: Mentions(records=[("contact", "c1")]))
    assert loaded == {"id": "c1", "fresh": True}
    assert cache.get("hubspot", "get_contact", ["c1"]) is MISS
    assert not cache.put("hubspot", "get_contact", ["c1"], ALICE)
    assert cache.errors == 1                                    # then left alone for a while, not retried per call
    with pytest.raises(SharedStateUnavailable) as caught:
        cache.invalidate_record("contact", "c1")
    assert url.removesuffix("/0") in str(caught.value) and "start it" in str(caught.value)

"""A Redis of the tests' own (or REDIS_URL), a client on it and a key namespace per test, removed afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from crm_crew.shared.client import connect
from tests.servers_fixtures import redis_url  # noqa: F401 - the session fixture, made available here


@pytest.fixture
def namespace() -> str:
    return f"crm-crew-test:{uuid.uuid4().hex[:12]}"


@pytest.fixture
def client(redis_url: str, namespace: str) -> Iterator[redis.Redis]:  # noqa: F811 - the fixture above
    client = connect(redis_url)
    try:
        yield client
    finally:
        for pattern in (f"{namespace}*", f"crm-crew:ratelimit:{namespace}*"):
            keys = list(client.scan_iter(match=pattern, count=1000))
            if keys:
                client.delete(*keys)
        client.close()

"""The Redis connection that workers share.

`connect(url)` opens a client. Every Redis call of this package runs inside `guarded(client, doing)`, which
turns a server that is down or unreachable into SharedStateUnavailable naming the server (never its password)
and what to do. A single Redis (or a primary with replicas) is assumed, not Redis Cluster.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis

from crm_crew.errors import SharedStateUnavailable

CONNECT_TIMEOUT_S = 5.0


def connect(url: str, timeout_s: float = CONNECT_TIMEOUT_S) -> redis.Redis:
    """A client for `url` (redis://[:password@]host:port/db) that gives up on a silent server after timeout_s."""
    return redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                health_check_interval=30)


def describe(client: redis.Redis) -> str:
    """The server a client talks to, as a URL without credentials."""
    kwargs = client.connection_pool.connection_kwargs
    if kwargs.get("path"):
        return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
    return f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


@contextmanager
def guarded(client: redis.Redis, doing: str) -> Iterator[None]:
    """Run Redis calls; a dead or unreachable server raises SharedStateUnavailable."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise SharedStateUnavailable(
            f"the shared Redis at {describe(client)} cannot be reached while {doing} ({exc}): start it or point "
            "the queue/REDIS_URL at one that runs") from exc


def text(value: bytes | str | None) -> str | None:
    """A reply as str, whether or not the client decodes responses."""
    return value.decode() if isinstance(value, bytes) else value

"""Session fixtures for a Redis, a PostgreSQL, a Prometheus and a Pushgateway of the tests' own (import what you use).

`from tests.servers_fixtures import redis_url, postgres_url` in a conftest or test module makes them
available there. Each pytest process (each xdist worker) starts its servers once, on first use, and
stops them at the end of its session; REDIS_URL / DATABASE_URL point the tests at given servers instead.
Tests sharing a server keep apart by key prefix, Redis database or schema of their own.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from crm_crew.testing.prom_servers import PrometheusServer, PushgatewayServer, free_port
from crm_crew.testing.servers import postgres_url_for_tests, redis_url_for_tests


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, stop = redis_url_for_tests(tmp_path_factory.mktemp("redis"))
    try:
        yield url
    finally:
        stop()


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, stop = postgres_url_for_tests(tmp_path_factory.mktemp("postgres"))
    try:
        yield url
    finally:
        stop()


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL at `server_url`, dropped afterwards: its URL."""
    import psycopg

    name = f"crm_crew_{secrets.token_hex(5)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{server_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


@dataclass
class PrometheusStack:
    """A Pushgateway and a Prometheus scraping it and `worker_port` (where a test starts a worker) every second."""

    pushgateway_url: str
    prometheus: PrometheusServer
    worker_port: int


@pytest.fixture(scope="session")
def prometheus_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusStack]:
    folder = tmp_path_factory.mktemp("prometheus")
    with PushgatewayServer(folder) as gateway:
        worker_port = free_port()
        targets = {"pushgateway": f"127.0.0.1:{gateway.port}", "worker": f"127.0.0.1:{worker_port}"}
        with PrometheusServer(targets, folder) as prometheus:
            yield PrometheusStack(gateway.url, prometheus, worker_port)

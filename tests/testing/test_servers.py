"""The test servers: a real redis-server and PostgreSQL that start on free ports, answer and go away."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import redis

from crm_crew.testing.servers import PostgresServer, RedisServer, postgres_url_for_tests, redis_url_for_tests
from tests.servers_fixtures import postgres_url, redis_url  # noqa: F401 - fixtures


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the servers bind it
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_redis_fixture_stores_and_returns_a_value(redis_url: str) -> None:  # noqa: F811
    key = f"test-servers:{uuid.uuid4()}"
    with redis.Redis.from_url(redis_url) as client:
        client.set(key, "hello", ex=60)
        assert client.get(key) == b"hello"


def test_postgres_fixture_creates_inserts_and_selects(postgres_url: str) -> None:  # noqa: F811
    table = f"servers_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id serial PRIMARY KEY, name text NOT NULL)")
        try:
            conn.execute(f"INSERT INTO {table} (name) VALUES (%s), (%s)", ("Ada", "Grace"))
            rows = conn.execute(f"SELECT name FROM {table} ORDER BY id").fetchall()
        finally:
            conn.execute(f"DROP TABLE {table}")
    assert rows == [("Ada",), ("Grace",)]


def test_two_redis_servers_run_apart_and_stop_frees_the_port(tmp_path: Path) -> None:
    with RedisServer(tmp_path) as first, RedisServer(tmp_path) as second:
        assert first.port != second.port
        with redis.Redis.from_url(first.url) as a, redis.Redis.from_url(second.url) as b:
            a.set("where", "first")
            b.set("where", "second")
            assert (a.get("where"), b.get("where")) == (b"first", b"second")
        folder = first.dir
        first.stop()
        assert _port_is_free(first.port)
        assert folder is not None and not folder.exists()
        with redis.Redis.from_url(first.url, socket_connect_timeout=1) as gone, pytest.raises(redis.ConnectionError):
            gone.ping()
        with redis.Redis.from_url(second.url) as b:
            assert b.get("where") == b"second"


def test_a_second_postgres_gets_its_own_port_and_stop_frees_it(postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    with PostgresServer(tmp_path) as own:
        assert urlsplit(own.url).port != urlsplit(postgres_url).port
        with psycopg.connect(own.url) as conn:
            assert conn.execute("SELECT current_database(), current_setting('fsync')").fetchone() == ("crm_crew", "off")
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        port = own.port
    assert _port_is_free(port)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(own.url, connect_timeout=2)


def test_environment_urls_win_over_own_servers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://redis.example:6380/3")
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.example:5433/crm")
    redis_given, stop_redis = redis_url_for_tests(tmp_path)
    postgres_given, stop_postgres = postgres_url_for_tests(tmp_path)
    assert (redis_given, postgres_given) == ("redis://redis.example:6380/3", "postgresql://app@db.example:5433/crm")
    stop_redis()
    stop_postgres()
    assert list(tmp_path.iterdir()) == []

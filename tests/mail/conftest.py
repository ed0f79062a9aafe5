"""The mail tests' own Dovecot, started once per test session (crm_crew/testing/mail_servers.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm_crew.testing.mail_servers import DovecotServer
from crm_crew.testing.servers import ServerUnavailable


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    try:
        server = DovecotServer().start()
    except ServerUnavailable as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()

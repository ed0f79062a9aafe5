"""The mail tests' own Dovecot and SMTP server, each started once per test session (crm_crew/testing/)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crm_crew.testing.mail_servers import DovecotServer
from crm_crew.testing.servers import ServerUnavailable
from crm_crew.testing.smtp_server import SmtpServer


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


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()

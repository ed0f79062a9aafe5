"""An SMTP server on loopback that keeps what it receives (aiosmtpd), for tests of `replies.mode send`.

Two listeners on free ports: `port` speaks TLS from the start (as port 465), `starttls_port` offers
STARTTLS (as 587); both with a certificate made at start-up (crm_crew.testing.tls), and both require
AUTH (PLAIN or LOGIN, only over TLS) as `.user` / `.password`. Every accepted message is kept in
`.messages`, parsed, in arrival order. In-process (threads), so a test reads what a crm-crew process sent.
"""

from __future__ import annotations

import logging
import secrets
import ssl
import tempfile
import threading
import warnings
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from crm_crew.testing.servers import _free_port
from crm_crew.testing.tls import make_self_signed


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class _Keeper:
    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed, raw))  # type: ignore[arg-type]
        return "250 OK kept"


def _implicit_tls() -> type:
    from aiosmtpd.controller import Controller

    class ImplicitTls(Controller):  # type: ignore[misc]
        """aiosmtpd knows TLS from STARTTLS only; on an implicit-TLS port its warning about AUTH without TLS is moot."""

        def factory(self) -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return super().factory()

    return ImplicitTls


class SmtpServer:
    def __init__(self, user: str = "replies@crm-crew.test") -> None:
        self.user = user
        self.password = "smtp-" + secrets.token_hex(8)
        self.port = 0
        self.starttls_port = 0
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._keeper = _Keeper()
        self._controllers: list[Any] = []

    @property
    def ca_file(self) -> Path:
        assert self._dir is not None
        return Path(self._dir.name) / "cert.pem"

    @property
    def messages(self) -> list[Received]:
        with self._keeper.lock:
            return list(self._keeper.messages)

    def clear(self) -> None:
        with self._keeper.lock:
            self._keeper.messages.clear()

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        implicit_tls = _implicit_tls()
        logging.getLogger("mail.log").setLevel(logging.ERROR)    # aiosmtpd's notes on every session
        self._dir = tempfile.TemporaryDirectory(prefix="crm-crew-smtp-")
        cert, key = make_self_signed(Path(self._dir.name))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        self.port, self.starttls_port = _free_port(), _free_port()
        common: dict[str, Any] = {"hostname": "127.0.0.1", "authenticator": self._authenticate,
                                  "auth_required": True, "server_hostname": "127.0.0.1"}
        # implicit TLS: the whole connection is encrypted (aiosmtpd only knows of STARTTLS, hence the flag)
        implicit = implicit_tls(self._keeper, port=self.port, ssl_context=context, auth_require_tls=False, **common)
        starttls = Controller(self._keeper, port=self.starttls_port, tls_context=context, require_starttls=True,
                              auth_require_tls=True, **common)
        for controller in (implicit, starttls):
            controller.start()
            self._controllers.append(controller)
        return self

    def stop(self) -> None:
        for controller in self._controllers:
            controller.stop()
        self._controllers.clear()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

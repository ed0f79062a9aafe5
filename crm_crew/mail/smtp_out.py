"""Handing a reply to an SMTP server (replies.mode send): implicit TLS (port 465) or STARTTLS, never clear
text; the password from the environment variable replies.smtp.password_env names, never printed."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from crm_crew.errors import ConnectorError, UserError
from crm_crew.mail.imap_session import network_reason, tls_context


class Refused(ConnectorError):
    """The server answered and refused the reply: it was not sent (it may be tried again)."""


class SmtpOut:
    def __init__(self, replies: Any, config_dir: Path | None) -> None:
        self.settings = replies.smtp
        self.user = str(self.settings.user or replies.from_address or "")
        self.config_dir = config_dir
        self.where = f"{self.settings.host}:{self.settings.port}"
        self._client: smtplib.SMTP | None = None

    def _secret(self) -> str:
        name = self.settings.password_env
        value = os.environ.get(name, "")
        if not value:
            raise UserError(f"replies.mode send needs the SMTP password in ${name} (replies.smtp.password_env in "
                            "crm-crew.yaml): set it in the environment, never in the YAML")
        return value

    def connect(self) -> smtplib.SMTP:
        """A logged-in session (kept for the next reply); UserError naming what to fix."""
        if self._client is not None:
            try:
                if self._client.noop()[0] == 250:
                    return self._client
            except (smtplib.SMTPException, OSError):
                pass
            self._client = None
        secret = self._secret()
        context = tls_context(self.settings, self.config_dir, "replies.smtp")
        host, port, timeout = str(self.settings.host), self.settings.port, self.settings.timeout_s
        try:
            if self.settings.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            else:
                client = smtplib.SMTP(host, port, timeout=timeout)
                client.ehlo()
                if not client.has_extn("starttls"):
                    client.close()
                    raise UserError(f"the SMTP server {self.where} does not offer STARTTLS: crm-crew never logs in "
                                    "without TLS (replies.smtp.security: tls for implicit TLS)")
                client.starttls(context=context)
            client.ehlo()
        except ssl.SSLCertVerificationError as exc:
            raise UserError(f"the SMTP server {self.where} presented a certificate that is not trusted "
                            f"({exc.verify_message}): name its CA in replies.smtp.tls_ca_file") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise UserError(f"cannot reach the SMTP server {self.where}: {network_reason(exc)}") from None
        try:
            client.login(self.user, secret)
        except smtplib.SMTPAuthenticationError:
            _quit(client)
            raise UserError(f"the SMTP server {self.where} refused the login of {self.user} with the password in "
                            f"${self.settings.password_env}: check that variable") from None
        except (OSError, smtplib.SMTPException) as exc:
            _quit(client)
            raise UserError(f"the SMTP server {self.where} failed during login: {network_reason(exc)}") from None
        self._client = client
        return client

    def send(self, message: EmailMessage, recipient: str, before_data: Any) -> None:
        """Send one message; `before_data()` runs (and commits the outbox row) just before it is handed over.
        Refused when the server answered no; any other failure leaves it unknown whether it was accepted."""
        client = self.connect()
        before_data()
        try:
            client.send_message(message, from_addr=str(message["From"].addresses[0].addr_spec), to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            raise Refused(f"the SMTP server {self.where} refused the recipient: {_answers(exc.recipients)}") from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise Refused(f"the SMTP server {self.where} refused the reply: {exc.smtp_code} "
                          f"{_text(exc.smtp_error)}") from None

    def close(self) -> None:
        if self._client is not None:
            _quit(self._client)
            self._client = None


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _answers(recipients: dict[str, Any]) -> str:
    return "; ".join(f"{code} {_text(text)}" for code, text in recipients.values())


def _quit(client: smtplib.SMTP) -> None:
    try:
        client.quit()
    except Exception:  # noqa: BLE001 - closing: the first error is the one to tell
        client.close()

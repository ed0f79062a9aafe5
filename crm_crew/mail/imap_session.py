"""Opening an IMAP session with imapclient: TLS (or STARTTLS), the secret from the environment, the folder.

Every failure is a UserError that says what to fix: the variable to set, the server that did not answer,
the certificate that was not trusted. The secret is never part of a message.
"""

from __future__ import annotations

import os
import socket
import ssl
from pathlib import Path
from typing import Any

from crm_crew.errors import UserError
from crm_crew.mail.urls import MailboxUrl


def secret_variable(settings: Any) -> str:
    """The NAME of the environment variable the mailbox's secret comes from (mail.imap)."""
    return str(settings.oauth2_token_env if settings.auth == "xoauth2" else settings.password_env)


def check_secret(settings: Any) -> str:
    """The secret from its variable; a UserError naming the variable when it is not set."""
    name = secret_variable(settings)
    value = os.environ.get(name, "")
    if not value:
        what = "an OAuth2 access token" if settings.auth == "xoauth2" else "the mailbox password"
        raise UserError(f"reading a mailbox needs {what} in ${name} (mail.imap.{_setting(settings)} in crm-crew.yaml): "
                        f"set it in the environment, never in the URL or the YAML")
    return value


def _setting(settings: Any) -> str:
    return "oauth2_token_env" if settings.auth == "xoauth2" else "password_env"


def tls_context(settings: Any, config_dir: Path | None, where: str = "mail.imap") -> ssl.SSLContext:
    ca_file = settings.tls_ca_file
    if not ca_file:
        return ssl.create_default_context()
    path = Path(ca_file).expanduser()
    if not path.is_absolute() and config_dir is not None:
        path = config_dir / path
    try:
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as exc:
        raise UserError(f"{where}.tls_ca_file {path}: cannot load it as PEM CA certificates "
                        f"({getattr(exc, 'strerror', None) or exc})") from None


def open_session(url: MailboxUrl, settings: Any, config_dir: Path | None = None) -> Any:
    """An IMAPClient logged in to `url` (the folder not yet selected)."""
    from imapclient import IMAPClient  # type: ignore[import-untyped]
    from imapclient.exceptions import IMAPClientError, LoginError  # type: ignore[import-untyped]

    secret = check_secret(settings)
    context = tls_context(settings, config_dir)
    where = f"{url.host}:{url.port}"
    try:
        client = IMAPClient(url.host, port=url.port, ssl=url.scheme == "imaps", ssl_context=context,
                            timeout=settings.timeout_s)
    except ssl.SSLCertVerificationError as exc:
        raise UserError(f"the IMAP server {where} presented a certificate that is not trusted ({exc.verify_message}): "
                        "name its CA in mail.imap.tls_ca_file") from None
    except (OSError, ssl.SSLError) as exc:
        raise UserError(f"cannot reach the IMAP server {where}: {network_reason(exc)}") from None
    try:
        if url.scheme == "imap":
            try:
                client.starttls(context)
            except ssl.SSLCertVerificationError as exc:
                raise UserError(f"the IMAP server {where} presented a certificate that is not trusted "
                                f"({exc.verify_message}): name its CA in mail.imap.tls_ca_file") from None
            except IMAPClientError:
                raise UserError(f"the IMAP server {where} does not offer STARTTLS: crm-crew never logs in "
                                "without TLS (use imaps:// if the server speaks TLS on another port)") from None
        try:
            if settings.auth == "xoauth2":
                client.oauth2_login(url.user, secret)
            else:
                client.login(url.user, secret)
        except LoginError:
            raise UserError(f"the IMAP server {where} refused the login of {url.user} with the "
                            f"{'token' if settings.auth == 'xoauth2' else 'password'} in ${secret_variable(settings)}: "
                            "check that variable") from None
    except UserError:
        _close(client)
        raise
    except (OSError, ssl.SSLError, IMAPClientError) as exc:
        _close(client)
        raise UserError(f"the IMAP server {where} failed during login: {network_reason(exc)}") from None
    return client


def select(client: Any, url: MailboxUrl) -> dict[bytes, Any]:
    """Select the URL's folder (read-write: flags and moves come later); UserError when it is missing."""
    from imapclient.exceptions import IMAPClientError  # type: ignore[import-untyped]

    try:
        return dict(client.select_folder(url.folder))
    except IMAPClientError:
        raise UserError(f"the IMAP server {url.host}:{url.port} has no folder '{url.folder}' for {url.user} "
                        "(folder names are case-sensitive, except INBOX)") from None


def network_reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "the host name does not resolve"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "no answer (timed out)"
    return f"{type(exc).__name__}: {exc}"


def _close(client: Any) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - closing after a failure: the first error is the one to tell
        try:
            client.shutdown()
        except Exception:  # noqa: BLE001
            pass

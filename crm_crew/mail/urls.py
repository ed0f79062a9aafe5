"""Mailbox URLs as run inputs: imaps://USER@HOST[:PORT]/FOLDER (TLS) and imap://... (STARTTLS).

A URL never carries the secret: one with `user:password@` is refused without repeating it. The user may
hold an `@` (ops@example.com@imap.example.com) or write it as %40; the folder is percent-decoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from crm_crew.errors import UsageError

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
SCHEMES: dict[str, int] = {"imaps": 993, "imap": 143}


@dataclass(frozen=True)
class MailboxUrl:
    scheme: str          # imaps (TLS from the start) | imap (STARTTLS, never clear text)
    user: str
    host: str
    port: int
    folder: str

    @property
    def key(self) -> str:
        """Who reads what where: the mail_cursors row of this folder. Neither the scheme nor the port changes it
        (imaps:// and imap:// reach one store); another server behind the name has another UIDVALIDITY."""
        return f"{self.user}@{self.host.lower()}/{self.folder}"

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{quote(self.user, safe='@')}@{host}:{self.port}/{quote(self.folder, safe='/')}"


RunInput = Path | MailboxUrl


def is_mailbox_url(text: str) -> bool:
    return text.lower().startswith(tuple(f"{scheme}://" for scheme in SCHEMES))


def parse_mailbox_url(text: str) -> MailboxUrl:
    """The parts of a mailbox URL; UsageError naming what is wrong (never a password)."""
    scheme, _, rest = text.partition("://")
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise UsageError(f"unsupported mailbox URL scheme '{scheme}': use imaps:// (TLS) or imap:// (STARTTLS)")
    authority, _, path = rest.partition("/")
    userinfo, at, hostport = authority.rpartition("@")
    if ":" in userinfo:
        raise UsageError("a mailbox URL must not carry a password (user:password@; not repeated here): put it in "
                         "the environment variable that mail.imap.password_env names")
    if not at or not userinfo:
        raise UsageError(f"mailbox URL needs the user: {scheme}://USER@HOST[:PORT]/FOLDER")
    host, colon, port_text = hostport.rpartition(":") if hostport.count(":") == 1 else (hostport, "", "")
    if not colon:
        host = hostport
    if hostport.startswith("["):               # [IPv6]:port
        host, _, port_text = hostport[1:].partition("]")
        port_text = port_text.lstrip(":")
    if not host:
        raise UsageError(f"mailbox URL needs the host: {scheme}://USER@HOST[:PORT]/FOLDER")
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise UsageError(f"mailbox URL: port '{port_text}' is not a port number")
    folder = unquote(path.split("?")[0].split(";")[0]).strip("/") or "INBOX"
    return MailboxUrl(scheme, unquote(userinfo), host, int(port_text) if port_text else SCHEMES[scheme], folder)


def parse_input(text: str) -> RunInput:
    """A run input as given on the command line (or journaled as a run's source)."""
    if is_mailbox_url(text):
        return parse_mailbox_url(text)
    if _URL.match(text):
        raise UsageError(f"unsupported input URL '{text.split('://')[0]}://...': inputs are files, folders, "
                         "imaps://USER@HOST[:PORT]/FOLDER or imap://USER@HOST[:PORT]/FOLDER")
    return Path(text)


def source_name(item: RunInput) -> str:
    """How a run journals its input: an absolute path, or the mailbox URL (never with a secret)."""
    return str(item) if isinstance(item, MailboxUrl) else str(item.absolute())

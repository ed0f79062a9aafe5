"""Writing a reply as a draft (replies.mode draft): IMAP APPEND, flagged \\Draft, to the Drafts folder of the
mailbox the message was read from, logged in as the run's input was (mail.imap). Before each APPEND the
folder is searched for the reply's Message-ID, so a draft is never written twice, even after a crash."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path
from typing import Any

from crm_crew.errors import ConnectorError
from crm_crew.mail.imap_session import open_session
from crm_crew.mail.urls import MailboxUrl, parse_mailbox_url


class DraftsOut:
    def __init__(self, replies: Any, imap: Any, config_dir: Path | None) -> None:
        self.folder = str(replies.drafts_folder)
        self.imap = imap
        self.config_dir = config_dir
        self._sessions: dict[MailboxUrl, Any] = {}

    def _session(self, mailbox: str) -> tuple[MailboxUrl, Any]:
        url = parse_mailbox_url(mailbox)
        if url not in self._sessions:
            self._sessions[url] = open_session(url, self.imap, self.config_dir)
        return url, self._sessions[url]

    def exists(self, mailbox: str, message_id: str) -> bool:
        """Whether the Drafts folder already holds a message with this Message-ID."""
        from imapclient.exceptions import IMAPClientError  # type: ignore[import-untyped]

        url, client = self._session(mailbox)
        try:
            client.select_folder(self.folder, readonly=True)
            return bool(client.search(["HEADER", "Message-ID", message_id]))
        except IMAPClientError as exc:
            raise ConnectorError(f"cannot search the folder '{self.folder}' of {url} for {message_id}: {exc} "
                                 "(replies.drafts_folder)") from None

    def append(self, mailbox: str, message: EmailMessage) -> None:
        from imapclient import DRAFT, SEEN  # type: ignore[import-untyped]
        from imapclient.exceptions import IMAPClientError  # type: ignore[import-untyped]

        url, client = self._session(mailbox)
        try:
            client.append(self.folder, message.as_bytes(), flags=(DRAFT, SEEN))
        except IMAPClientError as exc:
            raise ConnectorError(f"cannot write the draft to the folder '{self.folder}' of {url}: {exc}") from None

    def close(self) -> None:
        for client in self._sessions.values():
            try:
                client.logout()
            except Exception:  # noqa: BLE001 - closing: nothing depends on a clean goodbye
                pass
        self._sessions.clear()

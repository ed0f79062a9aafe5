"""The mailbox inputs of one run, opened before it starts (a wrong password stops it before any state
changes) and told of every journaled result."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from crm_crew.mail.imap_input import ImapInput
from crm_crew.mail.imap_session import check_secret
from crm_crew.mail.urls import MailboxUrl
from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers.common import Limits
from crm_crew.store.base import Store


def check_mail_secrets(inputs: Iterable[object], settings: Any) -> None:
    """The secret's variable is set, when a mailbox is among the inputs (before any state exists)."""
    if any(isinstance(item, MailboxUrl) for item in inputs):
        check_secret(settings.mail.imap)


class MailInputs:
    def __init__(self) -> None:
        self.open: dict[MailboxUrl, ImapInput] = {}

    @classmethod
    def connect(cls, inputs: Iterable[object], settings: Any, store: Store, config_dir: Path | None) -> MailInputs:
        mail = cls()
        try:
            for item in inputs:
                if isinstance(item, MailboxUrl) and item not in mail.open:
                    mail.open[item] = ImapInput(item, settings.mail.imap, store, config_dir)
        except BaseException:
            mail.close()
            raise
        return mail

    def items(self, url: MailboxUrl, limits: Limits) -> Iterator[Interaction | Reject]:
        return self.open[url].items(limits)

    def journaled(self, record: dict[str, Any]) -> None:
        for source in self.open.values():
            source.journaled(record)

    def skipped(self, item: Interaction | Reject) -> None:
        """An item a resumed run journaled before: its message is done too."""
        interaction_id = item.id if isinstance(item, Interaction) else item.interaction_id
        self.journaled({"source": item.source, "position": item.position, "interaction_id": interaction_id})

    def summary(self) -> list[dict[str, Any]]:
        return [source.summary() for source in self.open.values()]

    def close(self) -> None:
        for source in self.open.values():
            source.close()

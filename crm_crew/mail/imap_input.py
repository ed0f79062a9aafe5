"""A mailbox folder as a run's input: read what was not read before, act on it once it is journaled.

How far a folder was read is its cursor in the state store (mail_cursors): the folder's UIDVALIDITY and
the highest UID up to which every message is journaled. A run reads the UIDs above it, oldest first; the
cursor moves as results are journaled (in order: a message still being worked holds it back, so a run
that dies re-reads from there and `run --resume` or the Message-ID duplicate check keeps it once). When
the server's UIDVALIDITY changed (the folder was rebuilt), every message is considered again, and those
whose Message-ID an earlier run journaled are skipped: re-read by Message-ID, not duplicated.

mail.imap.after: seen sets \\Seen, move:FOLDER moves the message, each only after its result is journaled;
a `failed` result (worked again by resume) is not acted on. Messages are fetched with BODY.PEEK, so
reading alone never marks anything read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crm_crew.errors import UserError
from crm_crew.mail.imap_session import open_session, select
from crm_crew.mail.urls import MailboxUrl
from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers.common import Limits
from crm_crew.pipeline.readers.email_reader import read_message
from crm_crew.store.base import Store

_MESSAGE_ID = b"BODY[HEADER.FIELDS (MESSAGE-ID)]"


def _uid_of(position: Any) -> int | None:
    text = str(position or "")
    return int(text[4:]) if text.startswith("uid ") and text[4:].isdigit() else None


class ImapInput:
    """One mailbox folder of a run, logged in and selected (see `open`)."""

    def __init__(self, url: MailboxUrl, settings: Any, store: Store, config_dir: Path | None = None) -> None:
        self.url, self.settings, self.store = url, settings, store
        self.source = str(url)
        self.client = open_session(url, settings, config_dir)
        try:
            status = select(self.client, url)
            self.uidvalidity = int(status.get(b"UIDVALIDITY", 0))
            self._cursor = self.store.mail_cursor(self.url.key)
            self.pending, self.known = self._unread()
        except BaseException:
            self.close()
            raise
        self._done: set[int] = set(self.known)
        self._next = 0                      # index in `pending` of the first UID not yet journaled
        self.acted = 0
        self._advance()

    def _unread(self) -> tuple[list[int], set[int]]:
        """(UIDs to read, oldest first; those of them journaled before under an older UIDVALIDITY)."""
        cursor = self._cursor
        if cursor is not None and cursor[0] == self.uidvalidity:
            last = cursor[1]
            return sorted(uid for uid in self.client.search(["UID", f"{last + 1}:*"]) if uid > last), set()
        uids = sorted(self.client.search(["ALL"]))
        if cursor is None or not uids:
            return uids, set()
        known: set[int] = set()        # the folder was rebuilt: a message journaled before keeps its Message-ID
        for start in range(0, len(uids), self.settings.fetch_batch):
            batch = uids[start:start + self.settings.fetch_batch]
            for uid, data in self.client.fetch(batch, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).items():
                header = bytes(data.get(_MESSAGE_ID) or b"").decode("ascii", "replace")
                mid = header.partition(":")[2].strip().strip("<>").strip()
                if mid and self.store.earlier_results(mid, ""):
                    known.add(uid)
        return uids, known

    def items(self, limits: Limits) -> Iterator[Interaction | Reject]:
        """The unread messages as interactions (or rejects), fetched fetch_batch at a time."""
        todo = [uid for uid in self.pending if uid not in self.known]
        for start in range(0, len(todo), self.settings.fetch_batch):
            batch = todo[start:start + self.settings.fetch_batch]
            sizes = self.client.fetch(batch, ["RFC822.SIZE"])
            small = [uid for uid in batch if int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0)) <= limits.max_file_bytes]
            bodies = self.client.fetch(small, ["BODY.PEEK[]"]) if small else {}
            for uid in batch:
                position = f"uid {uid}"
                if uid not in small:
                    size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
                    yield Reject(self.source, position, f"message too large: {size} bytes "
                                                        f"(limit {limits.max_file_bytes})")
                    continue
                data = bodies.get(uid, {}).get(b"BODY[]")
                if data is None:
                    yield Reject(self.source, position, "message vanished from the folder while it was read")
                    continue
                yield read_message(bytes(data), limits, source=self.source, position=position)

    def journaled(self, record: dict[str, Any]) -> None:
        """A result of this run is journaled (or was, before a resume): act on its message, move the cursor."""
        if record.get("source") != self.source or record.get("status") == "failed":
            return
        uid = _uid_of(record.get("position"))
        if uid is None or uid in self._done:
            return
        self._act(uid)
        self._done.add(uid)
        self._advance()

    def _act(self, uid: int) -> None:
        after = self.settings.after
        if after == "none":
            return
        from imapclient import SEEN  # type: ignore[import-untyped]
        from imapclient.exceptions import IMAPClientError  # type: ignore[import-untyped]

        try:
            if after == "seen":
                self.client.add_flags([uid], [SEEN])
            else:
                self.client.move([uid], after.partition(":")[2])
        except IMAPClientError as exc:
            raise UserError(f"mail.imap.after: {after} failed on {self.source} (uid {uid}): {exc}; the result "
                            "is journaled, the message was left as it was") from None
        self.acted += 1

    def _advance(self) -> None:
        start = self._next
        while self._next < len(self.pending) and self.pending[self._next] in self._done:
            self._next += 1
        if self._next > start:
            self.store.set_mail_cursor(self.url.key, self.uidvalidity, self.pending[self._next - 1])
        elif not self.pending and (self._cursor is None or self._cursor[0] != self.uidvalidity):
            self.store.set_mail_cursor(self.url.key, self.uidvalidity, 0)    # an empty folder, read
        self._cursor = (self.uidvalidity, self.pending[self._next - 1] if self._next else 0)

    def summary(self) -> dict[str, Any]:
        return {"source": self.source, "new": len(self.pending) - len(self.known),
                "known_by_message_id": len(self.known), "after": self.settings.after, "acted_on": self.acted}

    def close(self) -> None:
        try:
            self.client.logout()
        except Exception:  # noqa: BLE001 - the run's outcome does not depend on a clean goodbye
            pass

"""Carrying out a `send_reply` action: the mail is built from the action's fields, checked against the
limits, recorded in the outbox and handed over (SMTP, or IMAP APPEND to Drafts), exactly once.

Exactly once: the Message-ID derives from the action's idempotency key. The outbox row is `sending`
(committed) before the SMTP DATA command and `accepted` after the server's 250, before the journal
records the action. On resume, `accepted` finishes the action without a second copy; `sending` is never
resent by itself (nobody knows whether the server took it, and a duplicate to a customer is worse than a
reply held back): the action fails naming the Message-ID to look for. A draft is searched for by its
Message-ID in the Drafts folder before every APPEND, so it is written once whatever happened before.
"""

from __future__ import annotations

import re
import smtplib
import threading
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_crew.errors import ConnectorError
from crm_crew.mail.drafts_out import DraftsOut
from crm_crew.mail.outbox import ACCEPTED, SENDING, OutboxRow
from crm_crew.mail.reply_policy import UNSUBSCRIBE
from crm_crew.mail.smtp_out import Refused, SmtpOut
from crm_crew.mail.urls import parse_mailbox_url
from crm_crew.pipeline.crashpoints import after_reply_accepted
from crm_crew.store.base import ActionRow, Store

_MSG_ID = re.compile(r"<[^<>\s@\"\\]{1,250}@[^<>\s@\"\\]{1,250}>")
NOT_UNSENT = "a sent mail cannot be unsent (a draft must be deleted by hand)"


def _unknown(message_id: str, when: str) -> str:
    return (f"reply {message_id} was being handed to the SMTP server {when}, and it is not known whether the "
            "server accepted it: it is not sent again automatically (a second copy to a customer is worse than "
            f"a held reply). Look for Message-ID {message_id} in the server's log or the Sent folder, then settle it "
            f"with `crm-crew outbox resolve {message_id} --delivered|--not-delivered --reason TEXT`")


class ReplySkipped(Exception):
    """The reply is not sent, for a reason that is no failure (a limit): the action is skipped."""


def one_line(text: str) -> str:
    """A header value from data: CR, LF and every other control character gone, whitespace folded."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _ids(text: str) -> str:
    """Only well-formed <id@domain> tokens of a threading header (it comes from the message: data)."""
    return " ".join(m.group(0) for m in _MSG_ID.finditer(text or ""))


def _address(name: str, addr: str) -> Address:
    local, _, domain = addr.partition("@")
    try:
        return Address(display_name=one_line(name)[:100], username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise ConnectorError(f"cannot write a mail to or from '{addr}': {exc}") from None


def build_message(fields: dict[str, Any], replies: Any) -> EmailMessage:
    """The reply as a mail. Its text is data: no header is taken from the message unchecked."""
    message = EmailMessage()
    sender = replies.from_address
    if not sender and fields.get("mailbox"):
        user = parse_mailbox_url(fields["mailbox"]).user
        sender = user if "@" in user else None
    if sender:
        message["From"] = _address(replies.from_name or "", sender)
    message["To"] = _address(fields.get("to_name") or "", fields["to"])
    if replies.reply_to:
        message["Reply-To"] = one_line(replies.reply_to)
    message["Subject"] = one_line(fields.get("subject") or "")[:500]
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = _ids(fields["message_id"])
    in_reply_to = _ids(fields.get("in_reply_to") or "").split()
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to[0]
        message["References"] = _ids(fields.get("references") or "") or in_reply_to[0]
    if fields.get("mode") == "send":      # a draft is sent by a person, from their own mail client
        message["Auto-Submitted"] = "auto-replied"
    message.set_content(str(fields.get("body") or ""))
    return message


class RepliesOut:
    """The mail side of one process's write path (replies.*): an SMTP session or IMAP sessions, kept."""

    def __init__(self, settings: Any, config_dir: Path | None, store: Store) -> None:
        self.replies = settings.replies
        self.store = store
        self.drafts = DraftsOut(settings.replies, settings.mail.imap, config_dir)
        self._smtp = SmtpOut(settings.replies, config_dir) if settings.replies.smtp.host else None
        self._lock = threading.Lock()

    def check(self) -> None:
        """Log in to the SMTP server now (replies.mode send): a wrong password stops before any work."""
        if self.replies.mode == "send" and self._smtp is not None:
            with self._lock:
                self._smtp.connect()

    def deliver(self, row: ActionRow, opted_out: Callable[[], bool] = lambda: False) -> str:
        """Hand the action's reply over once; return what happened (the action's note). `opted_out` says
        whether the contact opted out since the plan was made (asked only before a first hand-over; an
        unsubscribe confirmation goes out regardless)."""
        with self._lock:
            return self._deliver(row, opted_out)

    def _deliver(self, row: ActionRow, opted_out: Callable[[], bool]) -> str:
        fields = row.fields
        mode, mid = str(fields.get("mode")), str(fields["message_id"])
        earlier = self.store.outbox_row(mid)
        if earlier is not None and earlier.status == ACCEPTED:
            return f"{'accepted by the SMTP server' if mode == 'send' else 'drafted'} before (outbox): not again"
        if self.replies.mode == "off":
            raise ReplySkipped("not sent: replies.mode is off")
        if fields.get("intent") != UNSUBSCRIBE and opted_out():
            raise ReplySkipped("not sent: the contact opted out of mail after the reply was planned")
        if earlier is None:
            self._check_limits(row)
        message = build_message(fields, self.replies)
        size = len(message.as_bytes())
        if size > self.replies.max_bytes:
            raise ReplySkipped(f"not sent: the reply is {size} bytes, over replies.max_bytes ({self.replies.max_bytes})")
        out = OutboxRow(mid, row.idempotency_key, row.run_id, row.interaction_id, str(fields["to"]).lower(), mode,
                        SENDING, created_at=earlier.created_at if earlier else "")
        if mode == "draft":
            self._draft(fields, message, out)
        else:
            self._send(message, out, earlier)
        out.status = ACCEPTED
        self.store.put_outbox(out)
        after_reply_accepted()
        return "sent" if mode == "send" else f"drafted in {self.replies.drafts_folder}"

    def _check_limits(self, row: ActionRow) -> None:
        replies = self.replies
        if self.store.outbox_run_count(row.run_id) >= replies.max_per_run:
            raise ReplySkipped(f"not sent: replies.max_per_run ({replies.max_per_run}) reached in this run")
        since = (datetime.now(timezone.utc) - timedelta(hours=replies.recipient_window_h)).isoformat(timespec="seconds")
        if self.store.outbox_count(str(row.fields["to"]).lower(), since) >= replies.max_per_recipient:
            raise ReplySkipped(f"not sent: replies.max_per_recipient ({replies.max_per_recipient} in "
                               f"{replies.recipient_window_h:g} h) reached for this address")

    def _draft(self, fields: dict[str, Any], message: EmailMessage, out: OutboxRow) -> None:
        mailbox = str(fields.get("mailbox") or "")
        if not mailbox:
            raise ConnectorError("a draft goes to the mailbox the message was read from: this one has none")
        self.store.put_outbox(out)
        if not self.drafts.exists(mailbox, out.message_id):
            self.drafts.append(mailbox, message)

    def _send(self, message: EmailMessage, out: OutboxRow, earlier: OutboxRow | None) -> None:
        if earlier is not None:    # `sending`: the server may have it; never sent twice without a person
            raise ConnectorError(_unknown(out.message_id, "when a process stopped"))
        if self._smtp is None:
            raise ConnectorError("replies.mode send needs replies.smtp.host")
        try:
            self._smtp.send(message, out.recipient, lambda: self.store.put_outbox(out))
        except Refused:
            self.store.drop_outbox(out.message_id)     # the server said no: nothing was sent
            raise
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectorError(_unknown(out.message_id, f"when the connection failed ({type(exc).__name__})")) \
                from None

    def close(self) -> None:
        with self._lock:
            self.drafts.close()
            if self._smtp is not None:
                self._smtp.close()


def reply_activity(row: ActionRow, contact_id: str) -> dict[str, Any]:
    """The email activity a reply out leaves on the contact in the CRM (through the connector)."""
    fields = row.fields
    what = "Reply sent" if fields.get("mode") == "send" else "Reply drafted"
    return {"contact_id": contact_id, "subject": f"{what}: {one_line(str(fields.get('subject') or ''))}"[:250],
            "kind": "email", "occurred_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "description": str(fields.get("body") or "")[:1000], "intent": str(fields.get("intent") or ""),
            "sentiment": "", "interaction_id": str(fields.get("interaction_id") or "")}


def audited(row: ActionRow, activity_id: str | None) -> dict[str, Any]:
    """What the audit entry of a reply records: where it went and as what, not its text."""
    keys = ("mode", "to", "subject", "message_id", "in_reply_to")
    return {**{k: row.fields.get(k) for k in keys}, "activity_id": activity_id}

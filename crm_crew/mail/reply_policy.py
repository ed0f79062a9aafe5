"""Whether a drafted reply may go out at all, decided when the plan is made (replies.mode).

Never to a bounce (MAILER-DAEMON, postmaster, a delivery report, an empty Return-Path), an automatic reply
(Auto-Submitted other than `no`, X-Autoreply, Precedence bulk/junk/list, an out-of-office subject), a
no-reply address (`matching.non_human_senders`), a mailing list (List-Id, List-Unsubscribe) or an
opted-out contact. The one exception: the confirmation of an unsubscribe request, once per address (its
idempotency key is the address, so a second request gets none). Each refusal is the record's
`reply_out.reason`; what passes becomes a `send_reply` action through the write path (permissions,
review holds, audit).
"""

from __future__ import annotations

import re
from typing import Any

from crm_crew.mail.urls import is_mailbox_url
from crm_crew.models import Interaction
from crm_crew.pipeline.plan import idempotency_key
from crm_crew.security.addresses import identity_address
from crm_crew.triage.automated import AUTO_REPLY, automated_mail

_NO_REPLY_LOCAL = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply)([-_.+].*)?$")
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_BOUNCE_LOCALS = {"mailer-daemon", "postmaster", "mail-daemon"}
UNSUBSCRIBE = "unsubscribe"
COMMUNICATION = "communication"    # the agent whose permission send_reply needs


def reply_out(mode: str, status: str, reason: str | None = None, message_id: str | None = None) -> dict[str, Any]:
    """The result record's `reply_out` field."""
    return {"mode": mode, "status": status, "reason": reason, "message_id": message_id}


def _headers(interaction: Interaction) -> dict[str, str]:
    return {k.lower(): str(v).strip() for k, v in (interaction.metadata.get("headers") or {}).items()}


def _own_list(headers: dict[str, str], own_list_ids: list[str]) -> bool:
    """The message came through the user's own group inbox (replies.own_list_ids), which stamps List-* headers
    on every customer's mail: e.g. `List-Id: Support <support.example.com>` for `support.example.com`."""
    list_id = headers.get("list-id", "").lower()
    found = list_id[list_id.rfind("<") + 1:].rstrip(">").strip() if "<" in list_id else list_id.strip()
    return bool(found) and found in {i.strip().strip("<>").lower() for i in own_list_ids}


def never_reply_reason(interaction: Interaction, non_human_senders: list[str],
                       own_list_ids: list[str] | None = None) -> str | None:
    """Why no mail may go to this sender, or None."""
    headers = _headers(interaction)
    if _own_list(headers, own_list_ids or []):
        headers = {k: v for k, v in headers.items() if not k.startswith("list-") and k != "precedence"}
    local = interaction.sender_email.partition("@")[0].lower()
    if local in _BOUNCE_LOCALS:
        return f"a bounce: the sender is {local}"
    if "multipart/report" in headers.get("content-type", "").lower():
        return "a bounce: a delivery report (multipart/report)"
    if headers.get("return-path", "x").strip() in ("<>", ""):
        return "a bounce: an empty Return-Path (<>)"
    automated = automated_mail(interaction)
    if automated is not None:
        what = "an automatic reply" if automated.kind == AUTO_REPLY else "a bounce"
        return f"{what} ({automated.evidence})"
    if headers.get("precedence", "").lower() in _BULK_PRECEDENCE:
        return f"bulk mail (Precedence: {headers['precedence'].lower()})"
    if "list-id" in headers or "list-unsubscribe" in headers:
        return "a mailing list (List-Id / List-Unsubscribe)"
    if local in non_human_senders or _NO_REPLY_LOCAL.match(local):
        return f"a no-reply sender ({local})"
    return None


def refusal(session: Any) -> str | None:
    """Why this interaction's reply must not be planned (beyond the write path's own checks), or None."""
    settings = session.settings
    it: Interaction = session.interaction
    mode = settings.replies.mode
    if it.channel != "email":
        return f"a {it.channel} interaction: replies go out by email only"
    why = never_reply_reason(it, settings.matching.non_human_senders, settings.replies.own_list_ids)
    if why is not None:
        return why
    if session.reply is None:
        return session.reply_declined or "no reply was drafted"
    contact = session.match.contact if session.match else None
    intent = session.assessment.intent if session.assessment else ""
    if contact is not None and contact.opted_out and intent != UNSUBSCRIBE:
        return "the contact opted out of mail (only an unsubscribe confirmation is sent, once)"
    if mode == "draft" and not is_mailbox_url(it.source):
        return ("replies.mode draft writes to the Drafts folder of the mailbox a message was read from; "
                "this one came from a file")
    return None


def reply_key(session: Any) -> tuple[str, ...]:
    """The idempotency key's parts: the interaction, or for an unsubscribe confirmation the address alone."""
    it: Interaction = session.interaction
    intent = session.assessment.intent if session.assessment else ""
    if intent == UNSUBSCRIBE:
        return (UNSUBSCRIBE, identity_address(it.sender_email, session.settings.matching.strip_plus_tags))
    return (it.id,)


def reply_message_id(key: str, from_address: str | None) -> str:
    """The reply's Message-ID, derived from the action's idempotency key: the same action, the same id."""
    domain = (from_address or "").rpartition("@")[2].strip().lower()
    if not re.fullmatch(r"[a-z0-9.-]+", domain or "-"):
        domain = "crm-crew.invalid"
    return f"<crm-crew.{key.removeprefix('ik_')}@{domain or 'crm-crew.invalid'}>"


def reply_fields(session: Any) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The send_reply action's fields (what the mail will be) and its key parts."""
    settings = session.settings
    it: Interaction = session.interaction
    parts = reply_key(session)
    key = idempotency_key("send_reply", *parts)
    meta = it.metadata
    original = str(meta.get("message_id") or "")
    references = " ".join(t for t in str(meta.get("references") or "").split() if t.startswith("<"))
    if original:
        references = f"{references} <{original}>".strip()
    reply = session.reply or {}
    contact = session.match.contact if session.match else None
    fields = {
        "contact_id": contact.id if contact is not None else None,
        "mode": settings.replies.mode,
        "to": identity_address(it.sender_email, False),
        "to_name": session.display_name,
        "subject": str(reply.get("subject") or ""),
        "body": str(reply.get("body") or ""),
        "message_id": reply_message_id(key, settings.replies.from_address),
        "in_reply_to": f"<{original}>" if original else "",
        "references": references,
        "mailbox": it.source if is_mailbox_url(it.source) else "",
        "interaction_id": it.id,
        "intent": session.assessment.intent if session.assessment else "",
    }
    return fields, parts


def plan_reply(session: Any) -> dict[str, Any]:
    """Plan the interaction's send_reply action when replies.mode and the rules above allow it (as the
    communication agent: permissions.communication must list send_reply); return its `reply_out`."""
    from crm_crew.errors import PermissionDenied
    from crm_crew.pipeline.proposals import ProposalRefused, propose

    replies = session.settings.replies
    if replies.mode == "off":
        return reply_out("off", "off", "replies.mode is off")
    why = refusal(session)
    if why is not None:
        return reply_out(replies.mode, "skipped", why)
    try:
        action = propose(session, COMMUNICATION, "send_reply", {})
    except (ProposalRefused, PermissionDenied) as exc:
        return reply_out(replies.mode, "skipped", str(exc))
    size = len(action.fields["subject"].encode()) + len(action.fields["body"].encode())
    if size > replies.max_bytes and not action.hold:
        action.hold = f"the reply is {size} bytes, over replies.max_bytes ({replies.max_bytes})"
    return reply_out(replies.mode, "planned", None, action.fields["message_id"])


def composed_reply_out(stored: dict[str, Any] | None, row: Any) -> dict[str, Any] | None:
    """`reply_out` as the send_reply action stands now (applied, held, skipped ...)."""
    if row is None:
        return stored
    mode = row.fields.get("mode", "")
    status = {"applied": "sent" if mode == "send" else "drafted", "rolled_back": "sent" if mode == "send"
              else "drafted", "applying": "sending"}.get(row.status, row.status)
    return reply_out(mode, status, row.note, row.fields.get("message_id"))

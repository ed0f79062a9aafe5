"""Is a sender a person? Automated mail never becomes a CRM contact."""

from __future__ import annotations

from crm_crew.models import Interaction

_BULK_PRECEDENCE = {"bulk", "list", "junk", "auto_reply"}


def is_automated(interaction: Interaction, non_human_senders: list[str]) -> bool:
    """A no-reply style address, or headers saying the mail was sent by a machine (RFC 3834)."""
    local = interaction.sender_email.partition("@")[0].lower()
    if local in non_human_senders:
        return True
    headers = {k.lower(): str(v).strip().lower() for k, v in (interaction.metadata.get("headers") or {}).items()}
    if headers.get("auto-submitted", "no") != "no":
        return True
    if headers.get("precedence") in _BULK_PRECEDENCE:
        return True
    return any(k in headers for k in ("x-autoreply", "x-autorespond"))

"""Result records as read back: the stored record plus its actions' current state."""

from __future__ import annotations

from typing import Any

from crm_crew.mail.reply_policy import composed_reply_out
from crm_crew.store.base import ActionRow


def action_record(a: ActionRow) -> dict[str, Any]:
    """The `actions[]` entry of a result record."""
    data: dict[str, Any] = {"type": a.type, "object": a.object, "record_id": a.record_id,
                            "fields": a.fields, "status": a.status}
    if a.note:
        data["note"] = a.note
    return data


def compose_record(stored: dict[str, Any], actions: list[ActionRow]) -> dict[str, Any]:
    record = dict(stored)
    record["actions"] = [action_record(a) for a in actions]
    if "reply_out" in record:
        record["reply_out"] = composed_reply_out(record["reply_out"],
                                                 next((a for a in actions if a.type == "send_reply"), None))
    contact = record.get("contact")
    if isinstance(contact, dict) and contact.get("match") == "created" and not contact.get("id"):
        created = next((a for a in actions if a.type == "create_contact" and a.record_id), None)
        if created is not None:
            record["contact"] = {**contact, "id": created.record_id}
    return record

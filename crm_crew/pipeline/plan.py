"""Planned CRM changes: what the action agent proposes and the write path carries out."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

ACTION_OBJECTS: dict[str, str] = {
    "create_contact": "contact",
    "update_contact": "contact",
    "log_activity": "activity",
    "create_case": "case",
    "create_task": "task",
    "update_lead_status": "contact",
    "opt_out": "contact",
    "send_reply": "reply",     # a mail (draft or sent), logged on the contact as an email activity once out
}
NEW_CONTACT = "new"   # contact_ref of actions on a contact the plan itself creates


def idempotency_key(action_type: str, *parts: str) -> str:
    """Stable across runs: the same interaction never causes the same change twice."""
    raw = json.dumps([action_type, *parts], separators=(",", ":"))
    return "ik_" + hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass
class PlannedAction:
    type: str
    object: str
    fields: dict[str, Any]
    idempotency_key: str
    agent: str
    record_id: str | None = None       # the contact an update targets
    contact_ref: str | None = None     # NEW_CONTACT when the contact is created by this plan
    expected: dict[str, Any] | None = None   # an update's fields (and the contact's address) as the plan saw them
    hold: str | None = None            # why the identity rule holds it for review (crm_crew.pipeline.identity)


@dataclass
class Plan:
    actions: list[PlannedAction] = field(default_factory=list)

    def has(self, action_type: str) -> bool:
        return any(a.type == action_type for a in self.actions)

    def add(self, action: PlannedAction) -> bool:
        """Add unless an action with the same idempotency key is already planned."""
        if any(a.idempotency_key == action.idempotency_key for a in self.actions):
            return False
        self.actions.append(action)
        return True

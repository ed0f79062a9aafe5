"""The state of one interaction while the crew works on it.

Tools read and write this object; the result record is built from it, never parsed out of
model text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crm_crew.connectors.base import Connector
from crm_crew.errors import ConnectorError
from crm_crew.models import Activity, Interaction
from crm_crew.pipeline.matching import MatchResult
from crm_crew.pipeline.plan import Plan
from crm_crew.pipeline.senders import is_automated
from crm_crew.pipeline.signature import SenderDetails
from crm_crew.security.pii import redact
from crm_crew.security.screen import ScreenResult


_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,62}/[a-z0-9][a-z0-9.+-]{0,62}")


def attachment_facts(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """How many files the message carried and of which types (never their names: those are data a model
    should not read), for the reply to acknowledge; None without attachments. They are never opened."""
    listed = [a for a in metadata.get("attachments") or [] if isinstance(a, dict)]
    count = metadata.get("attachments_count")
    count = count if isinstance(count, int) and count >= len(listed) else len(listed)
    if not count:
        return None
    types = {str(a.get("type") or "").lower() for a in listed}
    return {"count": count, "not_opened": True,
            "types": sorted(t for t in types if _MIME_TYPE.fullmatch(t))[:10]}


@dataclass
class Assessment:
    intent: str
    urgency: str
    sentiment_label: str
    sentiment_score: float
    confidence: float
    rationale: str = ""


@dataclass
class InteractionSession:
    interaction: Interaction
    screen: ScreenResult
    settings: Any                      # the validated Settings
    connector: Connector
    replies: Any = None                # ReplyTemplates
    sender: SenderDetails | None = None
    match: MatchResult | None = None
    history: list[Activity] = field(default_factory=list)
    assessment: Assessment | None = None
    reply: dict[str, str] | None = None
    reply_declined: str | None = None  # why no reply is sent (spam, ...)
    plan: Plan = field(default_factory=Plan)
    tool_calls: list[str] = field(default_factory=list)
    mcp_results: list[dict[str, Any]] = field(default_factory=list)   # agents' MCP tool results, screened
    crm_error: ConnectorError | None = None   # a CRM read failed: the interaction cannot be trusted
    dropped: list[str] = field(default_factory=list)  # proposed values the write path would not write, and why
    about_someone_else: bool | None = None    # the message asks to change another person (computed once)
    language: str = "en"               # detected from the screened text (crm_crew.triage.language)
    run_started_at: str | None = None  # ISO time the run started; None: now

    @property
    def display_name(self) -> str:
        """The sender's display name as models and reviewers see it: validated by the screen, PII redacted."""
        return redact(self.screen.sender_name, self.settings.security.redact)[0]

    @property
    def attachments(self) -> dict[str, Any] | None:
        return attachment_facts(self.interaction.metadata)

    @property
    def tier(self) -> str:
        return self.match.contact.tier if self.match and self.match.contact else ""

    def task_inputs(self) -> dict[str, str]:
        """Values for the `{placeholders}` of interaction tasks: screened and redacted."""
        it = self.interaction
        return {
            "interaction_id": it.id,
            "channel": it.channel,
            "sender_email": it.sender_email,
            "sender_name": self.display_name or "(no name)",
            "subject": self.screen.subject or "(no subject)",
            "body": self.screen.body,
            "received_at": it.received_at or "(unknown time)",
            "intents": ", ".join(self.settings.intents.keys()),
            "urgency_levels": ", ".join(self.settings.urgency.levels),
        }

    def case_file(self) -> dict[str, Any]:
        """Everything known so far, as a model may see it (redacted text, no raw PII)."""
        it = self.interaction
        contact = self.match.contact if self.match else None
        return {
            "interaction": {
                "id": it.id,
                "channel": it.channel,
                "sender_email": it.sender_email,
                "sender_name": self.display_name,
                "subject": self.screen.subject,
                "body": self.screen.body,
                "received_at": it.received_at,
                "language": self.language,
                "automated_sender": is_automated(it, self.settings.matching.non_human_senders),
                **({"attachments": self.attachments} if self.attachments else {}),
            },
            "security": self.security_record(),
            "sender_details": self.sender_view(),
            "contact": None if contact is None else {
                "id": contact.id,
                "name": contact.full_name,
                "company": contact.company,
                "tier": contact.tier,
                "lead_status": contact.lead_status,
                "opted_out": contact.opted_out,
                "match": self.match.how if self.match else "none",
            },
            "assessment": None if self.assessment is None else vars(self.assessment).copy(),
            "reply": self.reply,
            "planned_actions": [a.type for a in self.plan.actions],
            **({"mcp_results": self.mcp_results} if self.mcp_results else {}),
        }

    def dropped_fields(self) -> list[str]:
        """Message text kept out of models and the CRM, and why (field and reason, never the value)."""
        sender = self.sender.dropped if self.sender else []
        return list(dict.fromkeys([*self.screen.dropped_fields, *sender, *self.dropped]))

    def security_record(self) -> dict[str, Any]:
        """The `security` field of the result record."""
        tools = [f for f in self.screen.injected_fields if f.startswith("mcp:")]   # MCP results withheld
        return {**self.screen.record(), "dropped_fields": self.dropped_fields(),
                **({"injected_tool_results": tools} if tools else {})}

    def sender_view(self) -> dict[str, Any] | None:
        if self.sender is None:
            return None
        view = self.sender.to_dict()
        view["phone"] = "[on file]" if self.sender.phone else ""
        return view

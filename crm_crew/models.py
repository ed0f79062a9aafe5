"""The unified data model shared by readers, connectors, tools and the pipeline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Channel = Literal["email", "web_form", "chat", "call", "ticket", "other"]
EXTRA_FIELDS = "extra_fields"   # Interaction.metadata key: the input's unknown fields, {name: text}


@dataclass(frozen=True)
class Interaction:
    """One customer interaction, as read from an input file."""

    id: str                      # Message-ID, the record's own id, or a content hash
    channel: str                 # email | web_form | chat | call | ticket | other
    sender_email: str            # as given (normalization happens at matching time)
    sender_name: str
    subject: str
    body: str                    # plain text: HTML converted, quoted replies removed
    received_at: str             # ISO 8601, UTC when known
    signature: str = ""          # the signature block split off the body, if any
    source: str = ""             # file path the record came from
    position: str = ""           # "line 12", "index 3", "message 5", a Maildir key ...
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Reject:
    """A record or file that could not become an Interaction, and why."""

    source: str
    position: str                # "line 3", "index 0", "message 2", "file"
    reason: str
    interaction_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Contact:
    id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    tier: str = ""               # e.g. free | standard | premium | enterprise
    lead_status: str = ""
    opted_out: bool = False
    updated_at: str = ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Activity:
    id: str
    contact_id: str
    subject: str
    kind: str
    occurred_at: str
    description: str = ""
    intent: str = ""
    sentiment: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

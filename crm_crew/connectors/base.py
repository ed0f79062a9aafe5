"""The Connector protocol every CRM backend implements, in the unified model."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from crm_crew.models import Activity, Contact

ObjectType = Literal["contact", "activity", "case", "task"]
OBJECT_TYPES: tuple[str, ...] = ("contact", "activity", "case", "task")


class Connector(Protocol):
    """A CRM seen through the unified model.

    Field names (unified model):
      contact:  email, first_name, last_name, company, phone, tier, lead_status, opted_out
      activity: contact_id, subject, kind, occurred_at, description, intent, sentiment, interaction_id
      case:     contact_id, subject, description, priority, status, origin, reason
      task:     contact_id, subject, kind, due_date, status, description
    """

    name: str

    def find_contact_by_email(self, email: str) -> Contact | None:
        """Exact match on the normalized (lower-cased, trimmed) email."""

    def search_contacts(self, name: str, company: str, limit: int = 25) -> list[Contact]:
        """Candidates for a fuzzy name + company match; the caller scores them."""

    def get_contact(self, contact_id: str) -> Contact | None: ...

    def recent_activities(self, contact_id: str, limit: int = 5) -> list[Activity]:
        """Newest first."""

    def create(self, obj: ObjectType, fields: dict[str, Any], idempotency_key: str) -> str:
        """Create a record and return its id. A key seen before returns the existing id."""

    def update(self, obj: ObjectType, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Update fields of a record; return the values those fields had before."""

    def close(self) -> None: ...

"""`crm.options` of the HubSpot connector (pydantic only: cheap to import for `crm-crew validate`).

    crm:
      type: hubspot
      options:
        access_token_env: HUBSPOT_ACCESS_TOKEN     # a private app's access token
        idempotency_property: crm_crew_key          # unique-value text property on notes, tasks, tickets
        field_map:
          contact: {tier: customer_tier, phone: mobilephone}   # null: not written, read as ""
        value_map:
          lead_status: {Nurturing: ATTEMPTED_TO_CONTACT}       # <field> or <object>.<field>
          case.priority: {Critical: URGENT}
"""

from __future__ import annotations

from pydantic import Field, field_validator

from crm_crew.connectors.base import UNIFIED_FIELDS
from crm_crew.connectors.options import ConnectorOptions, FieldMap


class HubSpotOptions(ConnectorOptions):
    base_url: str = "https://api.hubapi.com"
    access_token_env: str = "HUBSPOT_ACCESS_TOKEN"
    # Creates of notes, tasks and tickets upsert by this property (which must exist with unique values),
    # so a create retried after a lost response finds the record it made. None: plain, non-idempotent creates.
    idempotency_property: str | None = "crm_crew_key"
    ticket_pipeline: str = "0"
    ticket_stage: str = "1"
    field_map: FieldMap = Field(default_factory=dict)
    value_map: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
        return value.rstrip("/")

    @field_validator("value_map")
    @classmethod
    def _known_fields(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        every = {f for fields in UNIFIED_FIELDS.values() for f in fields}
        for key in value:
            obj, _, name = key.rpartition(".")
            if (obj and name not in UNIFIED_FIELDS.get(obj, ())) or (not obj and name not in every):
                raise ValueError(f"{key}: not a unified field (use <field> or <object>.<field>)")
        return value

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

from pydantic import Field

from crm_crew.connectors.options import ConnectorOptions, FieldMap, HttpUrl, ValueMap


class HubSpotOptions(ConnectorOptions):
    base_url: HttpUrl = "https://api.hubapi.com"
    access_token_env: str = "HUBSPOT_ACCESS_TOKEN"
    # Creates of notes, tasks and tickets upsert by this property (which must exist with unique values),
    # so a create retried after a lost response finds the record it made. None: plain, non-idempotent creates.
    idempotency_property: str | None = "crm_crew_key"
    ticket_pipeline: str = "0"
    ticket_stage: str = "1"
    field_map: FieldMap = Field(default_factory=dict)
    value_map: ValueMap = Field(default_factory=dict)

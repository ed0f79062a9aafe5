"""`crm.options` for `crm.type: salesforce` (pydantic only: cheap to import for `validate`)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from crm_crew.connectors.options import ConnectorOptions, FieldMap


class SalesforceOptions(ConnectorOptions):
    """Connect to one org with an OAuth access token (session id) from the environment.

    field_map:  {object: {unified field: Salesforce field or null}}; a contact field may name
                different fields per object as "Contact=Account.Name,Lead=Company".
    value_map:  {field or object.field: {unified value: Salesforce value}}, e.g.
                {"case.priority": {"Critical": "High"}, "lead_status": {"New": "Open - Not Contacted"}}.
    """

    instance_url: str = Field(description='e.g. "https://yourorg.my.salesforce.com"')
    access_token_env: str = "SALESFORCE_ACCESS_TOKEN"
    api_version: str = "59.0"
    ca_bundle: str | None = None
    new_contact_object: Literal["Lead", "Contact"] = "Lead"
    idempotency_field: str | None = "CrmCrew_Key__c"
    field_map: FieldMap = Field(default_factory=dict)
    value_map: dict[str, dict[str, str]] = Field(default_factory=dict)

    @field_validator("instance_url")
    @classmethod
    def _https(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https://[^/\s]+$", value):
            raise ValueError('expected the org\'s https base URL, e.g. "https://yourorg.my.salesforce.com" '
                             "(Salesforce only speaks https; no path)")
        return value

    @field_validator("api_version")
    @classmethod
    def _version(cls, value: str) -> str:
        value = value.strip().lstrip("vV")
        if not re.match(r"^\d{2,3}\.0$", value):
            raise ValueError('expected an API version such as "59.0"')
        return value

    @field_validator("idempotency_field")
    @classmethod
    def _field_name(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[A-Za-z][A-Za-z0-9_]*$", value):
            raise ValueError("expected a Salesforce field API name such as CrmCrew_Key__c")
        return value or None

"""The HubSpot connector: the Connector protocol over hubspot-api-client (CRM v3 objects, v4 associations)."""

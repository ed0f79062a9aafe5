"""The HubSpot CRM emulator (`HubSpotEmulator`): a real HTTP server on loopback speaking HubSpot's API."""

from __future__ import annotations

from crm_crew.testing.hubspot.emulator import HubSpotEmulator

__all__ = ["HubSpotEmulator"]

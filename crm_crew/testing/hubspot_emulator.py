"""Import path the emulator registry names; the code lives in the `crm_crew.testing.hubspot` package."""

from __future__ import annotations

from crm_crew.testing.hubspot import HubSpotEmulator

__all__ = ["HubSpotEmulator"]

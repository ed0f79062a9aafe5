"""Public test doubles: CRM emulators (real HTTP servers on loopback) users can point crm-crew at."""

from __future__ import annotations

import importlib
from typing import Any

EMULATORS: dict[str, str] = {
    "salesforce": "crm_crew.testing.salesforce:SalesforceEmulator",
    "hubspot": "crm_crew.testing.hubspot:HubSpotEmulator",
    "rest": "crm_crew.testing.rest_emulator:RestEmulator",
}


def emulator_class(name: str) -> Any:
    module_name, _, attr = EMULATORS[name].partition(":")
    return getattr(importlib.import_module(module_name), attr)

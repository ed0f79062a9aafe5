"""Connector registry: `crm.type` values come from these keys.

Values are import paths so that validating a config never imports a CRM client library.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

from crm_crew.connectors.base import Connector

CONNECTORS: dict[str, str] = {
    "local": "crm_crew.connectors.local:open_local_crm",
}

ConnectorFactory = Callable[[dict[str, Any], Path], Connector]


def open_connector(crm_type: str, options: dict[str, Any], home: Path) -> Connector:
    """Open the connector named by `crm.type` with its options; `home` is the state folder."""
    module_name, _, attr = CONNECTORS[crm_type].partition(":")
    factory: ConnectorFactory = getattr(importlib.import_module(module_name), attr)
    return factory(options, home)

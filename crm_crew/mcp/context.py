"""What every MCP tool shares: the loaded config, the state folder, and short-lived store and CRM handles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_crew.security.pii import redact

if TYPE_CHECKING:
    from crm_crew.config.loader import CrewConfig
    from crm_crew.connectors.base import Connector
    from crm_crew.store.base import Store


@dataclass
class ServerContext:
    config: "CrewConfig"
    home: Path

    @property
    def settings(self) -> Any:
        return self.config.settings

    @contextmanager
    def store(self) -> Iterator["Store"]:
        from crm_crew.cli.common import open_store_for

        store = open_store_for(self.config)
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def crm(self) -> Iterator["Connector"]:
        from crm_crew.connectors.registry import open_crm

        connector = open_crm(self.settings.crm, self.home)
        try:
            yield connector
        finally:
            connector.close()

    def redacted(self, text: str) -> str:
        """Free text from the CRM, redacted as the journal redacts a message (security.redact)."""
        return redact(text or "", self.settings.security.redact)[0]

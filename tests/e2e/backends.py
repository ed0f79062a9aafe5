"""The same CLI scenarios against every connector: local, and each emulator over real HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from crm_crew.connectors.base import Connector
from crm_crew.testing import emulator_class
from crm_crew.testing.configs import write_config
from crm_crew.testing.emulator import Emulator
from tests.e2e.clihelp import SAMPLES, Result, cli

BACKENDS: tuple[str, ...] = ("local", "salesforce", "hubspot", "rest")
REMOTE: tuple[str, ...] = BACKENDS[1:]
FAST_RETRY: dict[str, Any] = {"retry": {"max_attempts": 8, "base_delay_s": 0.005, "max_delay_s": 0.05}}


@dataclass
class Backend:
    name: str
    home: Path
    env: dict[str, str] = field(default_factory=dict)
    emulator: Emulator | None = None

    def cli(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return cli(*args, home=self.home, env={**self.env, **(env or {})})

    def export(self) -> dict[str, Any]:
        result = self.cli("crm", "export", "--json")
        assert result.code == 0, result.err
        return result.json()  # type: ignore[no-any-return]


class Emulators:
    """One running emulator per kind for the whole test session (per xdist worker)."""

    def __init__(self) -> None:
        self.running: dict[str, Emulator] = {}

    def get(self, name: str) -> Emulator:
        if name not in self.running:
            self.running[name] = emulator_class(name)().start()
        emulator = self.running[name]
        emulator.reset()
        return emulator

    def stop(self) -> None:
        for emulator in self.running.values():
            emulator.stop()


def make_backend(name: str, emulators: Emulators, tmp_path: Path, import_samples: bool = True) -> Backend:
    home = tmp_path / f"state-{name}"
    if name == "local":
        backend = Backend(name, home)
    else:
        emulator = emulators.get(name)
        connection = emulator.connection()
        config = write_config(tmp_path / f"config-{name}", {**connection["crm"], **FAST_RETRY})
        backend = Backend(name, home, {**connection["env"], "CRM_CREW_CONFIG": str(config)}, emulator)
    if import_samples:
        imported = backend.cli("crm", "import", str(SAMPLES / "contacts.csv"))
        assert imported.code == 0, imported.err
    return backend


def comparable(export: dict[str, Any]) -> dict[str, Any]:
    """A CRM export with ids replaced by contact emails, sorted: equal across connectors."""
    emails = {c["id"]: c["email"] for c in export["contacts"]}
    contact_keys = ("email", "first_name", "last_name", "company", "phone", "tier", "lead_status", "opted_out")
    out: dict[str, Any] = {"contacts": sorted(({k: c.get(k) for k in contact_keys} for c in export["contacts"]),
                                              key=lambda c: c["email"])}
    shapes = {"activities": ("subject", "kind", "intent", "sentiment", "interaction_id"),
              "cases": ("subject", "priority", "status", "origin", "reason"),
              "tasks": ("subject", "kind", "due_date", "status")}
    for name, keys in shapes.items():
        rows = [{"contact": emails.get(r["contact_id"], r["contact_id"]), **{k: r.get(k) for k in keys}}
                for r in export[name]]
        out[name] = sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items()))
    return out


@pytest.fixture(scope="session")
def emulators() -> Any:
    running = Emulators()
    yield running
    running.stop()


@contextmanager
def open_backend_crm(backend: Backend) -> Iterator[Connector]:
    """The backend's CRM through a connector of its own, as another user of the CRM would see it."""
    from crm_crew.config.loader import load_config, resolve_config_dir
    from crm_crew.connectors.registry import open_crm

    saved = dict(os.environ)
    os.environ.update(backend.env)
    try:
        config = load_config(resolve_config_dir(backend.env.get("CRM_CREW_CONFIG")))
        connector = open_crm(config.settings.crm, backend.home)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        yield connector
    finally:
        connector.close()

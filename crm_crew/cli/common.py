"""What every command shares: options, config and state folder resolution, consoles."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from crm_crew.cli.terminal import DataConsole

if TYPE_CHECKING:
    from crm_crew.config.loader import CrewConfig
    from crm_crew.store.base import Store

DATABASE_URL_ENV = "DATABASE_URL"
HOME_ENV = "CRM_CREW_HOME"

ConfigOption = Annotated[
    Optional[str],
    typer.Option("--config", "-c", metavar="DIR", help="Config folder (agents.yaml, tasks.yaml, crm-crew.yaml). "
                 "Default: $CRM_CREW_CONFIG, else the shipped config (never ./config implicitly; "
                 "`crm-crew validate` prints which folder is used).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]
ActorOption = Annotated[
    Optional[str],
    typer.Option("--as", metavar="NAME", help="Who is doing this, for the audit trail (default: the OS user).", show_default=False),
]


def actor_name(given: str | None) -> str:
    from crm_crew.store.owners import os_user

    return given.strip() if given and given.strip() else os_user()

# Off a terminal (pipes, cron logs) Rich would assume 80 columns and squeeze tables.
_PIPE_WIDTH = 160
out = DataConsole(width=None if sys.stdout.isatty() else _PIPE_WIDTH)
err = DataConsole(stderr=True, width=None if sys.stderr.isatty() else _PIPE_WIDTH)


def load(config_option: str | None) -> "CrewConfig":
    from crm_crew.config.loader import load_config, resolve_config_dir

    return load_config(resolve_config_dir(config_option))


def state_home(config: "CrewConfig | None") -> Path:
    """$CRM_CREW_HOME, else `state.home` of the config, else ./.crm-crew."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env)
    return Path(config.settings.state.home) if config is not None else Path(".crm-crew")


def state_home_source(config: "CrewConfig | None") -> str:
    """Where state_home() took the folder from, in words for the run summary."""
    if os.environ.get(HOME_ENV):
        return f"${HOME_ENV}"
    if config is not None and Path(config.settings.state.home).is_absolute():
        return "state.home of the config"
    return f"state.home of the config, relative to the working folder: set ${HOME_ENV} under cron"


def store_url(config: "CrewConfig | None") -> str | None:
    """$DATABASE_URL, else `store.url` of the config; None: the SQLite journal in the state folder."""
    return os.environ.get(DATABASE_URL_ENV) or (config.settings.store.url if config is not None else None)


def open_store_for(config: "CrewConfig | None") -> "Store":
    from crm_crew.store.registry import open_store

    return open_store(state_home(config), store_url(config))

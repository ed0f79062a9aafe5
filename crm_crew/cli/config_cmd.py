"""`crm-crew validate` and `crm-crew init DIR`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any

import typer

from crm_crew.cli.common import ConfigOption, out


def validate(config: ConfigOption = None) -> int:
    """Check the config strictly; print every problem as file:line:col, exit 1 if any."""
    from crm_crew.config.loader import config_origin, load_config, resolve_config_dir
    from crm_crew.config.replies import replies_problems
    from crm_crew.errors import ConfigError

    directory = resolve_config_dir(config)
    try:
        cfg = load_config(directory, check_examples=True)
    except ConfigError as exc:
        raise ConfigError([*exc.problems, *replies_problems(directory)]) from None
    if problems := replies_problems(directory):
        raise ConfigError(problems)
    out.print(f"config OK: {directory.absolute()} ({config_origin(config)})", markup=False)
    out.print(f"{len(cfg.agents)} agents, {len(cfg.tasks)} tasks, crm: {cfg.settings.crm.type}, "
              f"models: {', '.join(sorted({a.llm for a in cfg.agents.values()}))}", markup=False)
    return 0


def init(directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to create with an editable copy of the shipped config.",
                                                   show_default=False)],
         force: Annotated[bool, typer.Option("--force", help="Overwrite files in an existing folder.")] = False) -> int:
    """Scaffold an editable copy of the shipped config; use it with --config DIR or CRM_CREW_CONFIG."""
    from crm_crew.config.loader import default_config_dir
    from crm_crew.errors import UserError

    if directory.exists() and any(directory.iterdir()) and not force:
        raise UserError(f"{directory} exists and is not empty: pick another folder or pass --force")
    shutil.copytree(default_config_dir(), directory, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    out.print(f"wrote {directory}: edit agents.yaml, tasks.yaml, crm-crew.yaml, replies.yaml; then run "
              f"`crm-crew validate --config {directory}`")
    return 0


def register(app: Any) -> None:
    app.command()(validate)
    app.command()(init)

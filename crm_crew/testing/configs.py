"""A config folder pointing crm-crew at a CRM (for sandboxes and tests)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from crm_crew.config.shipped import SETTINGS_FILE, default_config_dir

CONFIG_FILES: tuple[str, ...] = ("agents.yaml", "tasks.yaml", "replies.yaml", SETTINGS_FILE)
# agents.yaml and tasks.yaml as shipped before the coordinator chose its coworkers: one task pinned to each
# agent, one tool per CRM change. A user's older files in the tests, and the stock crew of the bench's baseline.
CREW_V1 = Path(__file__).resolve().parent / "crew_v1"


def with_crew_v1(folder: Path) -> Path:
    """`folder` (a config folder) with CREW_V1's agents.yaml and tasks.yaml."""
    for name in ("agents.yaml", "tasks.yaml"):
        shutil.copyfile(CREW_V1 / name, folder / name)
    return folder


def write_config(folder: Path, crm: dict[str, Any]) -> Path:
    """Copy the shipped config into `folder`, with `crm` merged over its crm section."""
    source = default_config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        shutil.copyfile(source / name, folder / name)
    settings_path = folder / SETTINGS_FILE
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    settings["crm"] = {**settings["crm"], **crm}
    settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return folder

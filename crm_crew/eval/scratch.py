"""Run the configured crew in shadow mode on a scratch state folder and a scratch local CRM.

Nothing touches the user's CRM, journal, review queue or response cache: the run, its store and its CRM
live in a temporary folder that is deleted afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.config.models import CrmSettings, StoreSettings
from crm_crew.errors import UserError

SCRATCH_NOTE = ("shadow run on a scratch state folder and a scratch local CRM: "
                "nothing was written to your CRM, journal or review queue")


@dataclass
class ScratchRun:
    records: list[dict[str, Any]]
    summary: dict[str, Any]


def configured_crm_file(config: CrewConfig, home: Path) -> Path:
    crm = config.settings.crm
    if crm.type != "local":
        raise UserError(f"--with-crm copies the local CRM; this config's CRM is '{crm.type}'. "
                        "Evaluate against an empty scratch CRM (without --with-crm), or export contacts with "
                        "`crm-crew crm export` and import them into a local config.")
    path = Path(str(crm.options.get("path", "{home}/crm.sqlite")).replace("{home}", str(home)))
    if not path.is_file():
        raise UserError(f"--with-crm: the local CRM {path} does not exist yet")
    return path


def scratch_run(config: CrewConfig, inputs: list[Path], model: str | None, crm_copy: Path | None,
                on_record: Callable[[dict[str, Any]], None] | None = None, keep_crm: bool = False) -> ScratchRun:
    """`keep_crm`: plan against the configured CRM itself (a shadow run only reads it), not a scratch one."""
    from crm_crew.crew.environment import prepare_crewai_environment
    from crm_crew.pipeline.run import execute_run
    from crm_crew.pipeline.run_setup import RunOptions, prepare_run
    from crm_crew.store.sqlite import SQLiteStore

    scratch = Path(tempfile.mkdtemp(prefix="crm-crew-eval-"))
    try:
        crm_path = scratch / "crm.sqlite"
        if crm_copy is not None:
            shutil.copyfile(crm_copy, crm_path)
        crm = config.settings.crm if keep_crm else CrmSettings(type="local", options={"path": str(crm_path)})
        settings = config.settings.model_copy(update={"crm": crm, "store": StoreSettings(url=None)})
        scratch_config = replace(config, settings=settings)
        prepare_crewai_environment(scratch)
        store = SQLiteStore(scratch / "journal.sqlite")
        records: list[dict[str, Any]] = []

        def keep(record: dict[str, Any]) -> None:
            records.append(record)
            if on_record is not None:
                on_record(record)

        options = RunOptions(list(inputs), model_override=model)
        prepared = prepare_run(scratch_config, scratch, store, options)
        outcome = execute_run(scratch_config, scratch, store, options, prepared, on_record=keep)
        return ScratchRun(records, outcome.summary)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

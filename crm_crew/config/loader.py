"""Load and validate a config directory: agents.yaml, tasks.yaml, crm-crew.yaml.

Every problem in all three files is collected and raised together as one ConfigError,
each as `file:line:col: message`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from crm_crew.config.checks import (
    AGENT_PLACEHOLDERS,
    INTERACTION_PLACEHOLDERS,
    RUN_PLACEHOLDERS,
    check_agents,
    check_settings,
    check_tasks,
)
from crm_crew.config.credentials import check_credentials
from crm_crew.config.models import MANAGER_ROLE, AgentConfig, CrmSettings, Settings, TaskConfig
from crm_crew.config.positions import START, ParsedYaml, Problem, SourceMap, YamlPath, read_yaml_file
from crm_crew.config.triage_checks import check_examples, check_triage_config
from crm_crew.config.report import FileKind, Reporter, describe
from crm_crew.config.shipped import default_config_dir
from crm_crew.errors import ConfigError

__all__ = [
    "AGENT_PLACEHOLDERS",
    "INTERACTION_PLACEHOLDERS",
    "RUN_PLACEHOLDERS",
    "CrewConfig",
    "Problem",
    "default_config_dir",
    "load_config",
    "resolve_config_dir",
]

AGENTS_FILE = "agents.yaml"
TASKS_FILE = "tasks.yaml"
SETTINGS_FILE = "crm-crew.yaml"
CONFIG_ENV = "CRM_CREW_CONFIG"


@dataclass
class CrewConfig:
    directory: Path
    agents: dict[str, AgentConfig]
    tasks: dict[str, TaskConfig]
    settings: Settings

    def interaction_tasks(self) -> list[tuple[str, TaskConfig]]:
        """Tasks run once per interaction, in file order."""
        return [(name, task) for name, task in self.tasks.items() if task.scope == "interaction"]

    def run_tasks(self) -> list[tuple[str, TaskConfig]]:
        """Tasks run once at the end of a run, in file order."""
        return [(name, task) for name, task in self.tasks.items() if task.scope == "run"]


def resolve_config_dir(option: str | None) -> Path:
    """--config, else $CRM_CREW_CONFIG, else the shipped defaults."""
    if option:
        return Path(option)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else default_config_dir()


def config_origin(option: str | None) -> str:
    """Why `resolve_config_dir(option)` chose its folder, for the user."""
    if option:
        return "--config"
    if os.environ.get(CONFIG_ENV):
        return CONFIG_ENV
    return "the shipped config; `crm-crew init DIR` makes a copy to edit"


def load_config(directory: Path, *, check_examples: bool = False) -> CrewConfig:
    """Load and validate the three files in `directory`; raises ConfigError with every problem.

    check_examples: also triage every intent example (`crm-crew validate`; about a second, so runs skip it).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigError([Problem(str(directory), 1, 1, "config directory not found")])
    kinds: tuple[tuple[str, FileKind], ...] = ((AGENTS_FILE, "agent"), (TASKS_FILE, "task"), (SETTINGS_FILE, "settings"))
    files = [_open(directory / name, kind) for name, kind in kinds]
    (agents_rep, agents_raw), (tasks_rep, tasks_raw), (settings_rep, settings_raw) = files

    agents = _validate_entries(agents_raw, agents_rep, AgentConfig, "agent ids to agent settings")
    agent_ids = None
    if not agents_rep.unreadable and isinstance(agents_raw, dict):
        check_agents(agents_raw, agents_rep)
        agent_ids = [str(a) for a in agents_raw]

    tasks = _validate_entries(tasks_raw, tasks_rep, TaskConfig, "task names to task settings")
    if not tasks_rep.unreadable and isinstance(tasks_raw, dict):
        from crm_crew.tools.registry import coworker_ids   # the tools import the pipeline, which imports config

        coworkers = coworker_ids(agents, "interaction", MANAGER_ROLE) if agents is not None else None
        check_tasks(tasks_raw, agent_ids, tasks_rep, coworkers)

    settings = _validate_settings(settings_raw, agent_ids, settings_rep, check_examples)

    problems = [p for rep, _ in files for p in sorted(rep.problems, key=lambda p: (p.line, p.col))]
    if problems or agents is None or tasks is None or settings is None:
        raise ConfigError(problems)
    return CrewConfig(directory=directory, agents=agents, tasks=tasks, settings=settings)


def _open(path: Path, kind: FileKind) -> tuple[Reporter, Any]:
    """Read and parse one file. The Reporter has no SourceMap data when that failed."""
    rep = Reporter(str(path), SourceMap(), kind)
    parsed: ParsedYaml = read_yaml_file(path)
    if parsed.error is not None:
        return rep.failed(parsed.error), None
    rep.source = parsed.source
    for duplicate in parsed.duplicates:
        rep.at_key(duplicate.path, f"duplicate key {describe(duplicate.key)} (first defined at line {duplicate.first.line})")
    return rep, {} if parsed.data is None else parsed.data


def _validate_entries(raw: Any, rep: Reporter, model: type[BaseModel], what: str) -> Any:
    """Validate a top-level mapping of id -> model; None when anything is wrong."""
    if rep.unreadable:
        return None
    if not isinstance(raw, dict):
        rep.add(rep.source.values.get((), START),
                f"must be a mapping of {what}, got {describe(raw)}")
        return None
    skip = check_credentials(raw, rep)
    result: dict[str, Any] = {}
    ok = True
    for name, entry in raw.items():
        if not isinstance(name, str):
            rep.at_key((name,), f"{rep.kind} id {describe(name)} must be a string")
            ok = False
            continue
        try:
            result[name] = model.model_validate(entry, strict=True)
        except ValidationError as exc:
            rep.validation_error(model, (name,), exc, skip)
            ok = False
    return result if ok else None


def _validate_settings(raw: Any, agent_ids: list[str] | None, rep: Reporter, examples: bool = False) -> Settings | None:
    """Validate crm-crew.yaml section by section, so each section's problems are all found."""
    if rep.unreadable:
        return None
    if not isinstance(raw, dict):
        rep.add(rep.source.values.get((), START),
                f"must be a mapping of settings sections, got {describe(raw)}")
        return None
    skip = check_credentials(raw, rep)
    fields = Settings.model_fields
    sections: dict[str, Any] = {}
    ok = True
    for name, value in raw.items():
        if name not in fields:
            if (name,) not in skip:
                rep.unknown_key((name,), list(fields))
            ok = False
            continue
        annotation = fields[name].annotation
        try:
            sections[name] = _adapter(annotation).validate_python(value, strict=True)
        except ValidationError as exc:
            rep.validation_error(annotation, (name,), exc, skip)
            ok = False
    ok = _validate_crm_options(sections.get("crm"), rep, skip) and ok
    check_settings(raw, agent_ids, rep)
    check_triage_config(raw, rep)
    if not ok or rep.problems:
        return None
    settings = Settings(**sections)
    if examples:
        check_examples(settings, rep)
    return settings


def _validate_crm_options(crm: Any, rep: Reporter, skip: set[YamlPath]) -> bool:
    """`crm.options` against the options model of the connector `crm.type` names."""
    from crm_crew.connectors.registry import CONNECTOR_OPTIONS, options_model

    if not isinstance(crm, CrmSettings) or crm.type not in CONNECTOR_OPTIONS:
        return True
    model = options_model(crm.type)
    try:
        model.model_validate(crm.options)
    except ValidationError as exc:
        rep.validation_error(model, ("crm", "options"), exc, skip)
        return False
    return True


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(annotation: Any) -> TypeAdapter[Any]:
    key = repr(annotation)
    if key not in _ADAPTERS:
        _ADAPTERS[key] = TypeAdapter(annotation)
    return _ADAPTERS[key]

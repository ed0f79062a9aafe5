"""The crew's configuration: agents.yaml, tasks.yaml and crm-crew.yaml, strictly validated."""

from crm_crew.config.loader import (
    INTERACTION_PLACEHOLDERS,
    RUN_PLACEHOLDERS,
    CrewConfig,
    Problem,
    default_config_dir,
    load_config,
    resolve_config_dir,
)

__all__ = [
    "INTERACTION_PLACEHOLDERS",
    "RUN_PLACEHOLDERS",
    "CrewConfig",
    "Problem",
    "default_config_dir",
    "load_config",
    "resolve_config_dir",
]

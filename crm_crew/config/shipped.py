"""The shipped config folder: the one source of every default.

A key left out of a user's crm-crew.yaml takes its value from the shipped crm-crew.yaml.

Which folder a command reads (one rule; `validate` and the run summary print it): `--config DIR`, else
$CRM_CREW_CONFIG, else the shipped config. The shipped config is the one inside the installed package
(`crm_crew/default_config` in a wheel) or, when crm-crew runs from a source checkout (an editable install),
that checkout's `config/` folder. The current folder's `config/` is never read implicitly. To change the
config, `crm-crew init DIR` makes a copy to edit, then pass `--config DIR` or set CRM_CREW_CONFIG.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

import crm_crew

SETTINGS_FILE = "crm-crew.yaml"


def default_config_dir() -> Path:
    """The shipped defaults: inside the package for wheel installs, else the source checkout's config/
    (found from the package's own location, never from the current folder)."""
    package = Path(crm_crew.__file__).parent
    bundled = package / "default_config"
    return bundled if bundled.is_dir() else package.parent / "config"


@lru_cache(maxsize=1)
def _shipped_settings() -> dict[str, Any]:
    # The package's own file: libyaml's safe loader when present (the pure-Python one costs ~0.1 s here).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((default_config_dir() / SETTINGS_FILE).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    return data if isinstance(data, dict) else {}


def shipped(*path: str) -> Callable[[], Any]:
    """A default factory: a fresh copy of the shipped value at `path`."""
    def factory() -> Any:
        value: Any = _shipped_settings()
        for key in path:
            value = value[key]
        return copy.deepcopy(value)

    return factory

"""Process settings that must be in place before crewai is imported."""

from __future__ import annotations

import os
from pathlib import Path


def prepare_crewai_environment(home: Path) -> None:
    """No telemetry, no trace prompt, no writes under the user's home: crewai stays in our state folder."""
    os.environ.setdefault("CREWAI_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("CREWAI_DISABLE_TRACKING", "true")
    os.environ.setdefault("CREWAI_TRACING_ENABLED", "false")
    os.environ.setdefault("OTEL_SDK_DISABLED", "true")
    # crewai joins this onto ~/.local/share unless it is absolute.
    storage = (home / "crewai").resolve()
    storage.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("CREWAI_STORAGE_DIR", str(storage))

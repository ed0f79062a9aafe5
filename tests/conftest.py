"""Keep crewai inside a throwaway folder for the whole test session."""

from __future__ import annotations

import tempfile
from pathlib import Path

from crm_crew.crew.environment import prepare_crewai_environment

prepare_crewai_environment(Path(tempfile.mkdtemp(prefix="crm-crew-tests-")))

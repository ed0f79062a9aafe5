"""Keep crewai inside a throwaway folder for the whole test session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from crm_crew.crew.environment import prepare_crewai_environment

prepare_crewai_environment(Path(tempfile.mkdtemp(prefix="crm-crew-tests-")))

# Every CRM write is audited; the chain's key comes from this variable (tests of a missing key unset it).
os.environ.setdefault("CRM_CREW_AUDIT_KEY", "test-audit-key-0123456789abcdef")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow end-to-end files first: xdist (--dist loadfile) hands out files in collection
    order, so the longest ones start at once on separate workers instead of trailing at the end."""
    items.sort(key=lambda item: 0 if item.get_closest_marker("slow") else 1)

"""Keep crewai inside a throwaway folder for the whole test session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from crm_crew.crew.environment import prepare_crewai_environment

prepare_crewai_environment(Path(tempfile.mkdtemp(prefix="crm-crew-tests-")))

# Every CRM write is audited; the chain's key comes from this variable (tests of a missing key unset it).
# The tests' own key, never the one a user exported in this shell (tests compare against this value).
os.environ["CRM_CREW_AUDIT_KEY"] = "test-audit-key-0123456789abcdef"

# A given DATABASE_URL is for the tests that need a PostgreSQL (tests/servers_fixtures.py), not for every
# CLI run: crm-crew itself would otherwise journal every test's runs into that one database.
if os.environ.get("DATABASE_URL"):
    os.environ["CRM_CREW_TEST_DATABASE_URL"] = os.environ.pop("DATABASE_URL")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow end-to-end files first, longest first: with `--dist loadfile --no-loadscope-reorder`
    (scripts/test.sh) xdist hands files out in this order to whichever worker is free, so the long
    ones run side by side from the start instead of trailing at the end."""
    by_file: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_file.setdefault(str(item.path), []).append(item)

    def cost(path: str) -> float:
        marks = [i.get_closest_marker("slow") for i in by_file[path]]
        return max((float(m.kwargs.get("seconds", 60)) for m in marks if m is not None), default=0.0)

    order = sorted(by_file, key=lambda path: -cost(path))   # stable: the others keep their order
    items[:] = [item for path in order for item in by_file[path]]

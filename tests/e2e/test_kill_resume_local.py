"""SIGKILL a run over 200 interactions against the local CRM three times, resume it: same CRM as a clean run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.backends import Emulators
from tests.e2e.killing import kill_three_times_and_resume

N = 200


@pytest.mark.slow(seconds=220)
def test_a_run_killed_three_times_and_resumed_matches_a_clean_run(emulators: Emulators, tmp_path: Path,
                                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    kill_three_times_and_resume("local", emulators, tmp_path, tmp_path_factory, N, clean_first=True)

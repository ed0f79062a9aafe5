"""Expensive test state built once per test session and shared by the xdist workers."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def shared_path(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Path]:
    """`name` in the folder all workers of this session share, under an exclusive lock:
    the first worker builds what is missing, the others wait and reuse it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield root / name

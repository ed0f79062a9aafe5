"""One process at a time per run: a lock file the OS releases when its holder dies (SIGKILL too)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from crm_crew.errors import UserError
from crm_crew.storage import ensure_folder, not_a_folder


def runs_folder(home: Path) -> Path:
    """`home/runs` (not created); a file where that folder must be is a clear error."""
    runs = home / "runs"
    if runs.exists() and not runs.is_dir():
        raise not_a_folder(runs)
    return runs


def run_folder(home: Path, run_id: str) -> Path:
    return runs_folder(home) / run_id


class RunLock:
    def __init__(self, home: Path, run_id: str) -> None:
        self.path = run_folder(home, run_id) / "lock"
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        ensure_folder(self.path.parent)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise UserError(f"run '{self.path.parent.name}' is being processed right now by pid {holder}: "
                            "wait for it to finish (or stop it) before resuming or applying it") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is not None:
            os.close(self._fd)   # closing releases the lock
            self._fd = None


def run_is_live(home: Path, run_id: str) -> bool:
    """True while some process holds the run's lock (processing, applying or rolling it back)."""
    path = run_folder(home, run_id) / "lock"
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False

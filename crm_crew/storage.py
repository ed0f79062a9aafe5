"""Failures of local storage (a read-only state folder, a full disk), told apart from everything else.

They are never a message's fault: a run that meets one stops cleanly, with a message naming the
file and the cause, and `run --resume` finishes it once the storage is fixed.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from crm_crew.errors import StorageError, UserError

FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
READ_ONLY_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
SQLITE_FULL = ("database or disk is full",)
SQLITE_READ_ONLY = ("readonly database", "read-only", "unable to open database file")
SQLITE_IO = ("disk i/o error",)


def _cause(exc: BaseException) -> str | None:
    if isinstance(exc, OSError):
        if exc.errno in FULL_ERRNOS:
            return "the disk is full (or the quota is used up)"
        if exc.errno in READ_ONLY_ERRNOS:
            return "it is read-only (permission denied)"
        if exc.errno == errno.EIO:
            return "a disk I/O error"
        return None
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        if any(s in text for s in SQLITE_FULL):
            return "the disk is full (or the quota is used up)"
        if any(s in text for s in SQLITE_READ_ONLY):
            return "it is read-only (permission denied)"
        if any(s in text for s in SQLITE_IO):
            return "a disk I/O error"
    return None


def is_storage_failure(exc: BaseException) -> bool:
    return isinstance(exc, StorageError) or _cause(exc) is not None


def storage_error(exc: BaseException, path: Path | str | None = None) -> StorageError:
    """A StorageError naming the file (the OSError's own when it has one) and the cause."""
    if isinstance(exc, StorageError):
        return exc
    where = getattr(exc, "filename", None) or path
    cause = _cause(exc) or str(exc)
    return StorageError(f"cannot write {where or 'the state folder'}: {cause}")


def ensure_folder(path: Path) -> None:
    """Make `path` a folder (and its parents); a file where a folder must be is named, not a crash."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), path)
        raise not_a_folder(blocker) from None
    except OSError as exc:
        raise storage_error(exc, path) from exc


def not_a_folder(path: Path) -> UserError:
    """A file (or something else) sits where crm-crew needs a folder."""
    return UserError(f"{path.absolute()} is a file where crm-crew needs a folder: move or remove it "
                     "(crm-crew keeps run locks and rejects there)")

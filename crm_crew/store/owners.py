"""Who holds a claim: "host:pid" of a process, and whether that process still lives."""

from __future__ import annotations

import os
import socket


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str) -> bool:
    """False when the owner ran on this host and that process is gone (killed, crashed)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True   # another machine: only the lease tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def os_user() -> str:
    """The person behind a command, for the audit trail and review decisions."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):   # no passwd entry (containers)
        return f"uid:{os.getuid()}"

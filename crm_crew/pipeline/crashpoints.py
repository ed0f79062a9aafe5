"""Fault injection for the crash tests, inert unless CRM_CREW_CRASH_AFTER is set.

CRM_CREW_CRASH_AFTER=crm_write:N kills this process with SIGKILL right after its N-th CRM
write returns and before the journal records it: the worst moment to die.
CRM_CREW_CRASH_AFTER=reply_accepted:N does the same right after the N-th reply the mail server accepted
(its outbox row is `accepted`, the journal does not know yet).
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "CRM_CREW_CRASH_AFTER"
_lock = threading.Lock()
_counts: dict[str, int] = {}


def _count(point: str, count: int = 1) -> None:
    """Count one more event of `point`; SIGKILL this process when CRM_CREW_CRASH_AFTER=point:N is reached."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    name, _, n = spec.partition(":")
    with _lock:
        _counts[point] = _counts.get(point, 0) + count
        if name == point and n.isdigit() and _counts[point] >= int(n):
            os.kill(os.getpid(), signal.SIGKILL)


def after_crm_write(count: int = 1) -> None:
    _count("crm_write", count)


def after_reply_accepted() -> None:
    _count("reply_accepted")

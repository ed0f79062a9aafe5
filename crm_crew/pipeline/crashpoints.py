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
_writes = 0
_replies = 0


def after_crm_write(count: int = 1) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    global _writes
    point, _, n = spec.partition(":")
    with _lock:
        _writes += count
        if point == "crm_write" and n.isdigit() and _writes >= int(n):
            os.kill(os.getpid(), signal.SIGKILL)


def after_reply_accepted() -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    global _replies
    point, _, n = spec.partition(":")
    with _lock:
        _replies += 1
        if point == "reply_accepted" and n.isdigit() and _replies >= int(n):
            os.kill(os.getpid(), signal.SIGKILL)

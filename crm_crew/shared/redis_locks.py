"""A lock per CRM record in Redis, shared by every worker, held around a read-modify-write.

`SET key token NX PX ttl` takes it; only the holder's random token deletes it (compare-and-delete in one
script), so a holder whose lease ran out never frees a lock someone else took since. While the lock is held
a thread renews the lease every ttl_s/3, so a long hold keeps it while a killed holder loses it within
ttl_s. Waiters poll with jittered, growing intervals until timeout_s, then raise LockTimeout naming the key.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from types import TracebackType

import redis

from crm_crew.errors import CrmCrewError, SharedStateUnavailable
from crm_crew.shared.client import guarded

MAX_POLL_S = 0.2

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class LockTimeout(CrmCrewError):
    """Another worker held the record's lock for longer than we could wait: retry the job later."""


class LockLost(CrmCrewError):
    """The lease ran out while held (the holder stalled longer than ttl_s): another worker may have written."""


def record_lock_key(namespace: str, obj: str, record_id: str) -> str:
    return f"{namespace}:lock:{obj}:{record_id}"


class RecordLock:
    """`with RecordLock(client, record_lock_key(ns, "contact", cid)):` read, decide, write."""

    def __init__(self, client: redis.Redis, key: str, ttl_s: float = 30.0, timeout_s: float = 60.0,
                 poll_s: float = 0.01, renew: bool = True) -> None:
        self.client = client
        self.key = key
        self.ttl_ms = max(1, round(ttl_s * 1000))
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.renew = renew
        self._token: str | None = None
        self._release_script = client.register_script(_RELEASE)
        self._extend_script = client.register_script(_EXTEND)
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self.lost = False

    @property
    def held(self) -> bool:
        return self._token is not None and not self.lost

    def acquire(self) -> None:
        """Block until the lock is ours; LockTimeout after timeout_s."""
        if self._token is not None:
            raise RuntimeError(f"lock {self.key!r} is already held by this RecordLock (it is not reentrant)")
        token = secrets.token_hex(16)
        deadline = time.monotonic() + self.timeout_s
        delay = self.poll_s
        with guarded(self.client, f"taking the lock {self.key!r}"):
            while not self.client.set(self.key, token, nx=True, px=self.ttl_ms):
                left = deadline - time.monotonic()
                if left <= 0:
                    remaining_ms = self.client.pttl(self.key)
                    raise LockTimeout(
                        f"could not lock {self.key!r} within {self.timeout_s:g}s: another worker holds it "
                        f"(for {max(0, remaining_ms) / 1000:.1f}s more unless renewed; a dead holder's lease "
                        f"ends within {self.ttl_ms / 1000:g}s); retry later")
                time.sleep(min(left, delay * random.uniform(0.5, 1.5)))
                delay = min(delay * 1.5, MAX_POLL_S)
        self._token, self.lost = token, False
        if self.renew:
            self._stop.clear()
            self._renewer = threading.Thread(target=self._keep_renewed, name=f"lease {self.key}", daemon=True)
            self._renewer.start()

    def extend(self) -> bool:
        """Restart the lease at ttl_s; False when the lock is no longer ours."""
        if self._token is None:
            return False
        with guarded(self.client, f"renewing the lock {self.key!r}"):
            ours = bool(self._extend_script(keys=[self.key], args=[self._token, self.ttl_ms]))
        self.lost = self.lost or not ours
        return ours

    def release(self) -> None:
        """Free the lock if still ours; LockLost when its lease had run out."""
        self._stop_renewing()
        token, self._token = self._token, None
        if token is None:
            return
        with guarded(self.client, f"releasing the lock {self.key!r}"):
            ours = bool(self._release_script(keys=[self.key], args=[token]))
        if not ours or self.lost:
            self.lost = True
            raise LockLost(f"the lock {self.key!r} expired while held (lease {self.ttl_ms / 1000:g}s): another "
                           "worker may have changed the record meanwhile; re-read it before trusting this write")

    def _keep_renewed(self) -> None:
        while not self._stop.wait(self.ttl_ms / 3000):
            try:
                if not self.extend():
                    return
            except SharedStateUnavailable:
                continue        # Redis may come back before the lease ends; release will tell

    def _stop_renewing(self) -> None:
        self._stop.set()
        if self._renewer is not None and self._renewer is not threading.current_thread():
            self._renewer.join()
        self._renewer = None

    def __enter__(self) -> RecordLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.release()
            return
        try:
            self.release()
        except (LockLost, SharedStateUnavailable):
            pass                # the body's own error says more; the lease ends by itself

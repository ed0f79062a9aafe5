"""Waiting for new mail in a folder: IMAP IDLE when the server offers it, polling otherwise.

`MailWatcher.wait(seconds)` returns when the server says something changed, when the time is up, or when
`stop` is set; the caller then runs over the folder (which reads only what is new). A dropped connection is
opened again with backoff (1, 2, 4 ... 60 s).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from crm_crew.errors import UserError
from crm_crew.mail.imap_session import open_session, select
from crm_crew.mail.urls import MailboxUrl

IDLE_RENEW_S = 25 * 60      # RFC 2177: re-issue IDLE at least every 29 minutes


class MailWatcher:
    def __init__(self, url: MailboxUrl, settings: Any, config_dir: Path | None, stop: threading.Event) -> None:
        self.url, self.settings, self.config_dir, self.stop = url, settings, config_dir, stop
        self.client: Any = None
        self.idle = False
        self.reconnects = 0
        self.checked_at: float | None = None     # epoch seconds of the last successful look at the folder

    def _connect(self) -> None:
        self.client = open_session(self.url, self.settings, self.config_dir)
        select(self.client, self.url)
        self.idle = b"IDLE" in self.client.capabilities()
        self.checked_at = time.time()

    def wait(self, poll_s: float) -> bool:
        """Wait up to `poll_s` seconds for a change; True when the server reported one, after a (re)connect, and
        when the time is up: IDLE reports only what arrives while it runs, so mail that came between the last
        run and this session's SELECT, or a notice a server never sent, is read by the next look. A look
        with nothing new makes no run."""
        delay = 1.0
        while not self.stop.is_set():
            try:
                if self.client is None:
                    self._connect()
                    return True              # what arrived before this session was watching
                return self._idle(poll_s) if self.idle else self._poll(poll_s)
            except UserError as exc:
                if "refused the login" in str(exc) or self.client is None and not self.reconnects:
                    raise
                self._drop()
            except (OSError, Exception):  # noqa: BLE001 - any protocol or socket failure: reconnect
                self._drop()
            self.reconnects += 1
            self.stop.wait(delay)
            delay = min(delay * 2, 60.0)
        return False

    def _idle(self, poll_s: float) -> bool:
        """IDLE until the server reports new mail or `poll_s` (at most IDLE_RENEW_S) is up; False when stopped."""
        self.client.idle()
        try:
            deadline = time.monotonic() + min(poll_s, IDLE_RENEW_S)
            while not self.stop.is_set() and time.monotonic() < deadline:
                if any(r[1] in (b"EXISTS", b"RECENT") for r in self.client.idle_check(timeout=1) if len(r) > 1):
                    break
        finally:
            self.client.idle_done()
        self.checked_at = time.time()        # the server answered the end of IDLE: the folder was watched
        return not self.stop.is_set()

    def _poll(self, poll_s: float) -> bool:
        self.stop.wait(poll_s)
        return True

    def _drop(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                client.shutdown()
            except Exception:  # noqa: BLE001
                pass

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except Exception:  # noqa: BLE001
                self._drop()
            self.client = None

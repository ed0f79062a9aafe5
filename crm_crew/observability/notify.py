"""Escalation notices to a webhook: one JSON POST per escalation, or one digest per run.

`notify:` in crm-crew.yaml turns it on. The webhook URL is a secret: the config names the environment variable
holding it (`webhook_url_env`), and no message, log or summary ever shows the URL. A notice is built from what
the journal committed (the review item: its reason, intent, urgency and the redacted subject; the sender's
address masked to its domain), never from the message body. A background thread sends notices with bounded
retries and backoff; a notice that still fails is counted and the first failure of a run is reported once.
Nothing here stops or slows the run: the run summary reports `notifications: {sent, failed, unsent}`.
"""

from __future__ import annotations

import json
import os
import queue
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from crm_crew.config.models import NotifySettings
from crm_crew.pipeline.review_queue import urgency_rank
from crm_crew.store.base import ReviewItem, Store

SUBJECT_CHARS = 120
BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
RETRIED_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Notice:
    run_id: str
    interaction_id: str
    intent: str | None
    urgency: str | None
    reason: str
    sender: str | None
    subject: str | None
    review_id: int | None
    command: str


class NotifyError(Exception):
    """A notice the webhook did not take; `retry` when trying again may help. Never carries the URL."""

    def __init__(self, what: str, retry: bool) -> None:
        super().__init__(what)
        self.retry = retry


def masked_email(address: str | None) -> str | None:
    """`j…@example.com`: enough to tell senders apart in a channel, not the address."""
    if not address or "@" not in address:
        return None
    local, domain = address.rsplit("@", 1)
    return f"{local[:1]}…@{domain}"


def slack_text(text: str) -> str:
    """Customer text as plain Slack text: `<!channel>`, `<url|label>` and `&` stay literal characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(notices: list[Notice], digest: bool, fmt: str) -> dict[str, Any]:
    if fmt == "slack":
        lines = [_slack_line(n) for n in notices]
        head = f"crm-crew: {len(notices)} escalation(s) in run {slack_text(notices[0].run_id)}\n" if digest else ""
        return {"text": head + "\n".join(lines)}
    if digest:
        return {"event": "crm_crew.escalations", "run_id": notices[0].run_id, "count": len(notices),
                "escalations": [asdict(n) for n in notices]}
    return {"event": "crm_crew.escalation", **asdict(notices[0])}


def _slack_line(n: Notice) -> str:
    parts = [f"*{slack_text(n.urgency or 'unknown')} urgency* escalation: {slack_text(n.reason)}",
             f"intent {slack_text(n.intent or 'none')}", f"run {slack_text(n.run_id)}",
             f"interaction {slack_text(n.interaction_id)}"]
    if n.sender:
        parts.append(f"from {slack_text(n.sender)}")
    if n.subject:
        parts.append(f"subject \"{slack_text(n.subject)}\"")
    return " | ".join(parts) + f" | `{slack_text(n.command)}`"


def post_json(url: str, body: dict[str, Any], timeout_s: float) -> None:
    """POST `body` as JSON; NotifyError on anything but a 2xx answer."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "crm-crew"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:   # noqa: S310 - the configured webhook
            answer.read()
    except urllib.error.HTTPError as exc:
        raise NotifyError(f"HTTP {exc.code}", exc.code in RETRIED_STATUSES) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise NotifyError(type(reason).__name__ if isinstance(reason, BaseException) else "unreachable",
                          True) from None


class Notifier:
    """One run's notices. `escalated()` takes each journaled escalation; `close()` sends the digest, waits a
    bounded time for the sender thread and returns the counts."""

    def __init__(self, settings: NotifySettings, url: str, env_name: str, run_id: str, store: Store,
                 levels: list[str], warn: Callable[[str], None] | None = None,
                 post: Callable[[str, dict[str, Any], float], None] = post_json) -> None:
        self.settings, self.run_id, self.store, self.levels = settings, run_id, store, levels
        self._url, self._env_name, self._post = url, env_name, post
        self._warn = warn or (lambda text: print(text, file=sys.stderr, flush=True))
        self._floor = urgency_rank(levels, settings.min_urgency) if settings.min_urgency else None
        self._reviews: dict[str, int] = {}
        self._digest: list[Notice] = []
        self._outbox: queue.Queue[list[Notice] | None] = queue.Queue()
        self._lock = threading.Lock()
        self.sent = self.failed = 0
        self._warned = self._closed = False
        self._thread = threading.Thread(target=self._send_all, name="crm-crew notify", daemon=True)
        self._thread.start()

    def record(self, record: dict[str, Any]) -> None:
        """A finished record of the run, called after the journal committed it (queued runs report only the
        status and id: the rest comes from the journal)."""
        if record.get("status") != "escalated" or not record.get("interaction_id"):
            return
        notice = self._notice(str(record["interaction_id"]), record)
        if self._floor is not None and urgency_rank(self.levels, notice.urgency) < self._floor:
            return
        if self.settings.mode == "digest":
            self._digest.append(notice)
        else:
            self._outbox.put([notice])

    def close(self, wait_s: float | None = None) -> dict[str, int]:
        if not self._closed:
            self._closed = True
            if self._digest:
                self._outbox.put(self._digest)
            self._outbox.put(None)
        budget = wait_s if wait_s is not None else self._one_notice_s()
        self._thread.join(timeout=budget)
        with self._lock:
            return {"sent": self.sent, "failed": self.failed, "unsent": self._outbox.qsize()}

    def _one_notice_s(self) -> float:
        """The longest one notice can take: every attempt timing out, and the backoff between them."""
        attempts = self.settings.max_attempts
        backoff = sum(min(MAX_BACKOFF_S, BACKOFF_S * 2 ** i) for i in range(attempts - 1))
        return attempts * self.settings.timeout_s + backoff

    def _notice(self, interaction_id: str, record: dict[str, Any]) -> Notice:
        item = self._review(interaction_id)
        if item is None:     # journaled without an item of this run (an earlier run's decision stands)
            return Notice(self.run_id, interaction_id, record.get("intent"), record.get("urgency"),
                          (record.get("escalation") or {}).get("reason") or "held for review", None, None, None,
                          f"crm-crew show {self.run_id}")
        context = item.context.get("interaction") or {}
        subject = context.get("subject")
        return Notice(self.run_id, interaction_id, item.intent, item.urgency, item.reason,
                      masked_email(context.get("sender_email")),
                      subject[:SUBJECT_CHARS] if isinstance(subject, str) else None,
                      item.review_id, f"crm-crew review show {item.review_id}")

    def _review(self, interaction_id: str) -> ReviewItem | None:
        if interaction_id not in self._reviews:     # the run's items, read again when a new one is asked for
            self._reviews = {i.interaction_id: i.review_id
                             for i in self.store.list_reviews(status=None, run_id=self.run_id)}
        review_id = self._reviews.get(interaction_id)
        return self.store.get_review(review_id) if review_id is not None else None

    def _send_all(self) -> None:
        while (notices := self._outbox.get()) is not None:
            ok = self._send(notices)
            with self._lock:
                if ok:
                    self.sent += len(notices)
                else:
                    self.failed += len(notices)

    def _send(self, notices: list[Notice]) -> bool:
        body = payload(notices, self.settings.mode == "digest", self.settings.format)
        for attempt in range(self.settings.max_attempts):
            try:
                self._post(self._url, body, self.settings.timeout_s)
                return True
            except NotifyError as exc:
                problem = exc
                if not exc.retry:
                    break
            except Exception as exc:  # noqa: BLE001 - a notice never breaks the run
                problem = NotifyError(type(exc).__name__, False)
                break
            if attempt + 1 < self.settings.max_attempts:
                time.sleep(min(MAX_BACKOFF_S, BACKOFF_S * 2 ** attempt))
        if not self._warned:
            self._warned = True
            self._warn(f"crm-crew: an escalation notice to the webhook in ${self._env_name} failed ({problem}) "
                       f"after {attempt + 1} attempt(s); the run goes on, and its summary counts failed notices")
        return False


def webhook_url(settings: NotifySettings) -> str | None:
    """The webhook URL from the variable `notify.webhook_url_env` names (None: notices are off); a clear error
    when the variable is named but not set, before a run starts."""
    name = settings.webhook_url_env
    if not name:
        return None
    url = os.environ.get(name, "").strip()
    if not url:
        from crm_crew.errors import UserError

        raise UserError(f"notify.webhook_url_env in crm-crew.yaml names ${name}, which is not set: export the "
                        "webhook URL in it, or remove notify.webhook_url_env")
    return url


def open_notifier(settings: NotifySettings, run_id: str, store: Store, levels: list[str]) -> Notifier | None:
    """The run's notifier, or None when notices are off."""
    url = webhook_url(settings)
    if url is None or settings.webhook_url_env is None:
        return None
    return Notifier(settings, url, settings.webhook_url_env, run_id, store, levels)

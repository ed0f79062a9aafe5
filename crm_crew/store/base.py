"""The Store protocol: run journal, plans, idempotency keys, claims, review queue, audit trail.

SQLite is the embedded default; a shared PostgreSQL store plugs in behind the same protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from crm_crew.mail.outbox import OutboxRow
from crm_crew.store.audit import AuditEntry, AuditHead, AuditKey


@dataclass
class RunInfo:
    run_id: str
    started_at: str
    finished_at: str | None
    status: str                     # running | finished | died
    mode: str                       # shadow | apply
    sources: list[str]
    config_dir: str
    crm_type: str
    summary: dict[str, Any] = field(default_factory=dict)
    target: str = ""                # the CRM instance the run plans against ("" in journals before 0.2)


@dataclass
class ActionRow:
    """A planned action as journaled, addressable by (run_id, interaction_id, seq)."""

    run_id: str
    interaction_id: str
    seq: int
    type: str
    object: str
    fields: dict[str, Any]
    idempotency_key: str
    agent: str
    record_id: str | None
    contact_ref: str | None
    status: str
    note: str | None
    expected: dict[str, Any] | None = None   # values the plan saw; an update is refused if they changed
    before: dict[str, Any] | None = None     # values an applied update replaced
    mac: str | None = field(default=None, compare=False, repr=False)   # the seal (see store/seals.py)


# Action statuses: planned -> applying -> applied | skipped | failed; held -> planned (approved) |
# rejected; applied -> rolled_back. "applying" is written before the CRM call, so a run killed
# mid-write is finished by the next apply or resume without doing the write twice.
APPLICABLE_STATUSES: tuple[str, ...] = ("planned", "applying", "failed")


@dataclass
class Claim:
    """The answer to "may this process apply the action with this key now?"."""

    state: Literal["claimed", "applied", "busy"]
    record_id: str | None = None   # when applied: the record it created or changed
    run_id: str | None = None      # when applied: the run that applied it; when busy: the run holding it
    owner: str | None = None       # when busy: "host:pid" of the holder


@dataclass
class Outcome:
    """One step of the write path, stored atomically: the action's new state, its audit
    entry, and the idempotency key's bookkeeping."""

    row: ActionRow | None
    entry: AuditEntry | None = None
    mark_applied: bool = False     # remember row.idempotency_key -> row.record_id (on `target`)
    forget_applied: bool = False   # the effect was undone: the key may be applied again
    release_owner: str | None = None   # drop the claim on row.idempotency_key held by this owner
    target: str = ""               # the CRM instance the key's effect lives in (see store/targets.py)

    def __post_init__(self) -> None:
        if (self.mark_applied or self.forget_applied or self.release_owner) and not self.target:
            raise ValueError("an outcome that touches idempotency keys or claims needs its CRM target")


@dataclass
class ReviewItem:
    review_id: int
    run_id: str
    interaction_id: str
    status: str                    # pending | approved | rejected
    reason: str
    intent: str | None
    urgency: str | None
    created_at: str
    context: dict[str, Any]        # interaction (redacted), reasoning, reply draft
    decided_at: str | None = None
    decided_by: str | None = None
    decision_note: str | None = None
    reply: dict[str, Any] | None = None    # the reply as approved (edited or as drafted)

class Store(Protocol):
    location: str                  # where the journal lives (a file, or a server and database without password)

    def seal_with(self, key: AuditKey) -> None:
        """Seal every action row this store object writes from now on (see store/seals.py)."""
    def create_run(self, info: RunInfo) -> None: ...
    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None: ...
    def reopen_run(self, run_id: str) -> None:
        """Mark a run running again (resume)."""
    def update_summary(self, run_id: str, summary: dict[str, Any]) -> None: ...
    def get_run(self, run_id: str) -> RunInfo | None: ...
    def add_llm_batch(self, run_id: str, batch_id: str, requests: int) -> None: ...
    def llm_batches(self, run_id: str) -> list[str]:
        """The Message Batch ids the run sent, oldest first."""
    def mail_cursor(self, mailbox: str) -> tuple[int, int] | None:
        """(UIDVALIDITY, the highest UID read up to which every message is journaled) of an IMAP folder
        (`user@host/folder`), or None when it was never read."""
    def set_mail_cursor(self, mailbox: str, uidvalidity: int, last_uid: int) -> None: ...
    def outbox_row(self, message_id: str) -> OutboxRow | None:
        """The outbox row of a reply (crm_crew/mail/outbox.py), or None when it was never handed over."""
    def put_outbox(self, row: OutboxRow) -> None:
        """Write (or move on) an outbox row, committed when this returns."""
    def drop_outbox(self, message_id: str) -> None:
        """Forget a reply the server refused (it was not sent: it may be tried again)."""
    def outbox_count(self, recipient: str, since: str) -> int:
        """Replies handed over to `recipient` since the ISO time `since`."""
    def outbox_run_count(self, run_id: str) -> int: ...
    def outbox_rows(self, status: str | None = None, run_id: str | None = None, limit: int = 100) -> list[OutboxRow]:
        """Outbox rows, oldest first, of one status and/or run."""
    def settle_outbox(self, message_id: str, delivered: bool) -> bool:
        """A person's answer for a row left `sending` (crm_crew/mail/outbox_decisions.py); False if not `sending`."""
    def list_runs(self, limit: int = 50) -> list[RunInfo]: ...
    def save_result(self, run_id: str, record: dict[str, Any], actions: list[ActionRow],
                    review: dict[str, Any] | None = None) -> None:
        """Journal one interaction's result record (without actions) and its planned actions;
        with `review` (the context a reviewer needs), queue it for human review. One transaction.
        A `failed` result journaled before for the same interaction (retried by resume) is replaced."""
    def has_result(self, run_id: str, interaction_id: str) -> bool:
        """Whether the interaction is journaled for the run (a queued job delivered twice); a `failed`
        result does not count: it is worked again."""
    def result_ids(self, run_id: str) -> set[str]:
        """Interaction ids (or reject ids) journaled for a run, except `failed` ones (resume retries them)."""
    def update_record(self, run_id: str, interaction_id: str, changes: dict[str, Any]) -> None:
        """Merge `changes` into a journaled result record (e.g. an approved reply)."""
    def results(self, run_id: str) -> Iterator[dict[str, Any]]:
        """Result records in processing order, with their actions' current state."""
    def actions(self, run_id: str, interaction_id: str | None = None) -> list[ActionRow]: ...
    def update_action(self, row: ActionRow) -> None: ...
    def update_actions(self, rows: list[ActionRow]) -> None:
        """`update_action` for many rows in one transaction."""
    def action_rows(self) -> Iterator[ActionRow]:
        """Every run's actions (for `audit verify`), streamed."""
    def earlier_results(self, interaction_id: str, run_id: str) -> list[tuple[RunInfo, dict[str, Any]]]:
        """The interaction's result records in runs other than `run_id`, with their runs, oldest first."""
    def applied_record(self, idempotency_key: str, target: str) -> tuple[str, str] | None:
        """(record_id, run_id) when an action with this key was applied before to the CRM `target`."""
    def claim(self, idempotency_key: str, run_id: str, owner: str, lease_s: float, target: str) -> Claim:
        """Take the right to apply a key to the CRM `target`, across processes. A claim held by a live owner
        for less than `lease_s` is `busy`; one whose owner died (same host, no such pid) or expired is taken over.
        Keys applied by journals older than targets count for every target of their CRM type."""
    def release(self, idempotency_key: str, owner: str, target: str) -> None: ...
    def record(self, outcomes: list[Outcome], key: AuditKey | None) -> None:
        """Store outcomes in one transaction: action rows, applied keys, claims, and audit
        entries chained with `key` (required when any outcome has an entry)."""
    def audit_entries(self, run_id: str | None = None, record_id: str | None = None,
                      attached: bool = False) -> Iterator[AuditEntry]:
        """Audit entries in chain order, optionally only one run's or one record's (`attached`: and those of
        the records created with `record_id` as their contact: activities, cases, tasks)."""
    def audit_head(self) -> AuditHead | None: ...
    def audit_entry(self, seq: int) -> AuditEntry | None: ...
    def add_review(self, item: ReviewItem) -> int: ...
    def list_reviews(self, status: str | None = "pending", reason: str | None = None, intent: str | None = None,
                     run_id: str | None = None) -> list[ReviewItem]: ...
    def get_review(self, review_id: int) -> ReviewItem | None: ...
    def decide_review(self, review_id: int, status: str, by: str, note: str | None,
                      reply: dict[str, Any] | None) -> bool:
        """Record a decision on a pending item; False when it was already decided."""
    def close(self) -> None: ...

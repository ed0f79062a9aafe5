"""The applying half of the write path: planned actions become CRM writes, exactly once.

For each action: claim its idempotency key in the store (so no other process applies it at
the same time), journal it as `applying`, write to the CRM, then store the outcome, the
applied key and the audit entry in one transaction. Connectors keep the key with the
record, so a process killed between the CRM write and that transaction is finished by the
next apply or resume without a second effect.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zlib import crc32

from crm_crew.connectors.base import Connector
from crm_crew.errors import ConnectorError, CrmUnavailableError, StaleRecordError
from crm_crew.mail.replies_out import RepliesOut, ReplySkipped, audited, reply_activity
from crm_crew.observability import tracing
from crm_crew.observability.tracing_names import action_attributes
from crm_crew.pipeline.crashpoints import after_crm_write
from crm_crew.pipeline.plan import NEW_CONTACT
from crm_crew.shared.state import shared_state
from crm_crew.store.audit import AuditEntry, AuditKey
from crm_crew.store.base import APPLICABLE_STATUSES, ActionRow, Claim, Outcome, Store
from crm_crew.store.owners import process_owner

CLAIM_LEASE_S = 300.0
CLAIM_POLL_S = 0.05
RECOVERED = "applied before the previous run was interrupted"


class Applier:
    def __init__(self, store: Store, connector: Connector, run_id: str, audit_key: AuditKey, actor: str,
                 replies: RepliesOut | None = None) -> None:
        self.store = store
        self.replies = replies            # the mail side of send_reply actions (crm_crew/mail/replies_out.py)
        self.connector = connector
        self.run_id = run_id
        self.audit_key = audit_key
        self.actor = actor
        self.owner = process_owner()
        self.target = connector.target   # keys and claims belong to this CRM instance
        self._locks = [threading.Lock() for _ in range(64)]

    def lock(self, key: str) -> threading.Lock:
        return self._locks[crc32(key.encode()) % len(self._locks)]

    def apply_interaction(self, rows: list[ActionRow]) -> list[ActionRow]:
        """Apply one interaction's actions in order; held and applied ones are left alone."""
        new_contact_id: str | None = None
        for row in rows:
            if row.type == "create_contact" and row.status in ("applied", "skipped"):
                new_contact_id = row.record_id
            if row.status not in APPLICABLE_STATUSES:
                continue
            contact_id = row.fields.get("contact_id") or row.record_id
            if row.contact_ref == NEW_CONTACT and row.type != "create_contact":
                if new_contact_id is None:
                    row.status, row.note = "failed", "the contact this action needs was not created"
                    self.store.update_action(row)
                    continue
                contact_id = new_contact_id
            self.apply_one(row, contact_id)
            if row.type == "create_contact" and row.status in ("applied", "skipped"):
                new_contact_id = row.record_id
        return rows

    def apply_one(self, row: ActionRow, contact_id: str | None) -> None:
        """Apply one action and store its outcome."""
        with tracing.span(f"apply {row.type}", action_attributes(self.run_id, row.interaction_id, row.seq, row.type,
                                                                 row.object)) as applying:
            self._apply_one(row, contact_id)
            applying.set_attribute("crm_crew.action.status", row.status)
            if row.status == "failed":
                tracing.fail(applying, "action_failed")

    def _apply_one(self, row: ActionRow, contact_id: str | None) -> None:
        with self.lock(row.idempotency_key):
            claim = self.claim(row.idempotency_key)
            if claim.state == "applied":
                self.skip_applied(row, claim)
                return
            if self._is_update(row) and contact_id:
                with self.record_lock(row.object, contact_id):
                    self._write(row, contact_id)
            else:
                self._write(row, contact_id)

    @contextmanager
    def record_lock(self, obj: str, record_id: str) -> Iterator[None]:
        """Around a read-modify-write of one CRM record: the workers' Redis lock when they share one
        (a killed holder frees it within seconds), else a claim in the store."""
        shared = shared_state()
        if shared is not None:
            with shared.record_lock(obj, record_id):
                yield
            return
        key = f"lock:{obj}:{record_id}"
        self.claim(key)
        try:
            yield
        finally:
            self.store.release(key, self.owner, self.target)

    def claim(self, key: str) -> Claim:
        """Wait while another live process holds the key; return `claimed` or `applied`."""
        while True:
            claim = self.store.claim(key, self.run_id, self.owner, CLAIM_LEASE_S, self.target)
            if claim.state != "busy":
                return claim
            time.sleep(CLAIM_POLL_S)

    def skip_applied(self, row: ActionRow, claim: Claim) -> None:
        row.record_id, row.status = claim.record_id, "skipped"
        row.note = f"already applied in run {claim.run_id}"
        self.store.record([Outcome(row, release_owner=self.owner, target=self.target)], None)

    @staticmethod
    def _is_update(row: ActionRow) -> bool:
        return row.object == "contact" and row.type != "create_contact"

    def _write(self, row: ActionRow, contact_id: str | None) -> None:
        resumed = row.status == "applying"
        row.status = "applying"
        self.store.update_action(row)
        note = None
        try:
            if row.type == "send_reply":
                record_id, note = self._reply(row, contact_id)
            elif row.type == "create_contact":
                record_id = self.connector.create("contact", row.fields, row.idempotency_key)
            elif self._is_update(row):
                if contact_id is None:
                    raise ConnectorError("no contact to update")
                row.before = self.connector.update("contact", contact_id, row.fields, row.expected)
                record_id = contact_id
            else:
                fields = {**row.fields, "contact_id": contact_id}
                record_id = self.connector.create(row.object, fields, row.idempotency_key)  # type: ignore[arg-type]
                row.fields = fields
            after_crm_write()
        except ReplySkipped as exc:     # a limit: no failure, and nothing was sent
            row.status, row.note = "skipped", str(exc)
            self.store.record([Outcome(row, release_owner=self.owner, target=self.target)], None)
            return
        except StaleRecordError as exc:
            if resumed and row.expected is not None and _holds(exc.current, row.fields):
                row.before, row.note = {k: row.expected.get(k) for k in row.fields}, RECOVERED
                self.applied(row, contact_id or "")
            else:
                self._replan(row, contact_id, exc)
            return
        except CrmUnavailableError:
            self.store.release(row.idempotency_key, self.owner, self.target)
            raise
        except ConnectorError as exc:
            row.status, row.note = "failed", str(exc)
            self.store.record([Outcome(row, self.entry(row, contact_id, "failed", str(exc)),
                                       release_owner=self.owner, target=self.target)], self.audit_key)
            return
        row.note = note
        self.applied(row, record_id)

    def _reply(self, row: ActionRow, contact_id: str | None) -> tuple[str, str]:
        """A reply out (exactly once: see crm_crew/mail/replies_out.py), then its email activity on the contact;
        (the activity's id, or the Message-ID when there is no contact; the action's note)."""
        if self.replies is None:
            raise ConnectorError("replies are not set up in this process")
        note = self.replies.deliver(row, lambda: self._opted_out(contact_id))
        if not contact_id:
            return str(row.fields["message_id"]), note
        return self.connector.create("activity", reply_activity(row, contact_id), row.idempotency_key), note

    def _opted_out(self, contact_id: str | None) -> bool:
        """The contact's opt-out as the CRM holds it now: a shadow run's plan applied later may meet one made
        in between."""
        contact = self.connector.get_contact(contact_id) if contact_id else None
        return bool(contact is not None and contact.opted_out)

    def applied(self, row: ActionRow, record_id: str) -> None:
        row.record_id, row.status = record_id, "applied"
        self.store.record([Outcome(row, self.entry(row, record_id, "applied", row.note), mark_applied=True,
                                   release_owner=self.owner, target=self.target)], self.audit_key)

    def entry(self, row: ActionRow, record_id: str | None, outcome: str, detail: str | None = None) -> AuditEntry:
        update = self._is_update(row)
        if row.type == "send_reply":
            return AuditEntry(self.run_id, row.interaction_id, self.actor, row.agent, self.connector.name, "create",
                              row.object, record_id, None, audited(row, record_id if outcome == "applied" else None),
                              outcome, detail)
        return AuditEntry(self.run_id, row.interaction_id, self.actor, row.agent, self.connector.name,
                          "update" if update else "create", row.object, record_id,
                          row.before if update else None, dict(row.fields), outcome, detail)

    def _replan(self, row: ActionRow, contact_id: str | None, exc: StaleRecordError) -> None:
        """Someone changed the record since the plan: never overwrite their change.

        If the CRM already holds what the action would write, the action is done;
        otherwise it is skipped, with the current values in its note for a human.
        """
        current = exc.current
        row.record_id, row.status = contact_id, "skipped"
        if _holds(current, row.fields):
            row.note = "already so in the CRM (changed by someone else since the plan)"
            outcome = "already_so"
        else:
            changed = ", ".join(f"{k} is now {current.get(k)!r}" for k in (row.expected or {}) if k in current)
            row.note = f"not overwritten: the record changed in the CRM since the plan ({changed or exc})"
            outcome = "not_overwritten"
        entry = self.entry(row, contact_id, outcome, row.note)
        entry.before = {k: current.get(k) for k in row.fields}
        self.store.record([Outcome(row, entry, release_owner=self.owner, target=self.target)], self.audit_key)


def _holds(current: dict[str, Any], fields: dict[str, Any]) -> bool:
    return all(current.get(k) == v for k, v in fields.items())

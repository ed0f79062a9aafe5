"""The applying half of the write path: planned actions become CRM writes, exactly once.

Each action carries an idempotency key; a key applied before (in any run) is skipped, and
connectors store the key with the record so a crash between the write and the journal
entry cannot write twice.
"""

from __future__ import annotations

import threading
from zlib import crc32

from crm_crew.connectors.base import Connector
from crm_crew.errors import ConnectorError, CrmUnavailableError, StaleRecordError
from crm_crew.pipeline.plan import NEW_CONTACT
from crm_crew.store.base import ActionRow, Store

APPLICABLE = ("planned", "failed")


class Applier:
    def __init__(self, store: Store, connector: Connector, run_id: str) -> None:
        self.store = store
        self.connector = connector
        self.run_id = run_id
        self._locks = [threading.Lock() for _ in range(64)]

    def lock(self, key: str) -> threading.Lock:
        return self._locks[crc32(key.encode()) % len(self._locks)]

    def apply_interaction(self, rows: list[ActionRow]) -> list[ActionRow]:
        """Apply one interaction's actions in order; held and applied ones are left alone."""
        new_contact_id: str | None = None
        for row in rows:
            if row.type == "create_contact" and row.status in ("applied", "skipped"):
                new_contact_id = row.record_id
            if row.status not in APPLICABLE:
                continue
            contact_id = row.fields.get("contact_id") or row.record_id
            if row.contact_ref == NEW_CONTACT and row.type != "create_contact":
                if new_contact_id is None:
                    row.status, row.note = "failed", "the contact this action needs was not created"
                    self.store.update_action(row)
                    continue
                contact_id = new_contact_id
            with self.lock(row.idempotency_key):
                self.apply_one(row, contact_id)
            if row.type == "create_contact" and row.status in ("applied", "skipped"):
                new_contact_id = row.record_id
            self.store.update_action(row)
        return rows

    def apply_one(self, row: ActionRow, contact_id: str | None) -> None:
        """Apply one action (the caller holds its key's lock and journals the row)."""
        prior = self.store.applied_record(row.idempotency_key)
        if prior is not None:
            row.record_id, row.status = prior[0], "skipped"
            row.note = f"already applied in run {prior[1]}"
            return
        try:
            if row.type == "create_contact":
                record_id = self.connector.create("contact", row.fields, row.idempotency_key)
            elif row.object == "contact":
                if contact_id is None:
                    raise ConnectorError("no contact to update")
                row.before = self.connector.update("contact", contact_id, row.fields, row.expected)
                record_id = contact_id
            else:
                fields = {**row.fields, "contact_id": contact_id}
                record_id = self.connector.create(row.object, fields, row.idempotency_key)  # type: ignore[arg-type]
                row.fields = fields
        except StaleRecordError as exc:
            self._replan(row, contact_id, exc)
            return
        except CrmUnavailableError:
            raise
        except ConnectorError as exc:
            row.status, row.note = "failed", str(exc)
            return
        self.store.mark_applied(row.idempotency_key, record_id, self.run_id)
        row.record_id, row.status, row.note = record_id, "applied", None

    def _replan(self, row: ActionRow, contact_id: str | None, exc: StaleRecordError) -> None:
        """Someone changed the record since the plan: never overwrite their change.

        If the CRM already holds what the action would write, the action is done;
        otherwise it is skipped, with the current values in its note for a human.
        """
        current = exc.current
        if all(current.get(k) == v for k, v in row.fields.items()):
            row.record_id, row.status = contact_id, "skipped"
            row.note = "already so in the CRM (changed by someone else since the plan)"
            return
        changed = ", ".join(f"{k} is now {current.get(k)!r}" for k in (row.expected or {}) if k in current)
        row.status = "skipped"
        row.note = f"not overwritten: the record changed in the CRM since the plan ({changed or exc})"

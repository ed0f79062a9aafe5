"""`apply RUN_ID` for a whole run at once: creates go to the CRM in batches.

Three waves keep each interaction's order (its contact exists before anything is
attached to it): 1 new contacts, 2 updates of contacts (one by one: each is checked
against what the plan saw), 3 activities, cases and tasks, then 4 replies out. Connectors batch what their
API allows (HubSpot batch endpoints of 100, Salesforce composite of 200); the rest
create one by one. Idempotency is the same as for single actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crm_crew.errors import ConnectorError, CrmUnavailableError
from crm_crew.observability import tracing
from crm_crew.observability.tracing_names import batch_attributes
from crm_crew.pipeline.apply import CLAIM_LEASE_S, Applier
from crm_crew.pipeline.crashpoints import after_crm_write
from crm_crew.pipeline.plan import NEW_CONTACT
from crm_crew.store.base import APPLICABLE_STATUSES, ActionRow, Outcome

BATCH_SIZE = 100
CHILD_OBJECTS: tuple[str, ...] = ("activity", "case", "task")


def apply_batched(applier: Applier, groups: list[list[ActionRow]]) -> None:
    """Apply the pending actions of many interactions (each list: one interaction, in order)."""
    rows = [row for group in groups for row in group]
    creates = [row for row in rows if row.type == "create_contact"]
    _create_wave(applier, "contact", [(row, row.fields) for row in creates if row.status in APPLICABLE_STATUSES])
    new_contact = {row.interaction_id: row.record_id for row in creates
                   if row.status in ("applied", "skipped") and row.record_id}

    def contact_of(row: ActionRow) -> str | None:
        if row.contact_ref == NEW_CONTACT:
            return new_contact.get(row.interaction_id)
        return row.fields.get("contact_id") or row.record_id

    for row in rows:
        if row.object == "contact" and row.type != "create_contact" and row.status in APPLICABLE_STATUSES:
            contact_id = contact_of(row)
            if contact_id is None:
                _contact_missing(applier, row)
                continue
            applier.apply_one(row, contact_id)
    for obj in CHILD_OBJECTS:
        items: list[tuple[ActionRow, dict[str, Any]]] = []
        for row in rows:
            if row.object != obj or row.status not in APPLICABLE_STATUSES:
                continue
            contact_id = contact_of(row)
            if contact_id is None:
                _contact_missing(applier, row)
            else:
                items.append((row, {**row.fields, "contact_id": contact_id}))
        _create_wave(applier, obj, items)
    for row in rows:       # 4: replies out, one by one (a mail each, exactly once), once their contact exists
        if row.type == "send_reply" and row.status in APPLICABLE_STATUSES:
            contact_id = contact_of(row)
            if contact_id is None and row.contact_ref == NEW_CONTACT:
                _contact_missing(applier, row)
            else:
                applier.apply_one(row, contact_id)


def _contact_missing(applier: Applier, row: ActionRow) -> None:
    row.status, row.note = "failed", "the contact this action needs was not created"
    applier.store.update_action(row)


def _create_wave(applier: Applier, obj: str, items: list[tuple[ActionRow, dict[str, Any]]]) -> None:
    store = applier.store
    for chunk in _chunks(items, BATCH_SIZE):
        todo: list[tuple[ActionRow, dict[str, Any]]] = []
        first_of_key: dict[str, ActionRow] = {}
        repeats: list[ActionRow] = []
        busy: list[tuple[ActionRow, dict[str, Any]]] = []
        for row, fields in chunk:
            if row.idempotency_key in first_of_key:
                repeats.append(row)          # the same new sender twice in one run: one contact
                continue
            first_of_key[row.idempotency_key] = row
            claim = store.claim(row.idempotency_key, applier.run_id, applier.owner, CLAIM_LEASE_S, applier.target)
            if claim.state == "applied":
                applier.skip_applied(row, claim)
            elif claim.state == "busy":
                busy.append((row, fields))   # another process is on it: wait for it below
            else:
                todo.append((row, fields))
        for row, _ in todo:
            row.status = "applying"
        store.update_actions([row for row, _ in todo])
        try:
            with tracing.span(f"apply create_many {obj}", batch_attributes(applier.run_id, obj, len(todo))):
                results = applier.connector.create_many(obj, [(fields, row.idempotency_key) for row, fields in todo])  # type: ignore[arg-type]
        except CrmUnavailableError:
            for row, _ in todo:
                store.release(row.idempotency_key, applier.owner, applier.target)
            raise
        after_crm_write(len(todo))
        outcomes: list[Outcome] = []
        for (row, fields), result in zip(todo, results):
            if isinstance(result, ConnectorError):
                row.status, row.note = "failed", str(result)
                outcomes.append(Outcome(row, applier.entry(row, None, "failed", str(result)),
                                        release_owner=applier.owner, target=applier.target))
                continue
            if obj != "contact":
                row.fields = fields
            row.record_id, row.status, row.note = result, "applied", None
            outcomes.append(Outcome(row, applier.entry(row, result, "applied"), mark_applied=True,
                                    release_owner=applier.owner, target=applier.target))
        store.record(outcomes, applier.audit_key)
        for row, fields in busy:
            if obj != "contact":
                row.fields = fields
            applier.apply_one(row, fields.get("contact_id"))
        for row in repeats:
            first = first_of_key[row.idempotency_key]
            row.record_id, row.status = first.record_id, ("skipped" if first.status == "applied" else first.status)
            row.note = first.note if first.status != "applied" else f"same change as interaction {first.interaction_id}"
        store.update_actions(repeats)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

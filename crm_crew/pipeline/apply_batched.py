"""`apply RUN_ID` for a whole run at once: creates go to the CRM in batches.

Three waves keep each interaction's order (its contact exists before anything is
attached to it): 1 new contacts, 2 updates of contacts (one by one: each is checked
against what the plan saw), 3 activities, cases and tasks. Connectors batch what their
API allows (HubSpot batch endpoints of 100, Salesforce composite of 200); the rest
create one by one. Idempotency is the same as for single actions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from crm_crew.errors import ConnectorError
from crm_crew.pipeline.apply import APPLICABLE, Applier
from crm_crew.pipeline.plan import NEW_CONTACT
from crm_crew.store.base import ActionRow

BATCH_SIZE = 100
CHILD_OBJECTS: tuple[str, ...] = ("activity", "case", "task")


def apply_batched(applier: Applier, groups: list[list[ActionRow]]) -> None:
    """Apply the pending actions of many interactions (each list: one interaction, in order)."""
    rows = [row for group in groups for row in group]
    creates = [row for row in rows if row.type == "create_contact"]
    _create_wave(applier, "contact", [(row, row.fields) for row in creates if row.status in APPLICABLE])
    new_contact = {row.interaction_id: row.record_id for row in creates
                   if row.status in ("applied", "skipped") and row.record_id}

    def contact_of(row: ActionRow) -> str | None:
        if row.contact_ref == NEW_CONTACT:
            return new_contact.get(row.interaction_id)
        return row.fields.get("contact_id") or row.record_id

    for row in rows:
        if row.object == "contact" and row.type != "create_contact" and row.status in APPLICABLE:
            contact_id = contact_of(row)
            if contact_id is None:
                _contact_missing(applier, row)
                continue
            with applier.lock(row.idempotency_key):
                applier.apply_one(row, contact_id)
            applier.store.update_action(row)
    for obj in CHILD_OBJECTS:
        items: list[tuple[ActionRow, dict[str, Any]]] = []
        for row in rows:
            if row.object != obj or row.status not in APPLICABLE:
                continue
            contact_id = contact_of(row)
            if contact_id is None:
                _contact_missing(applier, row)
            else:
                items.append((row, {**row.fields, "contact_id": contact_id}))
        _create_wave(applier, obj, items)


def _contact_missing(applier: Applier, row: ActionRow) -> None:
    row.status, row.note = "failed", "the contact this action needs was not created"
    applier.store.update_action(row)


def _create_wave(applier: Applier, obj: str, items: list[tuple[ActionRow, dict[str, Any]]]) -> None:
    store = applier.store
    for chunk in _chunks(items, BATCH_SIZE):
        todo: list[tuple[ActionRow, dict[str, Any]]] = []
        first_of_key: dict[str, ActionRow] = {}
        repeats: list[ActionRow] = []
        for row, fields in chunk:
            prior = store.applied_record(row.idempotency_key)
            if prior is not None:
                row.record_id, row.status, row.note = prior[0], "skipped", f"already applied in run {prior[1]}"
                store.update_action(row)
            elif row.idempotency_key in first_of_key:
                repeats.append(row)          # the same new sender twice in one run: one contact
            else:
                first_of_key[row.idempotency_key] = row
                todo.append((row, fields))
        results = applier.connector.create_many(obj, [(fields, row.idempotency_key) for row, fields in todo])  # type: ignore[arg-type]
        for (row, fields), result in zip(todo, results):
            if isinstance(result, ConnectorError):
                row.status, row.note = "failed", str(result)
            else:
                store.mark_applied(row.idempotency_key, result, applier.run_id)
                row.record_id, row.status, row.note = result, "applied", None
                if obj != "contact":
                    row.fields = fields
            store.update_action(row)
        for row in repeats:
            first = first_of_key[row.idempotency_key]
            row.record_id, row.status = first.record_id, ("skipped" if first.status == "applied" else first.status)
            row.note = first.note if first.status != "applied" else f"same change as interaction {first.interaction_id}"
            store.update_action(row)


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

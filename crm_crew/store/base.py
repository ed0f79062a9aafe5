"""The Store protocol: run journal, plans, applied idempotency keys.

SQLite is the embedded default; a shared PostgreSQL store plugs in behind the same protocol.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


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

class Store(Protocol):
    def create_run(self, info: RunInfo) -> None: ...
    def finish_run(self, run_id: str, status: str, summary: dict[str, Any]) -> None: ...
    def update_summary(self, run_id: str, summary: dict[str, Any]) -> None: ...
    def get_run(self, run_id: str) -> RunInfo | None: ...
    def list_runs(self, limit: int = 50) -> list[RunInfo]: ...
    def save_result(self, run_id: str, record: dict[str, Any], actions: list[ActionRow]) -> None:
        """Journal one interaction's result record (without actions) and its planned actions."""
    def results(self, run_id: str) -> Iterator[dict[str, Any]]:
        """Result records in processing order, with their actions' current state."""
    def actions(self, run_id: str, interaction_id: str | None = None) -> list[ActionRow]: ...
    def update_action(self, row: ActionRow) -> None: ...
    def applied_record(self, idempotency_key: str) -> tuple[str, str] | None:
        """(record_id, run_id) when an action with this key was applied before."""
    def mark_applied(self, idempotency_key: str, record_id: str, run_id: str) -> None: ...
    def close(self) -> None: ...

"""Reads are cached for the run; every write drops what it could have changed."""

from __future__ import annotations

from pathlib import Path

from crm_crew.connectors.local import LocalCRM
from crm_crew.connectors.read_cache import CachedReads


class CountingCRM(LocalCRM):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.reads = 0

    def find_contact_by_email(self, email: str):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().find_contact_by_email(email)

    def recent_activities(self, contact_id: str, limit: int = 5):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().recent_activities(contact_id, limit)


def test_repeated_reads_cost_one_call_and_writes_invalidate(tmp_path: Path) -> None:
    inner = CountingCRM(tmp_path / "crm.sqlite")
    crm = CachedReads(inner)
    assert crm.find_contact_by_email("new@x.co") is None
    assert crm.find_contact_by_email(" NEW@x.co ") is None
    assert inner.reads == 1                                      # the negative answer is cached too
    contact_id = crm.create("contact", {"email": "new@x.co", "first_name": "N"}, "k1")
    found = crm.find_contact_by_email("new@x.co")
    assert found is not None and found.id == contact_id and inner.reads == 2
    found.first_name = "mutated by a caller"
    assert crm.find_contact_by_email("new@x.co").first_name == "N"  # type: ignore[union-attr]
    crm.update("contact", contact_id, {"first_name": "Nina"})
    assert crm.find_contact_by_email("new@x.co").first_name == "Nina"  # type: ignore[union-attr]
    assert crm.get_contact(contact_id).first_name == "Nina"  # type: ignore[union-attr]

    assert crm.recent_activities(contact_id) == []
    reads = inner.reads
    assert crm.recent_activities(contact_id) == [] and inner.reads == reads
    crm.create("activity", {"contact_id": contact_id, "subject": "hello", "occurred_at": "2026-01-01"}, "k2")
    assert [a.subject for a in crm.recent_activities(contact_id)] == ["hello"]
    assert crm.hits >= 4 and crm.misses >= 4
    crm.close()

"""`get` and `delete` on every connector (what `rollback` builds on), each remote one over real HTTP
against its emulator, opened the way a run opens it (`open_connector`: remote ones behind the read cache)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crm_crew.connectors.base import (
    CONTACT_FIELDS,
    EXPORT_KEYS,
    RELATED_RECORDS,
    UNIFIED_FIELDS,
    Connector,
    ObjectType,
    clean_unified,
)
from crm_crew.connectors.options import ConnectorContext
from crm_crew.connectors.read_cache import CachedReads
from crm_crew.connectors.registry import open_connector
from crm_crew.connectors.retry import RetryPolicy
from crm_crew.errors import CrmRecordError
from crm_crew.testing import emulator_class
from crm_crew.testing.emulator import Emulator

# name -> (crm.type, extra options); "salesforce" makes new contacts Leads (the default), "salesforce-contact"
# makes them Contacts (cases then point at them by ContactId, and the org refuses to delete them while they do)
BACKENDS: dict[str, tuple[str, dict[str, Any]]] = {
    "local": ("local", {}),
    "salesforce": ("salesforce", {}),
    "salesforce-contact": ("salesforce", {"new_contact_object": "Contact"}),
    "hubspot": ("hubspot", {}),
    "rest": ("rest", {}),
}
REMOTE = [name for name, (kind, _) in BACKENDS.items() if kind != "local"]

CONTACT = {"email": " Ada.Lovelace@Example.COM ", "first_name": " Ada ", "last_name": "Lovelace",
           "company": "Analytical Engines Ltd", "phone": "+44 20 7946 0000", "tier": "premium",
           "lead_status": "Working", "opted_out": "yes"}


def children(contact_id: str) -> dict[str, dict[str, Any]]:
    return {
        "activity": {"contact_id": contact_id, "subject": " Pricing question ", "kind": "email",
                     "occurred_at": "2026-03-01T10:15:30+00:00", "description": "Hello,\n\nhow much is it?",
                     "intent": "pricing", "sentiment": "negative", "interaction_id": "<msg-1=a b@example.com>"},
        "case": {"contact_id": contact_id, "subject": "Refund for order 42", "description": "Charged twice.",
                 "priority": "Critical", "status": "New", "origin": "web_form", "reason": "refund"},
        "task": {"contact_id": contact_id, "subject": "Callback requested", "kind": "callback",
                 "due_date": "2026-03-05", "status": "Open", "description": "Call before noon"},
    }


@dataclass
class Backend:
    name: str
    crm: Connector
    emulator: Emulator | None
    path: Path | None = None                 # the local CRM's SQLite file

    def sql(self, statement: str, *params: Any) -> None:
        """Someone else writes to the local CRM (another process on the same file)."""
        assert self.path is not None
        with sqlite3.connect(self.path) as db:
            db.execute(statement, params)

    def edit(self, record_id: str, native: dict[str, tuple[str, dict[str, Any]]]) -> None:
        """Someone else changes a record: native = {crm.type: (its object name, {its field: value})}."""
        if self.emulator is None:
            table, columns = native["local"]
            for column, value in columns.items():
                self.sql(f"UPDATE {table} SET {column} = ?, updated_at = 'later' WHERE id = ?", value, record_id)
            return
        native_obj, fields = native[self.emulator.name]
        self.emulator.external_edit(native_obj, record_id, fields)


@pytest.fixture(scope="module")
def emulators() -> Iterator[dict[str, Emulator]]:
    running: dict[str, Emulator] = {}
    yield running
    for emulator in running.values():
        emulator.stop()


def open_backend(name: str, emulators: dict[str, Emulator], tmp_path: Path) -> Backend:
    kind, extra = BACKENDS[name]
    retry = RetryPolicy(max_attempts=8, base_delay_s=0.001, max_delay_s=0.01)
    if kind == "local":
        path = tmp_path / "crm.sqlite"
        crm = open_connector("local", {"path": str(path)}, ConnectorContext(tmp_path, retry, 5.0, env={}))
        return Backend(name, crm, None, path)
    if kind not in emulators:
        emulators[kind] = emulator_class(kind)().start()
    emulator = emulators[kind]
    emulator.reset()
    wiring = emulator.connection()
    ctx = ConnectorContext(tmp_path, retry, 5.0, env=wiring["env"])
    return Backend(name, open_connector(kind, {**wiring["crm"]["options"], **extra}, ctx), emulator)


@pytest.fixture(params=list(BACKENDS))
def backend(request: pytest.FixtureRequest, emulators: dict[str, Emulator], tmp_path: Path) -> Iterator[Backend]:
    opened = open_backend(request.param, emulators, tmp_path)
    yield opened
    opened.crm.close()


@pytest.fixture(params=REMOTE)
def remote(request: pytest.FixtureRequest, emulators: dict[str, Emulator], tmp_path: Path) -> Iterator[Backend]:
    opened = open_backend(request.param, emulators, tmp_path)
    yield opened
    opened.crm.close()


def assert_reads_back(crm: Connector, obj: ObjectType, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    got = crm.get(obj, record_id)
    assert got is not None and got["id"] == record_id
    assert set(UNIFIED_FIELDS[obj]) <= set(got)
    lossy = crm.lossy_fields.get(obj, frozenset())
    written = {k: v for k, v in clean_unified(obj, fields).items() if k not in lossy}
    assert {k: got[k] for k in written} == written
    return got


def create_all(crm: Connector, suffix: str = "") -> tuple[str, dict[str, str]]:
    contact_id = crm.create("contact", CONTACT, f"k-contact{suffix}")
    ids = {obj: crm.create(obj, fields, f"k-{obj}{suffix}")  # type: ignore[arg-type]
           for obj, fields in children(contact_id).items()}
    return contact_id, ids


# -- get --------------------------------------------------------------------------------------


def test_created_records_read_back_as_written_and_as_exported(backend: Backend) -> None:
    crm = backend.crm
    contact_id, ids = create_all(crm)
    contact = assert_reads_back(crm, "contact", contact_id, CONTACT)
    assert set(CONTACT_FIELDS) <= set(contact)
    assert (contact["email"], contact["first_name"], contact["opted_out"]) == ("ada.lovelace@example.com", "Ada",
                                                                                True)
    for obj, fields in children(contact_id).items():
        assert_reads_back(crm, obj, ids[obj], fields)  # type: ignore[arg-type]
    exported = crm.export_all()
    for obj, record_id in [("contact", contact_id), *ids.items()]:
        entry = next(r for r in exported[EXPORT_KEYS[obj]] if r["id"] == record_id)
        got = crm.get(obj, record_id)  # type: ignore[arg-type]
        assert got is not None and {k: got[k] for k in entry} == entry
        assert set(got) - set(entry) <= {"idempotency_key"}
        if "idempotency_key" in got and (obj != "contact" or backend.name != "hubspot"):
            assert got["idempotency_key"] == f"k-{obj}"                # the key it was created with


def test_values_a_crm_stores_in_another_form_still_read_back_as_written(backend: Backend) -> None:
    """A 300-character subject (Salesforce cuts Subject at 255), times with an offset, microseconds
    or a Z (HubSpot keeps UTC milliseconds), a date-time as a due date (date-only fields), blank
    optional contact fields (Salesforce writes "[not provided]" into required ones)."""
    crm = backend.crm
    sparse = {"email": "blank@example.com", "first_name": "", "last_name": "", "company": "", "phone": "",
              "tier": "", "lead_status": "New", "opted_out": False}
    contact_id = crm.create("contact", sparse, "k-sparse")
    assert_reads_back(crm, "contact", contact_id, sparse)
    odd = {
        "activity": {"contact_id": contact_id, "subject": "S" * 150 + " " + "t" * 149, "kind": "chat",
                     "occurred_at": "2026-03-01T12:15:30.123456+02:00", "description": "", "intent": "",
                     "sentiment": "", "interaction_id": "chat-7"},
        "case": {"contact_id": contact_id, "subject": "x" * 300, "description": "", "priority": "High",
                 "status": "New", "origin": "chat", "reason": ""},
        "task": {"contact_id": contact_id, "subject": "Quote", "kind": "quote", "due_date": "2026-03-05T09:00:00Z",
                 "status": "Open", "description": ""},
    }
    for obj, fields in odd.items():
        record_id = crm.create(obj, fields, f"k-odd-{obj}")  # type: ignore[arg-type]
        assert_reads_back(crm, obj, record_id, fields)  # type: ignore[arg-type]
    zulu = {"contact_id": contact_id, "subject": "z", "kind": "email", "occurred_at": "2026-03-02T08:00:00Z"}
    assert_reads_back(crm, "activity", crm.create("activity", zulu, "k-zulu"), zulu)


CASE_PRIORITY_LOW = {"local": ("cases", {"priority": "Low"}), "salesforce": ("Case", {"Priority": "Low"}),
                     "hubspot": ("tickets", {"hs_ticket_priority": "LOW"}), "rest": ("cases", {"priority": "Low"})}
TASK_DUE_APRIL = {"local": ("tasks", {"due_date": "2026-04-01"}), "salesforce": ("Task", {"ActivityDate": "2026-04-01"}),
                  "hubspot": ("tasks", {"hs_timestamp": "2026-04-01T00:00:00.000Z"}),
                  "rest": ("tasks", {"due_date": "2026-04-01"})}


def test_updates_and_external_edits_show(backend: Backend) -> None:
    crm = backend.crm
    contact_id, ids = create_all(crm)
    crm.update("case", ids["case"], {"status": "Closed"})
    crm.update("contact", contact_id, {"lead_status": "New", "opted_out": False})
    case = crm.get("case", ids["case"])
    contact = crm.get("contact", contact_id)
    assert case is not None and (case["status"], case["priority"]) == ("Closed", "Critical")
    assert contact is not None and (contact["lead_status"], contact["opted_out"]) == ("New", False)
    backend.edit(ids["case"], CASE_PRIORITY_LOW)
    case = crm.get("case", ids["case"])
    assert case is not None and (case["priority"], case["status"]) == ("Low", "Closed")
    # a due date remembered in its written form (a date-time) gives way to an edit of the stored date
    task_id = crm.create("task", {"contact_id": contact_id, "subject": "t", "due_date": "2026-03-05T09:00:00Z",
                                  "status": "Open"}, "k-due")
    backend.edit(task_id, TASK_DUE_APRIL)
    task = crm.get("task", task_id)
    assert task is not None and task["due_date"] == "2026-04-01"


def test_get_and_delete_of_ids_that_do_not_exist(backend: Backend) -> None:
    crm = backend.crm
    contact_id, ids = create_all(crm)
    unknown = {"local": {"contact": "C-00000000", "activity": "A-00000000"},
               "salesforce": {"contact": "00Q5g0000099999AAA", "activity": "00T5g0000099999AAA"},
               "hubspot": {"contact": "999999", "activity": "999999"},
               "rest": {"contact": "con_999999", "activity": "act_999999"}}
    kind = BACKENDS[backend.name][0]
    for obj in ("contact", "activity"):
        for record_id in (unknown[kind][obj], "no-such-id", ""):
            assert crm.get(obj, record_id) is None  # type: ignore[arg-type]
            assert crm.delete(obj, record_id) is False  # type: ignore[arg-type]
    assert crm.get("contact", contact_id) is not None and crm.get("activity", ids["activity"]) is not None


# -- delete -----------------------------------------------------------------------------------


def test_children_first_then_the_contact(backend: Backend) -> None:
    crm = backend.crm
    contact_id, ids = create_all(crm)
    with pytest.raises(CrmRecordError, match=rf"contact {contact_id} still has 3 related record\(s\) "
                                             r"\(activities/cases/tasks\)") as refused:
        crm.delete("contact", contact_id)
    assert refused.value.code == RELATED_RECORDS
    assert crm.get("contact", contact_id) is not None
    assert all(crm.get(obj, i) is not None for obj, i in ids.items())  # type: ignore[arg-type]
    for obj, record_id in ids.items():
        assert crm.delete(obj, record_id) is True  # type: ignore[arg-type]
        assert crm.get(obj, record_id) is None  # type: ignore[arg-type]
        assert crm.delete(obj, record_id) is False  # type: ignore[arg-type]
        if obj != "task":
            with pytest.raises(CrmRecordError, match="still has [12] related"):
                crm.delete("contact", contact_id)
    assert crm.delete("contact", contact_id) is True
    assert crm.get("contact", contact_id) is None
    assert crm.delete("contact", contact_id) is False
    assert crm.find_contact_by_email(CONTACT["email"]) is None
    assert all(rows == [] for rows in crm.export_all().values())


def test_a_key_used_before_the_delete_creates_again(backend: Backend) -> None:
    crm = backend.crm
    contact_id, ids = create_all(crm)
    for obj in ("activity", "case", "task"):
        assert crm.delete(obj, ids[obj]) is True  # type: ignore[arg-type]
        again = crm.create(obj, children(contact_id)[obj], f"k-{obj}")  # type: ignore[arg-type]
        assert_reads_back(crm, obj, again, children(contact_id)[obj])  # type: ignore[arg-type]
        assert crm.create(obj, children(contact_id)[obj], f"k-{obj}") == again  # type: ignore[arg-type]
        assert crm.delete(obj, again) is True  # type: ignore[arg-type]
    assert crm.delete("contact", contact_id) is True
    contact_again, ids_again = create_all(crm)
    assert_reads_back(crm, "contact", contact_again, CONTACT)
    for obj, fields in children(contact_again).items():
        assert_reads_back(crm, obj, ids_again[obj], fields)  # type: ignore[arg-type]
    assert crm.find_contact_by_email(CONTACT["email"]).id == contact_again  # type: ignore[union-attr]
    exported = crm.export_all()
    assert [len(exported[EXPORT_KEYS[obj]]) for obj in ("contact", "activity", "case", "task")] == [1, 1, 1, 1]


def test_delete_whose_answer_is_lost_still_removes_and_says_so(remote: Backend) -> None:
    emulator, crm = remote.emulator, remote.crm
    assert emulator is not None
    contact_id, ids = create_all(crm)
    emulator.faults.schedule(500, method="DELETE", after=True)          # deleted, then the answer is lost
    assert crm.delete("activity", ids["activity"]) is True
    assert crm.get("activity", ids["activity"]) is None
    emulator.faults.schedule(503, method="DELETE")                      # refused before deleting: retried
    emulator.faults.schedule(429, method="DELETE", retry_after_s=0)
    assert crm.delete("case", ids["case"]) is True
    assert crm.get("case", ids["case"]) is None
    statuses = [r.status for r in emulator.requests_matching("DELETE")]
    assert statuses[:2] == [500, 404 if emulator.name != "hubspot" else 204] and 503 in statuses and 429 in statuses


def test_deletes_under_random_faults_after_writes(remote: Backend) -> None:
    emulator, crm = remote.emulator, remote.crm
    assert emulator is not None
    made = [create_all(crm)]
    for n in range(1, 4):
        fields = {**CONTACT, "email": f"c{n}@example.com"}
        contact_id = crm.create("contact", fields, f"k-c{n}")
        made.append((contact_id, {obj: crm.create(obj, f, f"k-{obj}-{n}")  # type: ignore[arg-type]
                                  for obj, f in children(contact_id).items()}))
    emulator.faults.configure(rate_429=0.1, rate_5xx=0.2, after_ratio=1.0, retry_after_s=0, seed=3)
    for contact_id, ids in made:
        for obj, record_id in ids.items():
            assert crm.delete(obj, record_id) is True  # type: ignore[arg-type]
        assert crm.delete("contact", contact_id) is True
    emulator.faults.configure(rate_429=0, rate_5xx=0)
    assert all(rows == [] for rows in crm.export_all().values())
    statuses = [r.status for r in emulator.requests_matching("DELETE")]
    assert sum(s >= 500 for s in statuses) >= 2


# -- read cache ------------------------------------------------------------------------------


def test_the_read_cache_forgets_what_a_delete_removed(backend: Backend) -> None:
    crm = backend.crm if isinstance(backend.crm, CachedReads) else CachedReads(backend.crm)
    contact_id, ids = create_all(crm)
    found = crm.find_contact_by_email(CONTACT["email"])
    assert found is not None and found.id == contact_id and crm.get_contact(contact_id) is not None
    assert [a.id for a in crm.recent_activities(contact_id)] == [ids["activity"]]
    misses = crm.misses
    crm.find_contact_by_email(CONTACT["email"])
    crm.recent_activities(contact_id)
    assert crm.misses == misses                                        # both answered from the cache
    assert crm.delete("activity", ids["activity"]) is True
    assert crm.recent_activities(contact_id) == []
    for obj in ("case", "task"):
        crm.delete(obj, ids[obj])  # type: ignore[arg-type]
    assert crm.delete("contact", contact_id) is True
    assert crm.find_contact_by_email(CONTACT["email"]) is None
    assert crm.get_contact(contact_id) is None
    assert crm.search_contacts("Ada Lovelace", "Analytical") == []
    before = crm.misses
    assert crm.get("contact", contact_id) is None and crm.get("contact", contact_id) is None
    assert crm.misses == before                                        # get is never cached (nor counted)


def test_salesforce_refusing_a_contact_with_a_case_attached_after_the_check(
        emulators: dict[str, Emulator], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_crew.connectors.salesforce import deletion

    backend = open_backend("salesforce-contact", emulators, tmp_path)
    crm = backend.crm
    contact_id = crm.create("contact", CONTACT, "k-contact")
    case_id = crm.create("case", children(contact_id)["case"], "k-case")
    monkeypatch.setattr(deletion, "_related", lambda *args: {"activity": 0, "case": 0, "task": 0})  # the case lands after the check
    with pytest.raises(CrmRecordError, match=rf"contact {contact_id} still has 1 related record\(s\)") as refused:
        crm.delete("contact", contact_id)
    assert refused.value.code == RELATED_RECORDS and "DELETE_FAILED" in str(refused.value.__cause__)
    assert crm.get("contact", contact_id) is not None and crm.get("case", case_id) is not None
    crm.close()

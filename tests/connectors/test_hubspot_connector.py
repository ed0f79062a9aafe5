"""The HubSpot connector against the HubSpot emulator, over real HTTP with hubspot-api-client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.connectors.base import ObjectType
from crm_crew.connectors.hubspot.connector import HubSpotConnector, open_hubspot
from crm_crew.connectors.options import ConnectorContext
from crm_crew.connectors.retry import RetryPolicy
from crm_crew.errors import CrmAuthError, CrmLimitReached, CrmRecordError, StaleRecordError, UserError
from crm_crew.testing.emulator import DEFAULT_TOKEN
from crm_crew.testing.hubspot import HubSpotEmulator

ANN = {"email": "Ann@Example.com", "first_name": "Ann", "last_name": "Lee", "company": "Acme", "phone": "+1 555",
       "tier": "premium", "lead_status": "Nurturing", "opted_out": True}


@pytest.fixture(scope="module")
def server() -> Iterator[HubSpotEmulator]:
    emulator = HubSpotEmulator(page_size=7)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(server: HubSpotEmulator) -> HubSpotEmulator:
    server.reset()
    server.token = DEFAULT_TOKEN
    return server


def connect(emulator: HubSpotEmulator, tmp_path: Path, **options: Any) -> HubSpotConnector:
    wiring = emulator.connection()
    ctx = ConnectorContext(home=tmp_path, retry=RetryPolicy(base_delay_s=0.001, max_delay_s=0.01),
                           timeout_s=5, env=wiring["env"])
    return open_hubspot({**wiring["crm"]["options"], **options}, ctx)


@pytest.fixture
def crm(emulator: HubSpotEmulator, tmp_path: Path) -> HubSpotConnector:
    return connect(emulator, tmp_path)


def make_contact(crm: HubSpotConnector, email: str = "ann@example.com", **fields: Any) -> str:
    return crm.create("contact", {"email": email, **fields}, "")


def test_contact_round_trip_and_native_values(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    contact_id = crm.create("contact", ANN, "k-ann")
    contact = crm.get_contact(contact_id)
    assert contact is not None
    assert {k: getattr(contact, k) for k in ANN} == {**ANN, "email": "ann@example.com"}
    assert contact.updated_at.endswith("Z")
    props = emulator.snapshot()["contacts"][0]["properties"]
    assert (props["hs_lead_status"], props["hs_email_optout"], props["customer_tier"]) == ("OPEN", "true", "premium")
    found = crm.find_contact_by_email("  ANN@example.COM ")
    assert found is not None and found.id == contact_id
    assert crm.find_contact_by_email("nobody@example.com") is None
    assert crm.get_contact("999999") is None


def test_contact_create_matches_existing_email(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    first = make_contact(crm, first_name="Ann")
    again = crm.create("contact", {"email": " ANN@Example.com", "first_name": "Other"}, "")
    assert again == first
    contacts = emulator.snapshot()["contacts"]
    assert len(contacts) == 1 and contacts[0]["properties"]["firstname"] == "Ann"
    with pytest.raises(CrmRecordError, match="not a valid email"):
        crm.create("contact", {"email": "nope"}, "")


def test_activity_task_case_round_trip(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm)
    activity = {"contact_id": contact_id, "subject": "Refund please", "kind": "email",
                "occurred_at": "2024-05-01T10:00:00+00:00", "description": "Line one\nline two",
                "intent": "refund request", "sentiment": "negative", "interaction_id": "<msg-001@x.com>"}
    task = {"contact_id": contact_id, "subject": "Call requested: Refund", "kind": "call", "due_date": "2024-05-03",
            "status": "Open", "description": "call back"}
    case = {"contact_id": contact_id, "subject": "Broken", "description": "It broke", "priority": "Critical",
            "status": "New", "origin": "web_form", "reason": "defect"}
    creates: tuple[tuple[ObjectType, dict[str, Any]], ...] = (("activity", activity), ("task", task), ("case", case))
    ids = {obj: crm.create(obj, fields, f"key-{obj}") for obj, fields in creates}
    exported = crm.export_all()
    assert [{k: r[k] for k in activity} | {"id": r["id"]} for r in exported["activities"]] == \
        [activity | {"id": ids["activity"]}]
    assert [{k: r[k] for k in task} for r in exported["tasks"]] == [task]
    assert [{k: r[k] for k in case} for r in exported["cases"]] == [case]
    snap = emulator.snapshot()
    note = snap["notes"][0]["properties"]
    assert note["hs_timestamp"] == "2024-05-01T10:00:00.000Z" and note["crm_crew_key"] == "key-activity"
    assert note["hs_note_body"].startswith("Refund please\n\nLine one\nline two\n\n[crm-crew] ")
    task_props = snap["tasks"][0]["properties"]
    assert (task_props["hs_task_status"], task_props["hs_task_type"], task_props["hs_timestamp"]) == \
        ("NOT_STARTED", "CALL", "2024-05-03T00:00:00.000Z")
    ticket = snap["tickets"][0]["properties"]
    assert (ticket["hs_ticket_priority"], ticket["source_type"], ticket["hs_pipeline"],
            ticket["hs_pipeline_stage"]) == ("URGENT", "FORM", "0", "1")
    assert sorted(a["type_id"] for a in snap["associations"]) == [16, 202, 204]


def test_recent_activities_newest_first(crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm)
    other = make_contact(crm, "bob@example.com")
    for n, day in enumerate(("2024-05-02", "2024-05-05", "2024-05-01", "2024-05-04")):
        crm.create("activity", {"contact_id": contact_id, "subject": f"s{n}", "kind": "chat",
                                "occurred_at": f"{day}T09:00:00+00:00"}, f"a{n}")
    crm.create("activity", {"contact_id": other, "subject": "not mine", "kind": "chat"}, "b0")
    recent = crm.recent_activities(contact_id, limit=3)
    assert [(a.subject, a.occurred_at) for a in recent] == [
        ("s1", "2024-05-05T09:00:00+00:00"), ("s3", "2024-05-04T09:00:00+00:00"), ("s0", "2024-05-02T09:00:00+00:00")]
    assert {a.contact_id for a in recent} == {contact_id} and recent[0].kind == "chat"
    assert crm.recent_activities("999999") == []


def test_same_key_twice_creates_one_record(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm)
    fields = {"contact_id": contact_id, "subject": "Hi", "kind": "email", "occurred_at": "2024-05-01T10:00:00Z"}
    assert crm.create("activity", fields, "same") == crm.create("activity", fields, "same")
    snap = emulator.snapshot()
    assert len(snap["notes"]) == 1 and len(snap["associations"]) == 1


def test_lost_responses_and_429s_never_duplicate(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    emulator.faults.configure(rate_429=0.1, rate_5xx=0.1, after_ratio=0.5, seed=1, retry_after_s=0)
    contact_ids = [crm.create("contact", {"email": f"c{n}@example.com", "first_name": f"C{n}"}, "")
                   for n in range(10)]
    note_ids = [crm.create("activity", {"contact_id": contact_ids[n % 10], "subject": f"n{n}", "kind": "email",
                                        "occurred_at": "2024-05-01T10:00:00Z"}, f"note-{n}") for n in range(60)]
    emulator.faults.configure(rate_429=0, rate_5xx=0)
    snap = emulator.snapshot()
    assert len(set(contact_ids)) == 10 and len(snap["contacts"]) == 10
    assert len(set(note_ids)) == 60 and len(snap["notes"]) == 60
    assert len(snap["associations"]) == 60
    statuses = [r.status for r in emulator.requests_matching()]
    assert statuses.count(429) >= 5 and sum(1 for s in statuses if s >= 500) >= 5
    assert emulator.requests_matching("POST", "/crm/v3/objects/contacts")  # the 409 path was taken too
    assert crm.ctx.retry.stats.retries >= 10


def test_expired_token_is_auth_error(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    emulator.expire_session()
    with pytest.raises(CrmAuthError) as caught:
        crm.find_contact_by_email("ann@example.com")
    assert str(caught.value) == "credentials rejected by hubspot: check HUBSPOT_ACCESS_TOKEN"
    assert len(emulator.requests_matching()) == 1


def test_missing_token_and_bad_options(emulator: HubSpotEmulator, tmp_path: Path) -> None:
    ctx = ConnectorContext(home=tmp_path, env={})
    with pytest.raises(UserError, match="HUBSPOT_ACCESS_TOKEN is not set"):
        open_hubspot({"base_url": emulator.url}, ctx)
    with pytest.raises(UserError, match="crm.options.acces_token_env: unknown option"):
        open_hubspot({"acces_token_env": "X"}, ctx)


def test_daily_limit_stops_the_run(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    emulator.daily_limit = 3
    make_contact(crm)
    crm.find_contact_by_email("ann@example.com")
    crm.find_contact_by_email("ann@example.com")          # Daily-Remaining: 0 in this answer
    with pytest.raises(CrmLimitReached, match="resume the run after that"):
        crm.find_contact_by_email("ann@example.com")
    assert len(emulator.requests_matching()) == 3         # the gate did not send the fourth
    emulator.daily_limit = 0
    fresh = connect(emulator, crm.ctx.home)
    with pytest.raises(CrmLimitReached):
        fresh.get_contact("1001")


def test_stale_update_writes_nothing(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm, first_name="Ann", lead_status="New")
    emulator.external_edit("contacts", contact_id, {"firstname": "Zed"})
    with pytest.raises(StaleRecordError) as caught:
        crm.update("contact", contact_id, {"lead_status": "Working"}, expected={"first_name": "Ann"})
    assert "first_name='Zed'" in str(caught.value) and caught.value.current["first_name"] == "Zed"
    assert emulator.snapshot()["contacts"][0]["properties"]["hs_lead_status"] == "NEW"
    assert emulator.requests_matching("PATCH") == []
    before = crm.update("contact", contact_id, {"lead_status": "Working", "opted_out": True},
                        expected={"first_name": "Zed", "lead_status": "New"})
    assert before == {"lead_status": "New", "opted_out": False}
    props = emulator.snapshot()["contacts"][0]["properties"]
    assert (props["hs_lead_status"], props["hs_email_optout"]) == ("IN_PROGRESS", "true")


def test_change_between_read_and_write_is_rechecked(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm, first_name="Ann", phone="1")
    reads = {"n": 0}
    real_get = crm._get

    def get_then_someone_edits(obj: str, record_id: str, id_property: str | None = None) -> Any:
        record = real_get(obj, record_id, id_property)
        reads["n"] += 1
        if reads["n"] == 1:       # another user edits right after our first read
            emulator.external_edit("contacts", contact_id, {"phone": "2"})
        return record

    crm._get = get_then_someone_edits  # type: ignore[method-assign]
    crm.update("contact", contact_id, {"last_name": "Lee"}, expected={"first_name": "Ann"})
    assert reads["n"] == 3                  # read, re-read (changed: recheck), re-read (unchanged): write
    assert emulator.snapshot()["contacts"][0]["properties"]["lastname"] == "Lee"
    reads["n"] = 0
    emulator.external_edit("contacts", contact_id, {"firstname": "Ann"})

    def get_then_name_changes(obj: str, record_id: str, id_property: str | None = None) -> Any:
        record = real_get(obj, record_id, id_property)
        reads["n"] += 1
        if reads["n"] == 1:
            emulator.external_edit("contacts", contact_id, {"firstname": "Zed"})
        return record

    crm._get = get_then_name_changes  # type: ignore[method-assign]
    with pytest.raises(StaleRecordError):
        crm.update("contact", contact_id, {"last_name": "Max"}, expected={"first_name": "Ann"})
    assert emulator.snapshot()["contacts"][0]["properties"]["lastname"] == "Lee"


def test_update_activity_rewrites_body_footer(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm)
    note_id = crm.create("activity", {"contact_id": contact_id, "subject": "S", "kind": "email", "intent": "a",
                                      "occurred_at": "2024-05-01T10:00:00Z"}, "k")
    assert crm.update("activity", note_id, {"intent": "b"}, expected={"intent": "a"}) == {"intent": "a"}
    assert crm.recent_activities(contact_id)[0].intent == "b"
    with pytest.raises(CrmRecordError, match="no note with id 999"):
        crm.update("activity", "999", {"intent": "c"})


def test_create_many_contacts_in_batches(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    existing = make_contact(crm, "c3@example.com", first_name="Keep")
    items = [({"email": f"C{n}@example.com", "first_name": f"N{n}"}, "") for n in range(150)]
    items.append(({"email": "broken"}, ""))
    items.append(({"email": "c7@example.com"}, ""))
    results = crm.create_many("contact", items)
    assert len(results) == 152 and results[3] == existing
    assert isinstance(results[150], CrmRecordError)
    assert results[151] == results[7]
    assert len({r for r in results if isinstance(r, str)}) == 150
    assert len(emulator.requests_matching("POST", "/crm/v3/objects/contacts/batch/read")) == 2
    assert len(emulator.requests_matching("POST", "/crm/v3/objects/contacts/batch/upsert")) == 2
    kept = [c for c in emulator.snapshot()["contacts"] if c["id"] == existing][0]
    assert kept["properties"]["firstname"] == "Keep"


def test_create_many_notes_batches_and_isolates_errors(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm)
    items = [({"contact_id": contact_id, "subject": f"n{n}", "kind": "email", "occurred_at": "2024-05-01T10:00:00Z"},
              f"key-{n}") for n in range(120)]
    items[5] = ({**items[5][0], "contact_id": "424242"}, "key-5")
    results = crm.create_many("activity", items)
    assert isinstance(results[5], CrmRecordError) and "contact 424242" in str(results[5])
    assert all(isinstance(r, str) for i, r in enumerate(results) if i != 5)
    assert len(emulator.requests_matching("POST", "/crm/v3/objects/notes/batch/upsert")) == 2
    assert len(emulator.requests_matching("POST", "/crm/v4/associations/notes/contacts/batch/create")) == 2
    again = crm.create_many("activity", items[:10])
    assert again[:5] == results[:5] and len(emulator.snapshot()["notes"]) == 120


def test_create_many_falls_back_per_item_when_batch_refused(emulator: HubSpotEmulator,
                                                           crm: HubSpotConnector) -> None:
    contact_id = make_contact(crm)
    items = [({"contact_id": contact_id, "subject": "t", "kind": "call", "due_date": "2024-05-03",
               "status": "Open"}, "t1"),
             ({"contact_id": contact_id, "subject": "t", "kind": "call", "due_date": "2024-05-03",
               "status": "Someday"}, "t2")]
    results = crm.create_many("task", items)
    assert isinstance(results[0], str)
    assert isinstance(results[1], CrmRecordError)
    assert str(results[1]).startswith("hubspot refused to create task: 400 VALIDATION_ERROR: Property values were")
    assert results[1].status == 400 and results[1].code == "VALIDATION_ERROR"
    assert len(emulator.snapshot()["tasks"]) == 1


def test_export_all_pages(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    ids = [make_contact(crm, f"p{n}@example.com", first_name=f"P{n}") for n in range(16)]
    exported = crm.export_all()
    assert [c["id"] for c in exported["contacts"]] == ids
    assert exported["contacts"][4]["first_name"] == "P4"
    assert len(emulator.requests_matching("GET", "/crm/v3/objects/contacts")) == 3     # pages of 7
    assert exported["activities"] == exported["cases"] == exported["tasks"] == []


def test_search_contacts_candidates(crm: HubSpotConnector) -> None:
    samuel = make_contact(crm, "s1@example.com", first_name="Samuel", last_name="Smith", company="Acme Corp")
    sam = make_contact(crm, "s2@example.com", first_name="Sam", last_name="Jones", company="Other")
    bob = make_contact(crm, "s3@example.com", first_name="Bob", last_name="Brown", company="Acme")
    make_contact(crm, "s4@example.com", first_name="Alice", last_name="Wu", company="Initech")
    found = crm.search_contacts("Sam Smith", "Acme")
    assert [c.id for c in found] == [samuel, sam, bob]          # 3 shared tokens, then 1 each (by id)
    assert [c.id for c in crm.search_contacts("Sam Smith", "Acme", limit=1)] == [samuel]
    assert crm.search_contacts("", "") == []


def test_check_reports_permissions_and_budget(emulator: HubSpotEmulator, crm: HubSpotConnector) -> None:
    report = crm.check()
    assert report.permissions == {"contact:read": True, "activity:read": True, "task:read": True, "case:read": True,
                                  "activity:idempotent_create": True, "task:idempotent_create": True,
                                  "case:idempotent_create": True}
    assert report.ok and report.budget["daily_max"] == 250000
    assert report.budget["daily_remaining"] == 250000 - len(emulator.requests_matching())
    assert all(r.method == "GET" for r in emulator.requests_matching())
    bad = connect(emulator, crm.ctx.home, idempotency_property="missing_prop")
    assert bad.check().permissions["activity:idempotent_create"] is False
    emulator.expire_session()
    with pytest.raises(CrmAuthError):
        crm.check()


def test_rate_window_is_waited_out(tmp_path: Path) -> None:
    emulator = HubSpotEmulator(rate_limit=(4, 0.4))
    with emulator:
        crm = connect(emulator, tmp_path)
        started = time.monotonic()
        for _ in range(10):
            crm.get_contact("1001")
        elapsed = time.monotonic() - started
        assert [r.status for r in emulator.requests_matching()] == [404] * 10     # never a 429
        assert elapsed >= 0.8 and crm.gate.waited_s > 0
        emulator.faults.schedule(429)                    # no Retry-After: wait for the window
        started = time.monotonic()
        assert crm.get_contact("1001") is None
        assert time.monotonic() - started >= 0.35
        assert [r.status for r in emulator.requests_matching()][-2:] == [429, 404]


def test_plain_creates_without_idempotency_property(emulator: HubSpotEmulator, tmp_path: Path) -> None:
    crm = connect(emulator, tmp_path, idempotency_property=None)
    contact_id = make_contact(crm)
    case_id = crm.create("case", {"contact_id": contact_id, "subject": "x", "priority": "High", "status": "New",
                                  "origin": "chat"}, "k")
    assert emulator.requests_matching("POST", "/crm/v3/objects/tickets")[0].status == 201
    assert emulator.snapshot()["associations"][0]["from_id"] == case_id
    assert "crm_crew_key" not in emulator.snapshot()["tickets"][0]["properties"]

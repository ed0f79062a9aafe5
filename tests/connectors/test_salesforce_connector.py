"""The Salesforce connector over real HTTPS against the emulator (simple-salesforce, no mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.connectors.options import ConnectorContext
from crm_crew.connectors.retry import RetryPolicy
from crm_crew.connectors.salesforce.connector import SalesforceConnector, open_salesforce
from crm_crew.errors import (
    ConnectorError,
    CrmAuthError,
    CrmLimitReached,
    CrmRecordError,
    StaleRecordError,
    UserError,
)
from crm_crew.testing.salesforce import SalesforceEmulator

PAGE = 3


@pytest.fixture(scope="module")
def emulator() -> Iterator[SalesforceEmulator]:
    with SalesforceEmulator(page_size=PAGE) as em:
        yield em  # type: ignore[misc]


def _open(emulator: SalesforceEmulator, tmp_path: Path, **options: Any) -> SalesforceConnector:
    conn = emulator.connection()
    ctx = ConnectorContext(home=tmp_path, retry=RetryPolicy(base_delay_s=0.001, max_delay_s=0.01), timeout_s=5,
                           env=conn["env"])
    return open_salesforce({**conn["crm"]["options"], **options}, ctx)


@pytest.fixture
def sf(emulator: SalesforceEmulator, tmp_path: Path) -> Iterator[SalesforceConnector]:
    emulator.reset()
    connector = _open(emulator, tmp_path)
    yield connector
    connector.close()


CONTACT = {"email": "Ada@Example.com ", "first_name": "Ada", "last_name": "Lovelace", "company": "Analytical Ltd",
           "phone": "+44 1", "tier": "premium", "lead_status": "New", "opted_out": False}


def _contact_fields(contact: Any) -> dict[str, Any]:
    data = contact.to_dict()
    return {k: data[k] for k in CONTACT}


def test_lead_round_trip_and_match_by_email(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    lead_id = sf.create("contact", CONTACT, "k-contact-1")
    assert lead_id.startswith("00Q") and len(lead_id) == 18
    raw = emulator.snapshot()["Lead"][0]
    assert (raw["Email"], raw["Company"], raw["Status"], raw["Tier__c"]) == (
        "ada@example.com", "Analytical Ltd", "Open - Not Contacted", "premium")
    found = sf.find_contact_by_email("  ADA@example.COM")
    assert found is not None and found.id == lead_id
    assert _contact_fields(found) == {**CONTACT, "email": "ada@example.com"}
    got = sf.get_contact(lead_id)
    assert got is not None and got.updated_at == raw["LastModifiedDate"]
    assert sf.find_contact_by_email("nobody@example.com") is None


def test_contact_object_with_account_and_not_provided(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    emulator.reset()
    sf = _open(emulator, tmp_path, new_contact_object="Contact")
    first = sf.create("contact", {"email": "a@acme.test", "company": "Acme", "lead_status": "Working"}, "")
    second = sf.create("contact", {"email": "b@acme.test", "last_name": "B", "company": "Acme"}, "")
    snap = emulator.snapshot()
    assert [a["Name"] for a in snap["Account"]] == ["Acme"]
    assert {c["AccountId"] for c in snap["Contact"]} == {snap["Account"][0]["Id"]}
    assert snap["Contact"][0]["LastName"] == "[not provided]"
    assert snap["Contact"][0]["Lead_Status__c"] == "Working - Contacted"
    one = sf.get_contact(first)
    assert one is not None and (one.last_name, one.company, one.lead_status) == ("", "Acme", "Working")
    assert first.startswith("003") and second.startswith("003")
    sf.close()


def test_existing_email_resolves_without_a_write(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    first = sf.create("contact", {"email": "x@y.test", "last_name": "X"}, "k1")
    again = sf.create("contact", {"email": " X@Y.TEST", "last_name": "Other"}, "k2")
    assert again == first
    assert len(emulator.snapshot()["Lead"]) == 1
    assert emulator.snapshot()["Lead"][0]["LastName"] == "X"


def test_duplicate_rule_answer_gives_existing_id(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    existing = sf.create("contact", {"email": "dup@y.test"}, "")
    # the create itself (after the email lookup) meets the org's duplicate rule: the id comes from duplicateResult
    assert sf.insert("Lead", {"LastName": "Z", "Company": "C", "Email": "DUP@y.test"}, "") == existing
    assert len(emulator.snapshot()["Lead"]) == 1


def test_activity_task_case_round_trip(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    lead = sf.create("contact", {"email": "lead@y.test"}, "")
    contact = sf.insert("Contact", {"LastName": "C", "Email": "contact@y.test"}, "")
    activity = {"contact_id": lead, "subject": "Pricing?", "kind": "email", "occurred_at": "2026-11-21T10:00:00+00:00",
                "description": "Asked about pricing.\nTwo lines.", "intent": "sales inquiry", "sentiment": "neutral",
                "interaction_id": "msg-001"}
    task = {"contact_id": contact, "subject": "Call back", "kind": "call", "due_date": "2026-11-25",
            "status": "Open", "description": ""}
    case = {"contact_id": lead, "subject": "Broken", "description": "It broke", "priority": "Critical",
            "status": "New", "origin": "web_form", "reason": "Defect"}
    ids = {"activity": sf.create("activity", activity, "k-a"), "task": sf.create("task", task, "k-t"),
           "case": sf.create("case", case, "k-c")}
    snap = emulator.snapshot()
    raw_case = snap["Case"][0]
    assert (raw_case["Priority"], raw_case["Origin"], raw_case["ContactId"], raw_case["SuppliedEmail"]) == (
        "High", "Web", None, "lead@y.test")
    raw_tasks = {t["Id"]: t for t in snap["Task"]}
    assert raw_tasks[ids["activity"]]["Status"] == "Completed"
    assert raw_tasks[ids["activity"]]["ActivityDate"] == "2026-11-21"
    assert raw_tasks[ids["activity"]]["TaskSubtype"] == "Task"      # create-only: upserts cannot set it
    assert raw_tasks[ids["task"]]["Status"] == "Not Started"
    assert raw_tasks[ids["activity"]]["Description"].endswith(
        "[crm-crew] object=activity kind=email occurred_at=2026-11-21T10%3A00%3A00%2B00%3A00 "
        "intent=sales%20inquiry sentiment=neutral interaction=msg-001")
    exported = sf.export_all()
    strip = {"id", "updated_at"}
    assert [{k: v for k, v in a.items() if k not in strip} for a in exported["activities"]] == [activity]
    assert [{k: v for k, v in t.items() if k not in strip} for t in exported["tasks"]] == [task]
    assert [{k: v for k, v in c.items() if k not in strip} for c in exported["cases"]] == [case]
    assert [c["id"] for c in exported["contacts"]] == [contact, lead]


def test_recent_activities_newest_first(sf: SalesforceConnector) -> None:
    lead = sf.create("contact", {"email": "h@y.test"}, "")
    times = ["2026-11-20T09:00:00Z", "2026-11-21T08:00:00Z", "2026-11-21T17:30:00Z", "2026-11-21T12:00:00Z",
             "2026-11-19T23:00:00Z"]
    for n, when in enumerate(times):
        sf.create("activity", {"contact_id": lead, "subject": f"s{n}", "kind": "chat", "occurred_at": when}, f"a{n}")
    sf.create("task", {"contact_id": lead, "subject": "open", "due_date": "2026-12-01", "status": "Open"}, "t")
    recent = sf.recent_activities(lead, limit=2)
    assert [a.subject for a in recent] == ["s2", "s3"]
    assert [a.subject for a in sf.recent_activities(lead, limit=10)] == ["s2", "s3", "s1", "s0", "s4"]
    assert recent[0].kind == "chat" and recent[0].occurred_at == "2026-11-21T17:30:00Z"


def test_search_contacts_candidates(sf: SalesforceConnector) -> None:
    sam = sf.create("contact", {"email": "s@a.test", "first_name": "Samuel", "last_name": "Okafor",
                                "company": "Globex"}, "")
    sf.create("contact", {"email": "t@a.test", "first_name": "Tina", "last_name": "Okafor", "company": "Initech"}, "")
    sf.create("contact", {"email": "u@a.test", "first_name": "Uma", "last_name": "Reyes", "company": "Umbrella"}, "")
    found = sf.search_contacts("Sam Okafor", "Globex Corp")
    assert [c.first_name for c in found] == ["Samuel", "Tina"]
    assert found[0].id == sam
    assert sf.search_contacts("Zed", "") == []
    assert sf.search_contacts("O'Brien", "50%_off") == []


def test_idempotent_create_same_key_once(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    lead = sf.create("contact", {"email": "i@y.test"}, "")
    fields = {"contact_id": lead, "subject": "s", "kind": "email", "occurred_at": "2026-11-21T10:00:00Z"}
    assert sf.create("activity", fields, "same-key") == sf.create("activity", fields, "same-key")
    assert len(emulator.snapshot()["Task"]) == 1
    assert emulator.requests_matching("PATCH", "/services/data/v59.0/sobjects/Task/CrmCrew_Key__c/same-key")


def test_after_write_faults_create_each_exactly_once(sf: SalesforceConnector,
                                                    emulator: SalesforceEmulator) -> None:
    emulator.faults.configure(rate_429=0.1, rate_5xx=0.15, after_ratio=0.5, seed=1, retry_after_s=0)
    ids = set()
    for n in range(30):
        contact = sf.create("contact", {"email": f"p{n}@f.test", "last_name": f"P{n}"}, f"c{n}")
        ids.add(sf.create("activity", {"contact_id": contact, "subject": f"a{n}", "kind": "email",
                                       "occurred_at": "2026-11-21T10:00:00Z"}, f"act{n}"))
        ids.add(contact)
    emulator.faults.configure(rate_429=0, rate_5xx=0)
    snap = emulator.snapshot()
    assert len(snap["Lead"]) == 30 and len(snap["Task"]) == 30 and len(ids) == 60
    assert sorted(t["Subject"] for t in snap["Task"]) == sorted(f"a{n}" for n in range(30))
    statuses = [r.status for r in emulator.log]
    assert statuses.count(429) > 0 and sum(s >= 500 for s in statuses) > 0
    # an upsert answered 200 (updated) is the retry of a write whose response was lost
    lost = [r for r in emulator.requests_matching("PATCH", "/services/data/v59.0/sobjects/") if r.status == 200]
    assert len(lost) >= 2


def test_bad_token_is_auth_error(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    emulator.reset()
    conn = emulator.connection()
    ctx = ConnectorContext(home=tmp_path, retry=RetryPolicy(base_delay_s=0.001), timeout_s=5,
                           env={"SALESFORCE_ACCESS_TOKEN": "wrong"})
    sf = open_salesforce(conn["crm"]["options"], ctx)
    with pytest.raises(CrmAuthError) as caught:
        sf.find_contact_by_email("a@b.test")
    assert str(caught.value) == "credentials rejected by salesforce: check SALESFORCE_ACCESS_TOKEN"
    with pytest.raises(CrmAuthError):
        sf.check()


def test_missing_token_and_bad_options(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    ctx = ConnectorContext(home=tmp_path, env={})
    with pytest.raises(UserError, match="SALESFORCE_ACCESS_TOKEN is not set"):
        open_salesforce({"instance_url": "https://x.my.salesforce.com"}, ctx)
    with pytest.raises(UserError, match="crm.options.instance_url"):
        open_salesforce({"instance_url": "http://x.my.salesforce.com"}, ctx)
    with pytest.raises(UserError, match="crm.options.colour: unknown option"):
        open_salesforce({"instance_url": "https://x.my.salesforce.com", "colour": 1}, ctx)


def test_daily_limit_stops_and_concurrency_limit_backs_off(sf: SalesforceConnector,
                                                           emulator: SalesforceEmulator) -> None:
    emulator.schedule_concurrency_limit(2)
    assert sf.find_contact_by_email("n@y.test") is None
    emulator.daily_limit = emulator.used_today
    with pytest.raises(CrmLimitReached, match="daily API request allowance is used up"):
        sf.find_contact_by_email("n@y.test")


def test_stale_update_writes_nothing(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    lead = sf.create("contact", {"email": "s@y.test", "lead_status": "New"}, "")
    emulator.external_edit("Lead", lead, {"Status": "Working - Contacted", "Phone": "123"})
    with pytest.raises(StaleRecordError) as caught:
        sf.update("contact", lead, {"lead_status": "Nurturing"}, expected={"lead_status": "New"})
    assert caught.value.current["lead_status"] == "Working"
    assert "lead_status='Working'" in str(caught.value)
    assert emulator.snapshot()["Lead"][0]["Status"] == "Working - Contacted"


def test_update_returns_before_and_uses_precondition(sf: SalesforceConnector,
                                                     emulator: SalesforceEmulator) -> None:
    lead = sf.create("contact", {"email": "u@y.test", "phone": "1"}, "")
    before = sf.update("contact", lead, {"phone": "2", "opted_out": True}, expected={"phone": "1"})
    assert before == {"phone": "1", "opted_out": False}
    raw = emulator.snapshot()["Lead"][0]
    assert (raw["Phone"], raw["HasOptedOutOfEmail"]) == ("2", True)
    patches = emulator.requests_matching("PATCH", f"/services/data/v59.0/sobjects/Lead/{lead}")
    assert [p.status for p in patches] == [204]


def test_412_race_rereads_and_retries(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    lead = sf.create("contact", {"email": "r@y.test", "phone": "1"}, "")
    emulator.faults.schedule(412, count=1, method="PATCH")
    assert sf.update("contact", lead, {"tier": "enterprise"}, expected={"phone": "1"}) == {"tier": ""}
    assert emulator.snapshot()["Lead"][0]["Tier__c"] == "enterprise"
    patches = emulator.requests_matching("PATCH", f"/services/data/v59.0/sobjects/Lead/{lead}")
    assert [p.status for p in patches] == [412, 204]


def test_case_update_keeps_marker_and_lead(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    lead = sf.create("contact", {"email": "c@y.test"}, "")
    case = sf.create("case", {"contact_id": lead, "subject": "S", "priority": "Medium", "status": "New",
                              "origin": "email"}, "kc")
    assert sf.update("case", case, {"priority": "Critical"}, expected={"status": "New"}) == {"priority": "Medium"}
    exported = sf.export_all()["cases"][0]
    assert (exported["priority"], exported["contact_id"], exported["origin"]) == ("Critical", lead, "email")
    emulator.external_edit("Case", case, {"Priority": "Low"})
    assert sf.export_all()["cases"][0]["priority"] == "Low"


def test_long_text_fits_salesforce_limits(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    lead = sf.create("contact", {"email": "long@y.test"}, "")
    sf.create("activity", {"contact_id": lead, "subject": "s" * 300, "description": "d" * 40000,
                           "interaction_id": "m-1"}, "k-long")
    raw = emulator.snapshot()["Task"][0]
    assert len(raw["Subject"]) == 255 and len(raw["Description"]) <= 32000
    assert sf.export_all()["activities"][0]["interaction_id"] == "m-1"


def test_record_errors_are_specific(sf: SalesforceConnector) -> None:
    with pytest.raises(CrmRecordError) as caught:
        sf.create("activity", {"contact_id": "00Q5g0000000999AAA", "subject": "x"}, "k")
    assert str(caught.value) == ("salesforce refused to create Task: 400 INVALID_CROSS_REFERENCE_KEY: "
                                 "invalid cross reference id")
    with pytest.raises(ConnectorError, match="not a Salesforce Contact or Lead id"):
        sf.create("task", {"contact_id": "C-123", "subject": "x"}, "k")
    with pytest.raises(ConnectorError, match="unknown contact field"):
        sf.create("contact", {"email": "a@b.test", "shoe_size": 9}, "k")


def test_create_many_batches_of_200(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    existing = sf.create("contact", {"email": "old@b.test"}, "")
    items = [({"email": f"m{n}@b.test", "last_name": f"M{n}"}, f"cm{n}") for n in range(250)]
    items += [({"email": "OLD@b.test"}, "x1"), ({"email": "m3@b.test"}, "x2"), ({"email": "bad"}, "x3")]
    results = sf.create_many("contact", items)
    assert all(isinstance(r, str) for r in results[:252])
    assert results[250] == existing and results[251] == results[3]
    assert isinstance(results[252], ConnectorError)
    batches = emulator.requests_matching("PATCH", "/services/data/v59.0/composite/sobjects/Lead/CrmCrew_Key__c")
    assert len(batches) == 2
    assert len(emulator.snapshot()["Lead"]) == 251
    lead = str(results[0])
    acts = [({"contact_id": lead, "subject": f"a{n}", "kind": "email", "occurred_at": "2026-11-21T10:00:00Z"},
             f"ka{n}") for n in range(201)]
    acts.append(({"contact_id": "00Q5g0000000999AAA", "subject": "orphan"}, "ka-orphan"))
    out = sf.create_many("activity", acts)
    assert all(isinstance(r, str) for r in out[:201]) and len(set(out[:201])) == 201
    assert isinstance(out[201], CrmRecordError) and out[201].code == "INVALID_CROSS_REFERENCE_KEY"
    assert len(emulator.requests_matching("PATCH", "/services/data/v59.0/composite/sobjects/Task/")) == 2
    assert sf.create_many("activity", acts[:5]) == out[:5]
    assert len(emulator.snapshot()["Task"]) == 201
    cases = sf.create_many("case", [({"contact_id": lead, "subject": "c", "priority": "Critical"}, "kc1"),
                                    ({"contact_id": "00Q5g0000000999AAA", "subject": "c"}, "kc2")])
    assert isinstance(cases[0], str) and str(cases[1]) == "contact 00Q5g0000000999AAA does not exist"
    raw_case = emulator.snapshot()["Case"][0]
    assert (raw_case["SuppliedEmail"], raw_case["Priority"]) == ("m0@b.test", "High")
    assert sf.export_all()["cases"][0]["contact_id"] == lead


def test_create_many_survives_after_faults(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    emulator.faults.schedule(503, count=1, method="PATCH", path="/services/data/v59.0/composite", after=True)
    results = sf.create_many("contact", [({"email": f"q{n}@b.test"}, f"q{n}") for n in range(5)])
    assert len(set(results)) == 5 and len(emulator.snapshot()["Lead"]) == 5
    no_key = _open(emulator, Path("."), idempotency_field=None)
    emulator.faults.schedule(500, count=1, method="POST", path="/services/data/v59.0/composite", after=True)
    again = no_key.create_many("contact", [({"email": f"w{n}@b.test"}, "") for n in range(3)])
    assert len(set(again)) == 3 and len(emulator.snapshot()["Lead"]) == 8
    no_key.close()


def test_export_all_pages(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    for n in range(2 * PAGE + 1):
        sf.create("contact", {"email": f"e{n}@p.test"}, "")
    exported = sf.export_all()
    assert [c["email"] for c in exported["contacts"]] == [f"e{n}@p.test" for n in range(2 * PAGE + 1)]
    more = [r for r in emulator.log if r.path.startswith("/services/data/v59.0/query/01g")]
    assert len(more) == 2


def test_check_reports_permissions_and_budget(sf: SalesforceConnector, emulator: SalesforceEmulator) -> None:
    report = sf.check()
    assert report.ok, report.notes
    assert report.identity == "crm-crew@sandbox.example (org 00D5g000004CrmCAAS)"
    assert report.permissions["contact:create"] and report.permissions["case:update"]
    assert report.budget["daily_max"] == 100000
    assert report.budget["daily_remaining"] == 100000 - emulator.used_today     # limits/ was the last call
    assert report.budget["daily_used"] == emulator.used_today
    assert not emulator.requests_matching("POST") and not emulator.requests_matching("PATCH")


def test_check_flags_missing_fields(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    emulator.reset()
    sf = _open(emulator, tmp_path, field_map={"activity": {"intent": "Intent__c"}}, idempotency_field="Key__c")
    report = sf.check()
    assert not report.ok
    assert report.permissions["activity:fields"] is False and report.permissions["case:fields"] is False
    assert any("Intent__c (activity.intent)" in n for n in report.notes)
    sf.close()

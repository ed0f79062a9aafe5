"""The rest connector against the rest emulator over real HTTP (httpx on loopback, no mocks)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from crm_crew.connectors.options import ConnectorContext
from crm_crew.connectors.read_cache import CachedReads
from crm_crew.connectors.registry import open_connector
from crm_crew.connectors.rest.connector import RestConnector, open_rest
from crm_crew.connectors.rest.errors import translate_response
from crm_crew.connectors.retry import RetryPolicy
from crm_crew.errors import (
    ConnectorError,
    CrmAuthError,
    CrmLimitReached,
    CrmRateLimited,
    CrmRecordError,
    CrmTransientError,
    StaleRecordError,
    UserError,
)
from crm_crew.models import Contact
from crm_crew.testing.emulator import Request, Response
from crm_crew.testing.rest_emulator import RestEmulator

TOKEN = "rest-secret-token"


@pytest.fixture(scope="module")
def server() -> Iterator[RestEmulator]:
    emulator = RestEmulator(token=TOKEN, page_size=4).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(server: RestEmulator) -> RestEmulator:
    server.reset()
    server.token = TOKEN
    return server


def context(tmp_path: Path, env: dict[str, str] | None = None, **retry: Any) -> ConnectorContext:
    policy = RetryPolicy(base_delay_s=0.001, max_delay_s=0.01, **retry)
    return ConnectorContext(home=tmp_path, retry=policy, timeout_s=5.0,
                            env=env if env is not None else {"CRM_API_TOKEN": TOKEN})


def connect(emulator: RestEmulator, tmp_path: Path, **options: Any) -> RestConnector:
    base = emulator.connection()["crm"]["options"]
    return open_rest({**base, **options}, context(tmp_path, emulator.connection()["env"]))


@pytest.fixture
def crm(emulator: RestEmulator, tmp_path: Path) -> Iterator[RestConnector]:
    connector = connect(emulator, tmp_path)
    yield connector
    connector.close()


JANE = {"email": " Jane.Doe@Acme-Corp.com ", "first_name": "Jane", "last_name": "Doe", "company": "Acme Corp",
        "phone": "+1 555 0100", "tier": "premium", "lead_status": "New", "opted_out": True}


def jane(crm: RestConnector, key: str = "k-jane") -> str:
    return crm.create("contact", JANE, key)


# -- reads and round trips ---------------------------------------------------------------


def test_contact_round_trip_through_the_default_field_map(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    stored = emulator.snapshot()["contacts"][0]
    assert {k: stored[k] for k in ("id", "email", "firstName", "lastName", "leadStatus", "optedOut")} == {
        "id": contact_id, "email": "jane.doe@acme-corp.com", "firstName": "Jane", "lastName": "Doe",
        "leadStatus": "New", "optedOut": True}
    got = crm.get_contact(contact_id)
    assert got == Contact(id=contact_id, email="jane.doe@acme-corp.com", first_name="Jane", last_name="Doe",
                          company="Acme Corp", phone="+1 555 0100", tier="premium", lead_status="New",
                          opted_out=True, updated_at=stored["updated_at"])
    assert crm.get_contact("con_404404") is None


def test_find_by_email_ignores_case_and_whitespace(crm: RestConnector) -> None:
    contact_id = jane(crm)
    found = crm.find_contact_by_email("  JANE.DOE@acme-corp.COM ")
    assert found is not None and found.id == contact_id
    assert crm.find_contact_by_email("jane@acme-corp.com") is None
    assert crm.find_contact_by_email("  ") is None


def test_search_contacts_gathers_candidates(crm: RestConnector) -> None:
    jane(crm)
    sam = crm.create("contact", {"email": "sam@globex.com", "first_name": "Samuel", "last_name": "Stone",
                                 "company": "Globex"}, "k-sam")
    crm.create("contact", {"email": "zed@initech.com", "first_name": "Zed", "company": "Initech"}, "k-zed")
    assert [c.id for c in crm.search_contacts("Sam Stone", "")] == [sam]
    assert [c.email for c in crm.search_contacts("Jane", "Globex")] == ["jane.doe@acme-corp.com", "sam@globex.com"]
    assert len(crm.search_contacts("Jane", "Globex", limit=1)) == 1
    assert crm.search_contacts("", "") == []


def test_recent_activities_newest_first(crm: RestConnector) -> None:
    contact_id = jane(crm)
    other = crm.create("contact", {"email": "o@x.co"}, "k-o")
    for day in (2, 7, 1, 9, 4, 3):
        crm.create("activity", {"contact_id": contact_id, "subject": f"day {day}", "kind": "email",
                                "occurred_at": f"2024-03-0{day}T10:00:00+00:00"}, f"k-a{day}")
    crm.create("activity", {"contact_id": other, "subject": "not hers", "occurred_at": "2024-03-08"}, "k-x")
    recent = crm.recent_activities(contact_id, limit=3)
    assert [a.subject for a in recent] == ["day 9", "day 7", "day 4"]
    assert all(a.contact_id == contact_id and a.kind == "email" for a in recent)


def test_every_object_round_trips_through_export_all(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    activity = {"contact_id": contact_id, "subject": "Refund?", "kind": "email", "occurred_at": "2024-01-02T03:04:05Z",
                "description": "asks for a refund", "intent": "refund", "sentiment": "negative", "interaction_id": "m1"}
    case = {"contact_id": contact_id, "subject": "Refund", "description": "d", "priority": "High", "status": "New",
            "origin": "email", "reason": "billing"}
    task = {"contact_id": contact_id, "subject": "Call back", "kind": "call", "due_date": "2024-01-05",
            "status": "Open", "description": "about the refund"}
    ids = {"activity": crm.create("activity", activity, "k-activity"), "case": crm.create("case", case, "k-case"),
           "task": crm.create("task", task, "k-task")}
    exported = crm.export_all()
    assert [{k: v for k, v in r.items() if k != "updated_at"} for r in exported["activities"]] == \
        [{"id": ids["activity"], **activity}]
    assert [{k: v for k, v in r.items() if k != "updated_at"} for r in exported["cases"]] == [{"id": ids["case"], **case}]
    assert [{k: v for k, v in r.items() if k != "updated_at"} for r in exported["tasks"]] == [{"id": ids["task"], **task}]
    assert exported["contacts"][0]["opted_out"] is True and exported["contacts"][0]["email"] == "jane.doe@acme-corp.com"


def test_export_all_follows_the_cursor(crm: RestConnector, emulator: RestEmulator) -> None:
    ids = [crm.create("contact", {"email": f"p{i}@x.co"}, f"k{i}") for i in range(10)]
    before = len(emulator.requests_matching("GET", "/contacts"))
    exported = crm.export_all()
    assert [c["id"] for c in exported["contacts"]] == ids
    assert len(emulator.requests_matching("GET", "/contacts")) - before == 3   # pages of 4, 4, 2
    assert exported["activities"] == exported["cases"] == exported["tasks"] == []


def test_registry_wraps_rest_in_the_read_cache(emulator: RestEmulator, tmp_path: Path) -> None:
    connection = emulator.connection()
    connector = open_connector("rest", connection["crm"]["options"], context(tmp_path, connection["env"]))
    try:
        assert isinstance(connector, CachedReads) and connector.name == "rest"
        assert connector.find_contact_by_email("nobody@x.co") is None
    finally:
        connector.close()


# -- idempotent writes -------------------------------------------------------------------


def test_same_key_twice_creates_once(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    fields = {"contact_id": contact_id, "subject": "s", "occurred_at": "2024-01-01"}
    first = crm.create("activity", fields, "k-act")
    assert crm.create("activity", fields, "k-act") == first
    assert len(emulator.snapshot()["activities"]) == 1
    assert [r.status for r in emulator.requests_matching("POST", "/activities")] == [201, 200]


def test_existing_email_returns_the_existing_contact(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    assert crm.create("contact", {"email": "JANE.DOE@acme-corp.com", "first_name": "J"}, "other-key") == contact_id
    assert emulator.snapshot()["contacts"][0]["firstName"] == "Jane"
    assert [r.status for r in emulator.requests_matching("POST", "/contacts")] == [201, 409]


def test_faults_after_writes_create_everything_exactly_once(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.faults.configure(rate_429=0.1, rate_5xx=0.1, after_ratio=0.5, seed=1, retry_after_s=0)
    contacts = [crm.create("contact", {"email": f"c{i}@x.co", "first_name": f"C{i}"}, f"kc{i}") for i in range(20)]
    activities = [crm.create("activity", {"contact_id": contacts[i % 20], "subject": f"a{i}",
                                          "occurred_at": f"2024-01-01T00:00:{i:02d}Z"}, f"ka{i}") for i in range(45)]
    snapshot = emulator.snapshot()
    assert sorted(c["email"] for c in snapshot["contacts"]) == sorted(f"c{i}@x.co" for i in range(20))
    assert sorted(a["subject"] for a in snapshot["activities"]) == sorted(f"a{i}" for i in range(45))
    assert [c["id"] for c in snapshot["contacts"]] == contacts and [a["id"] for a in snapshot["activities"]] == activities
    statuses = [r.status for r in emulator.requests_matching("POST")]
    assert statuses.count(429) >= 3 and sum(s >= 500 for s in statuses) >= 3
    assert statuses.count(200) + statuses.count(409) >= 1         # a lost answer was replayed, not re-created


def test_create_many_creates_one_by_one(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    items = [({"contact_id": contact_id, "subject": f"t{i}", "status": "Open"}, f"kt{i}") for i in range(3)]
    items.insert(1, ({"contact_id": "con_999999", "subject": "orphan"}, "kt-bad"))
    results = crm.create_many("task", items)
    assert [isinstance(r, str) for r in results] == [True, False, True, True]
    error = results[1]
    assert isinstance(error, CrmRecordError) and error.status == 422 and error.code == "validation_error"
    assert str(error) == ("rest refused to create task: 422 validation_error: contact_id 'con_999999' is no contact "
                          "(field contact_id)")
    assert len(emulator.requests_matching("POST", "/tasks")) == 4   # no batch API: one POST per item


def test_unknown_field_or_object_is_refused_before_any_request(crm: RestConnector, emulator: RestEmulator) -> None:
    with pytest.raises(ConnectorError, match="unknown contact field"):
        crm.create("contact", {"email": "a@b.co", "shoe_size": "9"}, "k")
    with pytest.raises(ConnectorError, match="a contact needs an email"):
        crm.create("contact", {"first_name": "A"}, "k")
    assert emulator.log == []


# -- updates -----------------------------------------------------------------------------


def test_update_returns_previous_values_and_sends_if_match(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    before = crm.update("contact", contact_id, {"lead_status": "Working", "opted_out": False},
                        expected={"lead_status": "New"})
    assert before == {"lead_status": "New", "opted_out": True}
    stored = emulator.snapshot()["contacts"][0]
    assert (stored["leadStatus"], stored["optedOut"]) == ("Working", False)
    assert emulator.etag("contacts", contact_id) == '"2"'


def test_stale_update_writes_nothing(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    emulator.external_edit("contacts", contact_id, {"leadStatus": "Nurturing"})
    with pytest.raises(StaleRecordError) as caught:
        crm.update("contact", contact_id, {"lead_status": "Working"}, expected={"lead_status": "New"})
    assert str(caught.value) == f"contact {contact_id} changed in rest since it was read: now lead_status='Nurturing'"
    assert caught.value.current["lead_status"] == "Nurturing"
    assert emulator.snapshot()["contacts"][0]["leadStatus"] == "Nurturing"
    assert emulator.requests_matching("PATCH") == []


def test_412_rereads_and_rechecks(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    emulator.faults.schedule(412, method="PATCH")
    assert crm.update("contact", contact_id, {"company": "Acme Inc"}, expected={"lead_status": "New"}) == \
        {"company": "Acme Corp"}
    assert [r.status for r in emulator.requests_matching("PATCH")] == [412, 200]
    assert len(emulator.requests_matching("GET", f"/contacts/{contact_id}")) == 2
    assert emulator.snapshot()["contacts"][0]["company"] == "Acme Inc"


def test_an_edit_racing_the_patch_is_caught_by_if_match(crm: RestConnector, emulator: RestEmulator,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    contact_id = jane(crm)
    handle = emulator.handle

    def edit_first(request: Request) -> Response:
        if request.method == "PATCH" and not emulator.requests_matching("PATCH"):
            emulator.external_edit("contacts", contact_id, {"leadStatus": "Nurturing"})   # lands between GET and PATCH
        return handle(request)

    monkeypatch.setattr(emulator, "handle", edit_first)
    with pytest.raises(StaleRecordError, match="now lead_status='Nurturing'"):
        crm.update("contact", contact_id, {"lead_status": "Working"}, expected={"lead_status": "New"})
    assert [r.status for r in emulator.requests_matching("PATCH")] == [412]
    assert emulator.snapshot()["contacts"][0]["leadStatus"] == "Nurturing"


def test_412_three_times_gives_up_without_writing(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    emulator.faults.schedule(412, method="PATCH", count=3)
    with pytest.raises(StaleRecordError, match="kept changing"):
        crm.update("contact", contact_id, {"company": "Acme Inc"})
    assert emulator.snapshot()["contacts"][0]["company"] == "Acme Corp"


def test_lost_patch_answer_is_not_mistaken_for_a_conflict(crm: RestConnector, emulator: RestEmulator) -> None:
    contact_id = jane(crm)
    emulator.faults.schedule(503, method="PATCH", after=True)
    before = crm.update("contact", contact_id, {"lead_status": "Working"}, expected={"lead_status": "New"})
    assert before == {"lead_status": "New"}
    assert [r.status for r in emulator.requests_matching("PATCH")] == [503, 412]
    assert emulator.etag("contacts", contact_id) == '"2"'


def test_update_of_a_missing_record(crm: RestConnector) -> None:
    with pytest.raises(CrmRecordError, match="contact con_000404 does not exist in rest"):
        crm.update("contact", "con_000404", {"company": "X"})


# -- failures ------------------------------------------------------------------------------


def test_401_is_an_auth_error_naming_the_env_var(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.expire_session()
    with pytest.raises(CrmAuthError) as caught:
        crm.find_contact_by_email("a@b.co")
    assert str(caught.value) == "credentials rejected by rest: check CRM_API_TOKEN"
    assert len(emulator.log) == 1                                  # never retried


def test_auth_env_and_header_come_from_options(emulator: RestEmulator, tmp_path: Path) -> None:
    options = {**emulator.connection()["crm"]["options"], "auth_env": "INHOUSE_TOKEN"}
    with pytest.raises(UserError, match="INHOUSE_TOKEN is not set"):
        open_rest(options, context(tmp_path, {"CRM_API_TOKEN": TOKEN}))
    connector = open_rest(options, context(tmp_path, {"INHOUSE_TOKEN": "wrong"}))
    with pytest.raises(CrmAuthError, match="^credentials rejected by rest: check INHOUSE_TOKEN$"):
        connector.get_contact("x")
    connector.close()


def test_daily_limit_stops_the_run(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.daily_limit = 1
    jane(crm)
    with pytest.raises(CrmLimitReached, match="daily API allowance used up") as caught:
        crm.create("contact", {"email": "b@x.co"}, "k-b")
    assert "resume the run later" in str(caught.value).lower()
    assert len(emulator.log) == 2


def test_429_waits_for_retry_after(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.faults.schedule(429, retry_after_s=0, count=2)
    assert crm.find_contact_by_email("a@b.co") is None
    assert crm.ctx.retry.stats.rate_limited == 2
    assert [r.status for r in emulator.log] == [429, 429, 200]


def test_429_without_retry_after_uses_the_reset_when_exhausted() -> None:
    request = httpx.Request("GET", "http://crm/contacts")
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "12"}
    exhausted = translate_response(httpx.Response(429, headers=headers, json={"error": {"code": "rate_limited",
                                                                                          "message": "slow"}},
                                                  request=request), "list contacts", "CRM_API_TOKEN")
    assert isinstance(exhausted, CrmRateLimited) and exhausted.retry_after_s == 12.0
    plain = translate_response(httpx.Response(429, headers={"X-RateLimit-Remaining": "5"}, request=request),
                               "list contacts", "CRM_API_TOKEN")
    assert isinstance(plain, CrmRateLimited) and plain.retry_after_s is None


def test_5xx_is_retried_then_raised_as_transient(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.faults.schedule(502, count=5)
    with pytest.raises(CrmTransientError, match="^rest failed to find contact by email: 502 internal_error"):
        crm.find_contact_by_email("a@b.co")
    assert len(emulator.log) == 5


def test_timeouts_are_transient(emulator: RestEmulator, tmp_path: Path) -> None:
    emulator.faults.configure(latency_s=0.3)
    options = emulator.connection()["crm"]["options"]
    ctx = ConnectorContext(home=tmp_path, retry=RetryPolicy(max_attempts=2, base_delay_s=0.001, max_delay_s=0.01),
                           timeout_s=0.05, env={"CRM_API_TOKEN": TOKEN})
    connector = open_rest(options, ctx)
    with pytest.raises(CrmTransientError, match="rest timed out trying to read contact"):
        connector.get_contact("x")
    connector.close()
    deadline = time.monotonic() + 5      # let both slow requests land: else they count in the next test's budget
    while len(emulator.log) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_token_never_appears_in_errors(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.faults.schedule(400, method="POST")
    with pytest.raises(CrmRecordError) as caught:
        crm.create("contact", {"email": "a@b.co"}, "k")
    assert TOKEN not in str(caught.value) and caught.value.status == 400


# -- check ------------------------------------------------------------------------------------


def test_check_reports_identity_permissions_and_budget(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.daily_limit = 1000
    report = crm.check()
    assert report.identity == "sandbox@example.com" and report.endpoint == emulator.url and report.ok
    assert report.permissions == {f"{o}:{p}": True for o in ("contact", "activity", "case", "task")
                                  for p in ("read", "create", "update")}
    assert report.budget["limit"] == 1000 and report.budget["remaining"] == 995 and report.budget["reset_s"] > 0
    assert {r.method for r in emulator.log} == {"GET"}


def test_check_sees_missing_scopes(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.scopes = ["contacts:read", "contacts:write", "activities:read", "cases:read"]
    report = crm.check()
    assert not report.ok
    assert report.permissions["task:read"] is False and report.permissions["case:create"] is False
    assert report.permissions["contact:create"] is True


def test_check_with_a_revoked_token_raises(crm: RestConnector, emulator: RestEmulator) -> None:
    emulator.expire_session()
    with pytest.raises(CrmAuthError):
        crm.check()


# -- configuration drives the wire format --------------------------------------------------------


def test_field_and_value_maps_drive_the_wire(emulator: RestEmulator, tmp_path: Path) -> None:
    crm = connect(emulator, tmp_path, field_map={"contact": {"tier": None}},
                  value_map={"lead_status": {"New": "new", "Working": "in_progress"}, "contact.opted_out": {
                      "true": False, "false": True}})
    contact_id = crm.create("contact", {**JANE, "lead_status": "Working"}, "k")
    stored = emulator.snapshot()["contacts"][0]
    assert (stored["leadStatus"], stored["tier"], stored["optedOut"]) == ("in_progress", "", False)
    got = crm.get_contact(contact_id)
    assert got is not None and (got.lead_status, got.tier, got.opted_out) == ("Working", "", True)
    renamed = connect(emulator, tmp_path, field_map={"contact": {"phone": "mobile"}})
    with pytest.raises(CrmRecordError, match="422 validation_error: unknown field mobile"):
        renamed.create("contact", {"email": "new@x.co", "phone": "1"}, "k2")
    crm.close()
    renamed.close()


def test_a_crm_with_other_paths_names_and_auth(tmp_path: Path) -> None:
    rename = {"contacts": {"phone": "mobile", "first_name": "given_name"}, "activities": {"subject": "title"}}
    with RestEmulator(token="inhouse", base_path="/api/v2", rename=rename, auth_header="X-Api-Key",
                      auth_scheme="", page_size=2) as other:
        options = {
            "base_url": other.url, "auth_env": "INHOUSE_TOKEN", "auth_header": "X-Api-Key", "auth_scheme": "",
            "resources": {"contact": "/api/v2/contacts", "activity": "/api/v2/activities",
                          "case": "/api/v2/cases", "task": "/api/v2/tasks"},
            "lookup": {"contact_by_email": "/api/v2/contacts?email={email}",
                       "contact_search": "/api/v2/contacts?q={query}",
                       "activities_of_contact": "/api/v2/activities?contact_id={contact_id}&sort=-occurred_at"},
            "identity_path": "/api/v2/me",
            "field_map": {"contact": {"phone": "mobile", "first_name": "given_name"}, "activity": {"subject": "title"}},
        }
        crm = open_rest(options, context(tmp_path, {"INHOUSE_TOKEN": "inhouse"}))
        contact_id = crm.create("contact", {"email": "a@b.co", "first_name": "Ann", "phone": "+1"}, "k1")
        crm.create("activity", {"contact_id": contact_id, "subject": "hello", "occurred_at": "2024-01-01"}, "k2")
        stored = other.snapshot()
        assert (stored["contacts"][0]["given_name"], stored["contacts"][0]["mobile"]) == ("Ann", "+1")
        assert "phone" not in stored["contacts"][0] and stored["activities"][0]["title"] == "hello"
        found = crm.find_contact_by_email("A@B.CO")
        assert found is not None and (found.first_name, found.phone) == ("Ann", "+1")
        assert [a.subject for a in crm.recent_activities(contact_id)] == ["hello"]
        assert crm.check().ok
        assert {r.path.split("/")[1] for r in other.log} == {"api"}
        crm.close()
        from_connection = open_rest(other.connection()["crm"]["options"], context(tmp_path, other.connection()["env"]))
        assert from_connection.find_contact_by_email("a@b.co") is not None
        from_connection.close()


def test_https_with_the_emulators_ca_bundle(tmp_path: Path) -> None:
    with RestEmulator(token=TOKEN, tls=True) as secure:
        crm = connect(secure, tmp_path)
        assert crm.check().ok
        crm.close()
        untrusted = open_rest({"base_url": secure.url}, context(tmp_path, max_attempts=1))
        with pytest.raises(CrmTransientError, match="could not be reached"):
            untrusted.get_contact("x")
        untrusted.close()


@pytest.mark.parametrize(("options", "message"), [
    ({}, "crm.options.base_url: Field required"),
    ({"base_url": "crm.example.com"}, "expected an http:// or https:// URL"),
    ({"base_url": "http://x", "colour": "red"}, "crm.options.colour: unknown option"),
    ({"base_url": "http://x", "lookup": {"contact_by_email": "/people?mail="}}, "must contain {email}"),
    ({"base_url": "http://x", "field_map": {"contact": {"shoe": "s"}}}, "unknown contact field"),
    ({"base_url": "http://x", "value_map": {"task.colour": {}}}, "not a unified field"),
    ({"base_url": "http://x", "ca_bundle": "/nonexistent.pem"}, "cannot load it as a PEM CA bundle"),
])
def test_bad_options_are_user_errors(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=message.replace("{", r"\{").replace("}", r"\}")):
        open_rest(options, context(tmp_path))

"""HubSpot emulator fidelity: exact codes, bodies and headers, through hubspot-api-client and raw HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import urllib3
from hubspot import HubSpot  # type: ignore[import-untyped]
from hubspot.crm.contacts.exceptions import ApiException as ContactsApiException  # type: ignore[import-untyped]
from hubspot.crm.contacts.exceptions import (  # type: ignore[import-untyped]
    NotFoundException,
    UnauthorizedException,
)
from hubspot.crm.objects.notes.exceptions import (  # type: ignore[import-untyped]
    ApiException as NotesApiException,
)

from crm_crew.testing.emulator import DEFAULT_TOKEN
from crm_crew.testing.hubspot import HubSpotEmulator

NO_RETRY = urllib3.Retry(0, raise_on_status=False, respect_retry_after_header=False)


@pytest.fixture(scope="module")
def server() -> Iterator[HubSpotEmulator]:
    emulator = HubSpotEmulator(page_size=3)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(server: HubSpotEmulator) -> HubSpotEmulator:
    server.reset()
    server.token = DEFAULT_TOKEN
    return server


@pytest.fixture
def client(emulator: HubSpotEmulator) -> Any:
    return HubSpot(access_token=emulator.token, host=emulator.url, retry=NO_RETRY)


def raw(emulator: HubSpotEmulator, method: str, path: str, body: Any = None) -> requests.Response:
    return requests.request(method, emulator.url + path, json=body, timeout=5,
                            headers={"Authorization": f"Bearer {emulator.token}"})


def test_create_is_201_with_string_id_and_system_properties(emulator: HubSpotEmulator, client: Any) -> None:
    created = client.crm.contacts.basic_api.create({"properties": {"email": " Ann@X.com", "firstname": "Ann"}})
    assert created.id == "1001"
    assert created.properties["email"] == "ann@x.com"
    assert created.properties["hs_object_id"] == "1001"
    assert created.properties["createdate"] == created.properties["lastmodifieddate"]
    assert created.properties["createdate"].endswith("Z") and len(created.properties["createdate"]) == 24
    response = raw(emulator, "POST", "/crm/v3/objects/contacts", {"properties": {"email": "bob@x.com"}})
    assert response.status_code == 201
    assert set(response.json()) == {"id", "properties", "createdAt", "updatedAt", "archived"}


def test_duplicate_email_is_409_with_existing_id(client: Any) -> None:
    first = client.crm.contacts.basic_api.create({"properties": {"email": "ann@x.com"}})
    with pytest.raises(ContactsApiException) as caught:
        client.crm.contacts.basic_api.create({"properties": {"email": "ANN@x.com"}})
    assert caught.value.status == 409
    body = json.loads(caught.value.body)
    assert body["status"] == "error"
    assert body["category"] == "CONFLICT"
    assert body["message"] == f"Contact already exists. Existing ID: {first.id}"
    assert body["correlationId"]


def test_wrong_token_is_401_and_unknown_id_404(emulator: HubSpotEmulator, client: Any) -> None:
    with pytest.raises(NotFoundException) as missing:
        client.crm.contacts.basic_api.get_by_id("999")
    assert json.loads(missing.value.body)["category"] == "OBJECT_NOT_FOUND"
    bad = HubSpot(access_token="nope", host=emulator.url, retry=NO_RETRY)
    with pytest.raises(UnauthorizedException) as caught:
        bad.crm.contacts.basic_api.get_page(limit=1)
    assert caught.value.status == 401
    assert json.loads(caught.value.body)["category"] == "INVALID_AUTHENTICATION"


def test_unknown_property_and_bad_option_are_validation_errors(client: Any) -> None:
    with pytest.raises(ContactsApiException) as caught:
        client.crm.contacts.basic_api.create({"properties": {"email": "a@x.com", "favourite": "tea"}})
    body = json.loads(caught.value.body)
    assert (caught.value.status, body["category"]) == (400, "VALIDATION_ERROR")
    assert body["message"].startswith("Property values were not valid: ")
    assert json.loads(body["message"].split(": ", 1)[1])[0]["error"] == "PROPERTY_DOESNT_EXIST"
    with pytest.raises(ContactsApiException) as option:
        client.crm.contacts.basic_api.create({"properties": {"email": "a@x.com", "hs_lead_status": "Working"}})
    assert '"error":"INVALID_OPTION"' in json.loads(option.value.body)["message"]
    with pytest.raises(NotesApiException) as required:
        client.crm.objects.notes.basic_api.create({"properties": {"hs_note_body": "no timestamp"}})
    assert "REQUIRED_PROPERTY" in json.loads(required.value.body)["message"]


def test_get_by_email_update_archive(emulator: HubSpotEmulator, client: Any) -> None:
    created = client.crm.contacts.basic_api.create({"properties": {"email": "ann@x.com", "phone": "1"}})
    found = client.crm.contacts.basic_api.get_by_id("ANN@X.COM", id_property="email", properties=["phone"])
    assert (found.id, found.properties["phone"]) == (created.id, "1")
    time.sleep(0.002)
    updated = client.crm.contacts.basic_api.update(created.id, {"properties": {"phone": "2"}})
    assert updated.properties["phone"] == "2" and updated.updated_at > found.updated_at
    assert raw(emulator, "DELETE", f"/crm/v3/objects/contacts/{created.id}").status_code == 204
    assert raw(emulator, "GET", f"/crm/v3/objects/contacts/{created.id}").status_code == 404


def test_list_pages_with_after(emulator: HubSpotEmulator, client: Any) -> None:
    for n in range(7):
        client.crm.contacts.basic_api.create({"properties": {"email": f"c{n}@x.com"}})
    seen, after, pages = [], None, 0
    while True:
        page = raw(emulator, "GET", "/crm/v3/objects/contacts?limit=100&properties=email"
                   + (f"&after={after}" if after else "")).json()
        pages += 1
        seen += [r["properties"]["email"] for r in page["results"]]
        after = page.get("paging", {}).get("next", {}).get("after")
        if not after:
            break
    assert pages == 3
    assert seen == [f"c{n}@x.com" for n in range(7)]


def test_search_filters_sorts_and_limits(emulator: HubSpotEmulator, client: Any) -> None:
    for first, company in (("Samuel", "Acme Corp"), ("Sam", "Other"), ("Bob", "Acme")):
        client.crm.contacts.basic_api.create({"properties": {"email": f"{first}@x.com", "firstname": first,
                                                             "company": company}})
    body = {"filterGroups": [{"filters": [{"propertyName": "firstname", "operator": "CONTAINS_TOKEN",
                                           "value": "sam*"}]},
                             {"filters": [{"propertyName": "company", "operator": "CONTAINS_TOKEN", "value": "acme"}]}],
            "properties": ["firstname"], "sorts": [{"propertyName": "firstname", "direction": "DESCENDING"}],
            "limit": 2}
    first = client.crm.contacts.search_api.do_search(body)
    assert first.total == 3
    assert [r.properties["firstname"] for r in first.results] == ["Samuel", "Sam"]
    assert first.paging.next.after == "2"
    exact = client.crm.contacts.search_api.do_search({"filterGroups": [{"filters": [
        {"propertyName": "email", "operator": "EQ", "value": "BOB@X.COM"}]}]})
    assert [r.properties["email"] for r in exact.results] == ["bob@x.com"]
    assert raw(emulator, "POST", "/crm/v3/objects/contacts/search", {"limit": 201}).status_code == 400
    past = raw(emulator, "POST", "/crm/v3/objects/contacts/search", {"limit": 100, "after": "9950"})
    assert past.status_code == 400 and past.json()["category"] == "VALIDATION_ERROR"
    six = [{"filters": [{"propertyName": "email", "operator": "HAS_PROPERTY"}]}] * 6
    assert raw(emulator, "POST", "/crm/v3/objects/contacts/search", {"filterGroups": six}).status_code == 400


def test_batch_upsert_read_and_limits(emulator: HubSpotEmulator, client: Any) -> None:
    note = {"hs_note_body": "hello", "hs_timestamp": "2024-05-01T10:00:00+00:00"}
    upsert = {"inputs": [{"id": "key-1", "idProperty": "crm_crew_key", "properties": note}]}
    first = raw(emulator, "POST", "/crm/v3/objects/notes/batch/upsert", upsert)
    again = client.crm.objects.notes.batch_api.upsert(upsert)
    assert first.status_code == 200
    assert first.json()["results"][0]["new"] is True and again.results[0].new is False
    assert first.json()["results"][0]["properties"]["hs_timestamp"] == "2024-05-01T10:00:00.000Z"
    assert len(emulator.snapshot()["notes"]) == 1
    non_unique = raw(emulator, "POST", "/crm/v3/objects/notes/batch/upsert",
                     {"inputs": [{"id": "x", "idProperty": "hs_note_body", "properties": note}]})
    assert non_unique.status_code == 400
    assert "Unable to perform update/upsert by non-unique 0-46 property hs_note_body" in non_unique.json()["message"]
    too_many = {"inputs": [{"id": f"k{n}", "idProperty": "crm_crew_key", "properties": note} for n in range(101)]}
    assert raw(emulator, "POST", "/crm/v3/objects/notes/batch/upsert", too_many).status_code == 400
    note_id = first.json()["results"][0]["id"]
    read = raw(emulator, "POST", "/crm/v3/objects/notes/batch/read", {"inputs": [{"id": note_id}, {"id": "424242"}]})
    assert read.status_code == 207
    assert (read.json()["numErrors"], read.json()["errors"][0]["context"]["ids"]) == (1, ["424242"])
    created = raw(emulator, "POST", "/crm/v3/objects/tasks/batch/create",
                  {"inputs": [{"properties": {"hs_timestamp": "1714557600000", "hs_task_subject": "t"}}]})
    assert created.status_code == 201 and created.json()["status"] == "COMPLETE"


def test_associations_v4(emulator: HubSpotEmulator, client: Any) -> None:
    contact = client.crm.contacts.basic_api.create({"properties": {"email": "ann@x.com"}})
    note = client.crm.objects.notes.basic_api.create({"properties": {"hs_timestamp": "2024-01-01T00:00:00Z"}})
    typed = client.crm.associations.v4.basic_api.create(
        "notes", note.id, "contacts", contact.id, [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}])
    assert (typed.from_object_id, typed.to_object_id) == (note.id, contact.id)   # JSON numbers, read as str
    default = raw(emulator, "PUT", f"/crm/v4/objects/notes/{note.id}/associations/default/contacts/{contact.id}")
    assert default.status_code == 200 and default.json()["status"] == "COMPLETE"
    wrong = raw(emulator, "PUT", f"/crm/v4/objects/notes/{note.id}/associations/contacts/{contact.id}",
                [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}])
    assert wrong.status_code == 400
    page = client.crm.associations.v4.basic_api.get_page("contacts", contact.id, "notes")
    assert [(r.to_object_id, r.association_types[0].type_id) for r in page.results] == [(note.id, 201)]
    assert emulator.snapshot()["associations"] == [{"from_type": "notes", "from_id": note.id, "to_type": "contacts",
                                                    "to_id": contact.id, "type_id": 202, "category": "HUBSPOT_DEFINED"}]
    bad_create = raw(emulator, "POST", "/crm/v3/objects/tasks", {
        "properties": {"hs_timestamp": "2024-01-01"},
        "associations": [{"to": {"id": contact.id}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                                "associationTypeId": 999}]}]})
    assert bad_create.status_code == 400


def test_rolling_window_429_and_headers() -> None:
    emulator = HubSpotEmulator(rate_limit=(3, 0.3))
    with emulator:
        statuses = [raw(emulator, "GET", "/crm/v3/objects/contacts?limit=1") for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert statuses[0].headers["X-HubSpot-RateLimit-Max"] == "3"
        assert statuses[0].headers["X-HubSpot-RateLimit-Remaining"] == "2"
        assert statuses[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "300"
        limited = statuses[3]
        assert limited.json()["message"] == "You have reached your ten_secondly_rolling limit."
        assert (limited.json()["errorType"], limited.json()["policyName"]) == ("RATE_LIMIT", "TEN_SECONDLY_ROLLING")
        assert limited.headers["X-HubSpot-RateLimit-Remaining"] == "0" and "Retry-After" not in limited.headers
        time.sleep(0.32)
        assert raw(emulator, "GET", "/crm/v3/objects/contacts?limit=1").status_code == 200


def test_injected_429_retry_after_only_when_set_and_client_does_not_retry(emulator: HubSpotEmulator,
                                                                          client: Any) -> None:
    emulator.faults.schedule(429, retry_after_s=1)
    with pytest.raises(ContactsApiException) as caught:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert caught.value.status == 429 and caught.value.headers["Retry-After"] == "1"
    assert len(emulator.requests_matching("GET", "/crm/v3/objects/contacts")) == 1
    emulator.faults.schedule(429)
    response = raw(emulator, "GET", "/crm/v3/objects/contacts")
    assert response.status_code == 429 and "Retry-After" not in response.headers
    assert "X-HubSpot-RateLimit-Max" not in response.headers       # no window configured


def test_daily_limit_is_429_daily(emulator: HubSpotEmulator) -> None:
    emulator.daily_limit = 2
    first = raw(emulator, "GET", "/crm/v3/objects/contacts")
    assert (first.headers["X-HubSpot-RateLimit-Daily"], first.headers["X-HubSpot-RateLimit-Daily-Remaining"]) == \
        ("2", "1")
    raw(emulator, "GET", "/crm/v3/objects/contacts")
    third = raw(emulator, "GET", "/crm/v3/objects/contacts")
    assert third.status_code == 429
    assert (third.json()["policyName"], third.headers["X-HubSpot-RateLimit-Daily-Remaining"]) == ("DAILY", "0")


def test_external_edit_and_connection(emulator: HubSpotEmulator, client: Any) -> None:
    created = client.crm.contacts.basic_api.create({"properties": {"email": "ann@x.com"}})
    before = emulator.snapshot()["contacts"][0]["updatedAt"]
    emulator.external_edit("contacts", created.id, {"firstname": "Zed"})
    record = emulator.snapshot()["contacts"][0]
    assert record["properties"]["firstname"] == "Zed"
    assert record["updatedAt"] > before and record["properties"]["lastmodifieddate"] == record["updatedAt"]
    assert emulator.connection() == {"crm": {"type": "hubspot", "options": {"base_url": emulator.url}},
                                     "env": {"HUBSPOT_ACCESS_TOKEN": DEFAULT_TOKEN}}
    assert set(emulator.snapshot()) == {"contacts", "notes", "tasks", "tickets", "associations"}


def test_archive_is_204_for_any_id_hides_the_record_and_drops_its_associations(emulator: HubSpotEmulator,
                                                                                client: Any) -> None:
    contact = client.crm.contacts.basic_api.create({"properties": {"email": "ann@x.com"}}).id
    note = raw(emulator, "POST", "/crm/v3/objects/notes", {
        "properties": {"hs_timestamp": "2026-01-01T00:00:00Z", "crm_crew_key": "k-1"},
        "associations": [{"to": {"id": contact}, "types": [{"associationCategory": "HUBSPOT_DEFINED",
                                                             "associationTypeId": 202}]}]}).json()["id"]
    assert client.crm.objects.notes.basic_api.archive(note) is None
    assert raw(emulator, "DELETE", f"/crm/v3/objects/notes/{note}").status_code == 204     # again: still 204
    assert raw(emulator, "DELETE", "/crm/v3/objects/notes/999999").status_code == 204      # never existed
    assert raw(emulator, "GET", f"/crm/v3/objects/notes/{note}").status_code == 404
    archived = raw(emulator, "GET", f"/crm/v3/objects/notes/{note}?archived=true").json()
    assert archived["archived"] is True and archived["archivedAt"] >= archived["updatedAt"]
    assert raw(emulator, "GET", "/crm/v3/objects/notes").json()["results"] == []
    assert raw(emulator, "POST", "/crm/v3/objects/notes/search", {"filterGroups": [], "limit": 10}).json()["total"] == 0
    assert raw(emulator, "GET", f"/crm/v4/objects/contacts/{contact}/associations/notes").json()["results"] == []
    assert emulator.associations == []
    upsert = raw(emulator, "POST", "/crm/v3/objects/notes/batch/upsert", {"inputs": [
        {"id": "k-1", "idProperty": "crm_crew_key", "properties": {"hs_timestamp": "2026-01-02T00:00:00Z"}}]})
    assert upsert.status_code == 200
    assert upsert.json()["results"][0]["new"] is True and upsert.json()["results"][0]["id"] != note
    assert raw(emulator, "DELETE", f"/crm/v3/objects/contacts/{contact}").status_code == 204
    again = client.crm.contacts.basic_api.create({"properties": {"email": "ann@x.com"}})   # the email is free
    assert again.id != contact


def test_batch_archive_and_faults_on_delete(emulator: HubSpotEmulator, client: Any) -> None:
    ids = [client.crm.contacts.basic_api.create({"properties": {"email": f"c{n}@x.com"}}).id for n in range(3)]
    emulator.faults.schedule(503, method="DELETE", after=True)
    assert raw(emulator, "DELETE", f"/crm/v3/objects/contacts/{ids[0]}").status_code == 503
    assert [r["id"] for r in emulator.snapshot()["contacts"]] == ids[1:]      # archived, the answer lost
    archive = raw(emulator, "POST", "/crm/v3/objects/contacts/batch/archive", {"inputs": [{"id": i} for i in ids]})
    assert archive.status_code == 204 and emulator.snapshot()["contacts"] == []
    assert sorted(emulator.archived["contacts"]) == sorted(ids)

"""The rest emulator's API, spoken with raw httpx: exact codes, bodies and headers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crm_crew.testing.rest_emulator import RestEmulator

TOKEN = "emu-token"


@pytest.fixture(scope="module")
def server() -> Iterator[RestEmulator]:
    emulator = RestEmulator(token=TOKEN, page_size=3).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(server: RestEmulator) -> RestEmulator:
    server.reset()
    server.token = TOKEN
    return server


@pytest.fixture
def http(emulator: RestEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


def contact(http: httpx.Client, email: str = "jane@acme.com", **extra: Any) -> dict[str, Any]:
    response = http.post("/contacts", json={"email": email, "firstName": "Jane", "lastName": "Doe",
                                            "company": "Acme Corp", **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_answers_201_with_the_record_and_etag(http: httpx.Client, emulator: RestEmulator) -> None:
    response = http.post("/contacts", json={"email": "jane@acme.com", "firstName": "Jane", "optedOut": True})
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == "con_000001"
    assert body["email"] == "jane@acme.com" and body["firstName"] == "Jane" and body["optedOut"] is True
    assert body["lastName"] == "" and body["leadStatus"] == ""
    assert body["created_at"] == body["updated_at"] and body["created_at"].endswith("+00:00")
    assert response.headers["ETag"] == '"1"'
    assert emulator.snapshot()["contacts"] == [body]


def test_get_patch_and_if_match(http: httpx.Client, emulator: RestEmulator) -> None:
    record = contact(http)
    got = http.get(f"/contacts/{record['id']}")
    assert got.status_code == 200 and got.json() == record and got.headers["ETag"] == '"1"'
    patched = http.patch(f"/contacts/{record['id']}", json={"leadStatus": "Working"}, headers={"If-Match": '"1"'})
    assert patched.status_code == 200
    assert patched.json()["leadStatus"] == "Working" and patched.json()["firstName"] == "Jane"
    assert patched.headers["ETag"] == '"2"'
    stale = http.patch(f"/contacts/{record['id']}", json={"leadStatus": "New"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert emulator.snapshot()["contacts"][0]["leadStatus"] == "Working"


def test_external_edit_moves_etag_and_updated_at(http: httpx.Client, emulator: RestEmulator) -> None:
    record = contact(http)
    emulator.external_edit("contacts", record["id"], {"leadStatus": "Nurturing"})
    got = http.get(f"/contacts/{record['id']}")
    assert got.headers["ETag"] == '"2"'
    assert got.json()["leadStatus"] == "Nurturing" and got.json()["updated_at"] > record["updated_at"]


def test_delete_then_404(http: httpx.Client) -> None:
    record = contact(http)
    assert http.delete(f"/contacts/{record['id']}").status_code == 204
    missing = http.get(f"/contacts/{record['id']}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_idempotency_key_replays_with_200(http: httpx.Client, emulator: RestEmulator) -> None:
    first = http.post("/contacts", json={"email": "a@b.co"}, headers={"Idempotency-Key": "k1"})
    again = http.post("/contacts", json={"email": "other@b.co"}, headers={"Idempotency-Key": "k1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(emulator.snapshot()["contacts"]) == 1


def test_duplicate_email_is_409_with_existing_id(http: httpx.Client) -> None:
    record = contact(http)
    dup = http.post("/contacts", json={"email": "  JANE@acme.com"})
    assert dup.status_code == 409
    assert dup.json()["error"]["code"] == "duplicate" and dup.json()["error"]["existing_id"] == record["id"]


@pytest.mark.parametrize(("body", "field"), [
    ({"email": "x@y.co", "first_name": "snake"}, "first_name"),
    ({"email": "x@y.co", "optedOut": "yes"}, "optedOut"),
    ({"email": "x@y.co", "id": "mine"}, "id"),
    ({"firstName": "No Email"}, "email"),
])
def test_validation_errors_are_422_with_field(http: httpx.Client, body: dict[str, Any], field: str) -> None:
    response = http.post("/contacts", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error" and response.json()["error"]["field"] == field


def test_activity_needs_an_existing_contact(http: httpx.Client) -> None:
    response = http.post("/activities", json={"contact_id": "con_999999", "subject": "hi"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "contact_id"


def test_auth_errors_are_401(emulator: RestEmulator) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = httpx.get(f"{emulator.url}/contacts", headers=headers)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_lists_page_with_cursor_filter_and_sort(http: httpx.Client) -> None:
    person = contact(http)
    for day in (3, 1, 5, 2, 4):
        http.post("/activities", json={"contact_id": person["id"], "subject": f"d{day}",
                                       "occurred_at": f"2024-01-0{day}T00:00:00Z"}).raise_for_status()
    page = http.get("/activities", params={"contact_id": person["id"], "sort": "-occurred_at"}).json()
    assert [a["subject"] for a in page["items"]] == ["d5", "d4", "d3"]
    rest = http.get("/activities", params={"contact_id": person["id"], "sort": "-occurred_at",
                                           "cursor": page["next_cursor"]}).json()
    assert [a["subject"] for a in rest["items"]] == ["d2", "d1"] and rest["next_cursor"] is None
    assert http.get("/activities", params={"contact_id": "con_x"}).json() == {"items": [], "next_cursor": None}
    assert http.get("/activities", params={"limit": "1"}).json()["items"][0]["subject"] == "d3"
    for params, field in (({"nope": "1"}, "nope"), ({"cursor": "garbage"}, "cursor"), ({"limit": "0"}, "limit"),
                          ({"sort": "-nope"}, "sort")):
        bad = http.get("/activities", params=params)
        assert bad.status_code == 422 and bad.json()["error"]["field"] == field


def test_email_filter_and_token_search(http: httpx.Client) -> None:
    jane = contact(http)
    contact(http, "sam@globex.com", firstName="Samuel", lastName="Stone", company="Globex")
    assert [c["id"] for c in http.get("/contacts", params={"email": " Jane@ACME.com "}).json()["items"]] == \
        [jane["id"]]
    found = http.get("/contacts", params={"q": "sam acme"}).json()["items"]
    assert [c["email"] for c in found] == ["jane@acme.com", "sam@globex.com"]
    assert http.get("/contacts", params={"q": "zzz"}).json()["items"] == []


def test_rate_limit_headers_and_429(http: httpx.Client, emulator: RestEmulator) -> None:
    response = http.get("/contacts")
    assert response.headers["X-RateLimit-Limit"] == "100000"
    assert response.headers["X-RateLimit-Remaining"] == "99999"
    assert int(response.headers["X-RateLimit-Reset"]) > 0
    emulator.faults.schedule(429, retry_after_s=7)
    limited = http.get("/contacts")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert limited.json()["error"]["code"] == "rate_limited"
    emulator.faults.schedule(429)
    assert "Retry-After" not in http.get("/contacts").headers


def test_daily_limit_is_429_daily_limit(http: httpx.Client, emulator: RestEmulator) -> None:
    emulator.daily_limit = 2
    assert http.get("/contacts").headers["X-RateLimit-Remaining"] == "1"
    assert http.get("/contacts").status_code == 200
    over = http.get("/contacts")
    assert over.status_code == 429 and over.json()["error"]["code"] == "daily_limit"
    assert over.headers["X-RateLimit-Remaining"] == "0" and int(over.headers["Retry-After"]) > 0


def test_me_and_scopes(http: httpx.Client, emulator: RestEmulator) -> None:
    me = http.get("/me").json()
    assert me["user"] == "sandbox@example.com" and "contacts:write" in me["scopes"] and len(me["scopes"]) == 8
    emulator.scopes = ["contacts:read"]
    forbidden = http.post("/contacts", json={"email": "a@b.co"})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"


def test_after_fault_writes_then_answers_5xx(http: httpx.Client, emulator: RestEmulator) -> None:
    emulator.faults.schedule(503, method="POST", after=True)
    lost = http.post("/contacts", json={"email": "a@b.co"}, headers={"Idempotency-Key": "k"})
    assert lost.status_code == 503 and lost.json()["error"]["code"] == "internal_error"
    replay = http.post("/contacts", json={"email": "a@b.co"}, headers={"Idempotency-Key": "k"})
    assert replay.status_code == 200 and len(emulator.snapshot()["contacts"]) == 1


def test_variant_paths_names_and_auth_header() -> None:
    with RestEmulator(token="t", base_path="/api/v2", rename={"contacts": {"phone": "mobile"}},
                      auth_header="X-Api-Key", auth_scheme="") as emulator:
        headers = {"X-Api-Key": "t"}
        assert httpx.get(f"{emulator.url}/api/v2/me", headers=headers).status_code == 200
        assert httpx.get(f"{emulator.url}/api/v2/me", headers={"Authorization": "Bearer t"}).status_code == 401
        assert httpx.get(f"{emulator.url}/contacts", headers=headers).status_code == 404
        made = httpx.post(f"{emulator.url}/api/v2/contacts", headers=headers, json={"email": "a@b.co", "mobile": "1"})
        assert made.status_code == 201 and made.json()["mobile"] == "1" and "phone" not in made.json()
        options = emulator.connection()["crm"]["options"]
        assert options["resources"]["contact"] == "/api/v2/contacts"
        assert options["field_map"] == {"contact": {"phone": "mobile"}}
        assert (options["auth_header"], options["auth_scheme"]) == ("X-Api-Key", "")


def test_tls_connection_carries_the_ca_bundle() -> None:
    with RestEmulator(token="t", tls=True) as emulator:
        connection = emulator.connection()
        assert connection == {"crm": {"type": "rest", "options": {"base_url": emulator.url,
                                                                  "ca_bundle": str(emulator.cert_path)}},
                              "env": {"CRM_API_TOKEN": "t"}}
        assert emulator.url.startswith("https://")
        response = httpx.get(f"{emulator.url}/me", headers={"Authorization": "Bearer t"},
                             verify=_context(str(emulator.cert_path)))
        assert response.status_code == 200


def _context(cafile: str) -> Any:
    import ssl

    return ssl.create_default_context(cafile=cafile)


def test_delete_twice_and_a_replayed_create_of_a_deleted_record(http: httpx.Client, emulator: RestEmulator) -> None:
    owner = contact(http)
    body = {"contact_id": owner["id"], "subject": "hello"}
    created = http.post("/activities", json=body, headers={"Idempotency-Key": "k1"})
    record_id = created.json()["id"]
    assert http.delete(f"/activities/{record_id}").status_code == 204
    again = http.delete(f"/activities/{record_id}")
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"
    assert http.get("/activities", params={"contact_id": owner["id"]}).json()["items"] == []
    replayed = http.post("/activities", json=body, headers={"Idempotency-Key": "k1"})
    assert replayed.status_code == 200 and replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == created.json() and "ETag" not in replayed.headers      # the record is gone
    assert emulator.snapshot()["activities"] == []


def test_faults_apply_to_delete(http: httpx.Client, emulator: RestEmulator) -> None:
    record = contact(http)
    emulator.faults.schedule(500, method="DELETE", after=True)
    assert http.delete(f"/contacts/{record['id']}").status_code == 500
    assert emulator.snapshot()["contacts"] == []                           # deleted; only the answer was lost
    assert http.delete(f"/contacts/{record['id']}").status_code == 404
    emulator.faults.schedule(429, method="DELETE", retry_after_s=1)
    other = contact(http, "other@acme.com")
    limited = http.delete(f"/contacts/{other['id']}")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1"
    assert [c["id"] for c in emulator.snapshot()["contacts"]] == [other["id"]]

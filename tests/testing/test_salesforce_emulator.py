"""The Salesforce emulator answers simple-salesforce (and raw requests) the way a real org does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from crm_crew.testing.salesforce import SalesforceEmulator
from crm_crew.testing.salesforce.records import checksum_id, http_date

API = "/services/data/v59.0"


@pytest.fixture(scope="module")
def emulator() -> Iterator[SalesforceEmulator]:
    with SalesforceEmulator(page_size=2) as em:
        yield em  # type: ignore[misc]


@pytest.fixture
def session(emulator: SalesforceEmulator) -> requests.Session:
    emulator.reset()
    s = requests.Session()
    s.verify = str(emulator.cert_path)
    s.trust_env = False
    return s


@pytest.fixture
def sf(emulator: SalesforceEmulator, session: requests.Session) -> Any:
    return Salesforce(instance_url=emulator.url, session_id=emulator.token, session=session)


def content(caught: pytest.ExceptionInfo[Any]) -> Any:
    """The parsed error body simple-salesforce attached to its exception."""
    return caught.value.content


def _raw(session: requests.Session, emulator: SalesforceEmulator, method: str, path: str,
         body: Any = None, headers: dict[str, str] | None = None) -> requests.Response:
    return session.request(method, emulator.url + API + path, json=body,
                           headers={"Authorization": f"Bearer {emulator.token}", **(headers or {})})


def test_create_get_and_record_shape(sf: Any, emulator: SalesforceEmulator) -> None:
    created = sf.Contact.create({"LastName": "Lovelace", "Email": "ada@example.com", "HasOptedOutOfEmail": True})
    assert created["success"] is True and created["errors"] == []
    record_id = created["id"]
    assert len(record_id) == 18 and record_id.startswith("003") and checksum_id(record_id[:15]) == record_id
    got = sf.Contact.get(record_id)
    assert got["attributes"] == {"type": "Contact", "url": f"{API}/sobjects/Contact/{record_id}"}
    assert got["Email"] == "ada@example.com" and got["HasOptedOutOfEmail"] is True and got["FirstName"] is None
    assert got["LastModifiedDate"].endswith("+0000") and len(got["LastModifiedDate"]) == 28
    assert sf.Contact.get(record_id[:15])["Id"] == record_id
    lead = sf.Lead.create({"LastName": "L", "Company": "C"})["id"]
    assert lead.startswith("00Q") and sf.Lead.get(lead)["Status"] == "Open - Not Contacted"
    assert sf.Task.create({"Subject": "s"})["id"].startswith("00T")
    assert sf.Case.create({"Subject": "s"})["id"].startswith("500")
    assert sf.Account.create({"Name": "A"})["id"].startswith("001")


def test_errors_are_json_arrays_with_real_codes(sf: Any) -> None:
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Lead.create({"LastName": "x"})
    assert missing.value.status == 400
    assert content(missing) == [{"message": "Required fields are missing: [Company]",
                                      "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Company"]}]
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Contact.create({"LastName": "x", "Shoe__c": 9})
    assert content(unknown)[0] == {"message": "No such column 'Shoe__c' on sobject of type Contact",
                                        "errorCode": "INVALID_FIELD", "fields": []}
    with pytest.raises(SalesforceMalformedRequest) as readonly:
        sf.Contact.create({"LastName": "x", "CreatedDate": "2020-01-01T00:00:00.000+0000"})
    assert content(readonly)[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    with pytest.raises(SalesforceResourceNotFound) as gone:
        sf.Contact.get("0035g0000000999AAA")
    assert content(gone) == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND",
                                   "fields": []}]
    with pytest.raises(SalesforceMalformedRequest) as bad_ref:
        sf.Task.create({"WhoId": "0015g0000000001AAA"})
    assert content(bad_ref)[0]["errorCode"] == "MALFORMED_ID"


def test_duplicates_detected_shape(sf: Any) -> None:
    existing = sf.Contact.create({"LastName": "x", "Email": "dup@example.com"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.Lead.create({"LastName": "y", "Company": "c", "Email": "DUP@example.com"})
    error = content(caught)[0]
    assert (error["errorCode"], error["message"]) == ("DUPLICATES_DETECTED", "Use one of these records?")
    result = error["duplicateResult"]
    assert (result["allowSave"], result["duplicateRuleEntityType"]) == (False, "Lead")
    match = result["matchResults"][0]
    assert (match["entityType"], match["size"], match["success"]) == ("Contact", 1, True)
    assert match["matchRecords"][0]["record"] == {
        "attributes": {"type": "Contact", "url": f"{API}/sobjects/Contact/{existing}"}, "Id": existing}
    assert match["matchRecords"][0]["matchConfidence"] == 100.0


def test_query_paging_relationships_and_soql(sf: Any, emulator: SalesforceEmulator) -> None:
    account = sf.Account.create({"Name": "Acme"})["id"]
    for n in range(5):
        sf.Contact.create({"LastName": f"L{n}", "Email": f"c{n}@x.test", "AccountId": account if n % 2 else None})
    first = sf.query("SELECT Id, LastName, Account.Name FROM Contact ORDER BY LastName DESC")
    assert (first["totalSize"], first["done"], len(first["records"])) == (5, False, 2)
    assert first["nextRecordsUrl"].startswith(f"{API}/query/01g") and first["nextRecordsUrl"].endswith("-2")
    everything = sf.query_all("SELECT Id, LastName, Account.Name FROM Contact ORDER BY LastName DESC")
    assert [r["LastName"] for r in everything["records"]] == ["L4", "L3", "L2", "L1", "L0"]
    assert everything["records"][1]["Account"]["Name"] == "Acme" and everything["records"][0]["Account"] is None
    assert len(emulator.requests_matching("GET", f"{API}/query/01g")) == 2     # query_all: 5 rows, 3 pages
    where = ("SELECT Id FROM Contact WHERE (Email LIKE 'C1%' OR Account.Name = 'acme') AND LastName != 'L3' "
             "AND Email IN ('c1@x.test', 'c0@x.test')")
    assert [r["Id"] for r in sf.query_all(where)["records"]] == [everything["records"][3]["Id"]]
    with pytest.raises(SalesforceMalformedRequest) as bad:
        sf.query("SELECT Id FROM Contact GROUP BY Id")
    assert content(bad)[0]["errorCode"] == "MALFORMED_QUERY"
    with pytest.raises(SalesforceMalformedRequest) as field:
        sf.query("SELECT Nope FROM Contact")
    assert content(field)[0]["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Nope' on entity 'Contact'" in content(field)[0]["message"]


def test_query_all_sees_deleted(sf: Any) -> None:
    record_id = sf.Lead.create({"LastName": "x", "Company": "c"})["id"]
    assert sf.Lead.delete(record_id) == 204
    assert sf.query("SELECT Id FROM Lead")["totalSize"] == 0
    assert sf.query_all("SELECT Id, IsDeleted FROM Lead", include_deleted=True)["records"][0]["IsDeleted"] is True


def test_upsert_by_external_id(sf: Any, emulator: SalesforceEmulator, session: requests.Session) -> None:
    assert sf.Task.upsert("CrmCrew_Key__c/k-1", {"Subject": "a"}) == 201
    assert sf.Task.upsert("CrmCrew_Key__c/k-1", {"Subject": "b"}) == 200
    assert [t["Subject"] for t in emulator.snapshot()["Task"]] == ["b"]
    raw = _raw(session, emulator, "PATCH", "/sobjects/Task/CrmCrew_Key__c/k-2", {"Subject": "c"})
    assert raw.status_code == 201 and raw.json()["created"] is True
    again = _raw(session, emulator, "PATCH", "/sobjects/Task/CrmCrew_Key__c/k-2", {"Subject": "c"})
    assert again.status_code == 200 and again.json() == {"id": raw.json()["id"], "success": True, "errors": [],
                                                         "created": False}
    assert sf.Task.get_by_custom_id("CrmCrew_Key__c", "k-2")["Id"] == raw.json()["id"]
    with pytest.raises(SalesforceMalformedRequest) as dup:
        sf.Task.create({"CrmCrew_Key__c": "K-1"})
    assert content(dup)[0]["errorCode"] == "DUPLICATE_VALUE"
    with pytest.raises(SalesforceResourceNotFound):
        sf.Task.upsert("Subject/x", {"Description": "d"})


def test_composite_collections(sf: Any, emulator: SalesforceEmulator) -> None:
    answer = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": [
        {"attributes": {"type": "Lead"}, "LastName": "a", "Company": "b"},
        {"attributes": {"type": "Lead"}, "LastName": "a"}]})
    assert answer[0]["success"] is True and answer[0]["id"].startswith("00Q")
    assert answer[1] == {"success": False, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
                                                       "message": "Required fields are missing: [Company]",
                                                       "fields": ["Company"]}]}
    records = [{"attributes": {"type": "Task"}, "Subject": f"s{n}", "CrmCrew_Key__c": f"k{n}"} for n in range(3)]
    upserted = sf.restful("composite/sobjects/Task/CrmCrew_Key__c", method="PATCH",
                          json={"allOrNone": False, "records": records})
    assert [u["created"] for u in upserted] == [True, True, True]
    again = sf.restful("composite/sobjects/Task/CrmCrew_Key__c", method="PATCH",
                       json={"allOrNone": False, "records": records})
    assert [u["created"] for u in again] == [False, False, False] and len(emulator.snapshot()["Task"]) == 3
    too_many = [{"attributes": {"type": "Lead"}, "LastName": "x", "Company": "y"}] * 201
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": too_many})
    assert content(caught)[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_if_unmodified_since_412(sf: Any, emulator: SalesforceEmulator, session: requests.Session) -> None:
    record_id = sf.Contact.create({"LastName": "x"})["id"]
    stamp = sf.Contact.get(record_id)["LastModifiedDate"]
    header = {"If-Unmodified-Since": http_date(stamp)}
    assert sf.Contact.update(record_id, {"Phone": "1"}, headers=header) == 204
    emulator.external_edit("Contact", record_id, {"Phone": "2"})
    moved = emulator.snapshot()["Contact"][0]["LastModifiedDate"]
    assert http_date(moved) != http_date(stamp)
    raw = _raw(session, emulator, "PATCH", f"/sobjects/Contact/{record_id}", {"Phone": "3"}, header)
    assert raw.status_code == 412 and raw.json()[0]["errorCode"] == "PRECONDITION_FAILED"
    with pytest.raises(SalesforceGeneralError) as caught:
        sf.Contact.update(record_id, {"Phone": "3"}, headers=header)
    assert caught.value.status == 412
    assert emulator.snapshot()["Contact"][0]["Phone"] == "2"


def test_auth_limits_and_faults(sf: Any, emulator: SalesforceEmulator, session: requests.Session) -> None:
    sf.query("SELECT Id FROM Contact")
    assert sf.api_usage["api-usage"].used == 1 and sf.api_usage["api-usage"].total == 100000
    limits = sf.limits()
    assert limits["DailyApiRequests"] == {"Max": 100000, "Remaining": 99998}
    emulator.faults.schedule(429, retry_after_s=3)
    raw = _raw(session, emulator, "GET", "/limits/")
    assert raw.status_code == 429 and raw.headers["Retry-After"] == "3"
    assert raw.headers["Sforce-Limit-Info"] == "api-usage=3/100000"
    admin = session.post(emulator.url + "/_emulator/faults", json={"concurrency_limit": 1})
    assert admin.status_code == 204
    with pytest.raises(SalesforceRefusedRequest) as busy:
        sf.query("SELECT Id FROM Contact")
    assert content(busy)[0]["message"] == "ConcurrentPerOrgLongTxn Limit exceeded."
    emulator.daily_limit = emulator.used_today
    with pytest.raises(SalesforceRefusedRequest) as spent:
        sf.query("SELECT Id FROM Contact")
    assert content(spent) == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    emulator.daily_limit = None
    emulator.faults.schedule(502)
    bad_gateway = _raw(session, emulator, "GET", "/limits/")
    assert bad_gateway.status_code == 502 and bad_gateway.headers["Content-Type"] == "text/html"
    bad = Salesforce(instance_url=emulator.url, session_id="nope", session=session)
    with pytest.raises(SalesforceExpiredSession) as expired:
        bad.query("SELECT Id FROM Contact")
    assert content(expired) == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_describe_userinfo_and_connection(sf: Any, emulator: SalesforceEmulator) -> None:
    described = sf.Case.describe()
    assert (described["name"], described["keyPrefix"], described["createable"]) == ("Case", "500", True)
    fields = {f["name"]: f for f in described["fields"]}
    assert fields["CrmCrew_Key__c"]["externalId"] is True and fields["CrmCrew_Key__c"]["unique"] is True
    assert fields["CaseNumber"]["createable"] is False
    assert sf.oauth2("userinfo")["organization_id"] == "00D5g000004CrmCAAS"
    conn = emulator.connection()
    assert conn == {"crm": {"type": "salesforce", "options": {"instance_url": emulator.url,
                                                              "ca_bundle": str(emulator.cert_path)}},
                    "env": {"SALESFORCE_ACCESS_TOKEN": emulator.token}}
    assert emulator.url.startswith("https://127.0.0.1:")
    assert set(json.loads(json.dumps(emulator.snapshot()))) == {"Contact", "Lead", "Account", "Task", "Case"}


def test_delete_moves_to_the_recycle_bin_with_the_leads_tasks(sf: Any, emulator: SalesforceEmulator) -> None:
    lead = sf.Lead.create({"LastName": "x", "Company": "c", "Email": "l@x.co", "CrmCrew_Key__c": "k-1"})["id"]
    task = sf.Task.create({"Subject": "call", "WhoId": lead})["id"]
    assert sf.Lead.delete(lead) == 204
    for call in (lambda: sf.Lead.get(lead), lambda: sf.Lead.delete(lead),
                 lambda: sf.Lead.update(lead, {"LastName": "y"})):
        with pytest.raises(SalesforceResourceNotFound) as gone:
            call()
        assert content(gone) == [{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}]
    with pytest.raises(SalesforceResourceNotFound) as unknown:
        sf.Lead.delete("00Q5g0000099999AAA")
    assert content(unknown)[0]["errorCode"] == "NOT_FOUND"
    assert sf.query("SELECT Id FROM Task")["totalSize"] == 0                    # its Tasks went with it
    binned = sf.query_all("SELECT Id, IsDeleted FROM Task", include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in binned] == [(task, True)]
    assert emulator.snapshot()["Lead"] == [] and emulator.snapshot()["Task"] == []
    # neither the External ID nor the duplicate rule sees the recycle bin: the same key and email create anew
    assert sf.Lead.upsert("CrmCrew_Key__c/k-1", {"LastName": "y", "Company": "c", "Email": "l@x.co"}) == 201
    assert [r["Id"] for r in emulator.snapshot()["Lead"]] != [lead]


def test_a_contact_with_cases_cannot_be_deleted(sf: Any) -> None:
    contact = sf.Contact.create({"FirstName": "Ada", "LastName": "Lovelace"})["id"]
    case = sf.Case.create({"Subject": "s", "ContactId": contact})["id"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Contact.delete(contact)
    error = content(refused)[0]
    assert refused.value.status == 400 and error["errorCode"] == "DELETE_FAILED"
    assert error["message"] == ("Your attempt to delete Ada Lovelace could not be completed because it is associated "
                                "with the following cases.: 00001001\n")
    assert sf.Contact.get(contact)["Id"] == contact
    assert sf.Case.delete(case) == 204
    assert sf.Contact.delete(contact) == 204


def test_faults_apply_to_delete(sf: Any, emulator: SalesforceEmulator) -> None:
    first = sf.Lead.create({"LastName": "a", "Company": "c"})["id"]
    second = sf.Lead.create({"LastName": "b", "Company": "c"})["id"]
    emulator.faults.schedule(500, method="DELETE", after=True)               # deleted, the answer lost
    with pytest.raises(SalesforceGeneralError) as lost:
        sf.Lead.delete(first)
    assert lost.value.status == 500
    emulator.faults.schedule(503, method="DELETE")                           # refused before deleting
    with pytest.raises(SalesforceGeneralError):
        sf.Lead.delete(second)
    assert [r["Id"] for r in emulator.snapshot()["Lead"]] == [second]
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.delete(first)
    assert sf.Lead.delete(second) == 204

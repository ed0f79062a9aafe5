"""The embedded local CRM (SQLite) and contact import/export."""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from pathlib import Path
from typing import Iterator

import pytest

from crm_crew.connectors.base import Connector
from crm_crew.connectors.contacts_file import read_contact_rows
from crm_crew.connectors.importer import import_contacts
from crm_crew.connectors.local import LocalCRM, open_local_crm
from crm_crew.connectors.options import ConnectorContext
from crm_crew.connectors.registry import open_connector
from crm_crew.errors import ConnectorError, CrmUnavailableError, NotFoundError, UserError
from tests.unit_fixtures import Clock

SAMPLES = Path(__file__).resolve().parents[2] / "config" / "samples" / "contacts.csv"


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[LocalCRM]:
    db = LocalCRM(tmp_path / "crm.sqlite", clock=Clock())
    yield db
    db.close()


def jane(crm: LocalCRM, key: str = "k-jane") -> str:
    return crm.create("contact", {"email": " Jane.Doe@Acme-Corp.com ", "first_name": "Jane",
                                  "last_name": "Doe", "company": "Acme Corp"}, key)


# -- opening -----------------------------------------------------------------------------


def test_open_via_registry_defaults_to_home(tmp_path: Path) -> None:
    home = tmp_path / "state" / "nested"
    crm = open_connector("local", {}, ConnectorContext(home))
    try:
        assert crm.name == "local"
        assert isinstance(crm, LocalCRM)
        assert crm.path == home / "crm.sqlite"
        assert crm.path.exists()
        _: Connector = crm  # structural check for type checkers
    finally:
        crm.close()


def test_open_path_option_with_home_placeholder_and_relative(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    crm = open_local_crm({"path": "{home}/sub/x.db"}, ConnectorContext(tmp_path))
    assert crm.path == tmp_path / "sub" / "x.db"
    crm.close()
    monkeypatch.chdir(tmp_path)
    crm = open_local_crm({"path": "rel/y.db"}, ConnectorContext(tmp_path / "unused"))
    assert crm.path == tmp_path / "rel" / "y.db" and crm.path.exists()
    crm.close()


def test_schema_version_wal_and_foreign_keys(tmp_path: Path) -> None:
    LocalCRM(tmp_path / "c.db").close()
    LocalCRM(tmp_path / "c.db").close()  # reopening an existing file works
    con = sqlite3.connect(tmp_path / "c.db")
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"contacts", "activities", "cases", "tasks"} <= tables
    con.close()


def test_unknown_option_is_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError) as info:
        open_local_crm({"path": "x.db", "pth": 1}, ConnectorContext(tmp_path))
    assert "pth" in str(info.value) and "path" in str(info.value)


@pytest.mark.parametrize("kind", ["directory", "not sqlite", "parent is a file"])
def test_bad_path_is_crm_unavailable(tmp_path: Path, kind: str) -> None:
    if kind == "directory":
        path = tmp_path / "adir"
        path.mkdir()
    elif kind == "not sqlite":
        path = tmp_path / "notes.sqlite"
        path.write_text("this is not a database, just some text\n" * 50)
    else:
        (tmp_path / "file").write_text("x")
        path = tmp_path / "file" / "crm.sqlite"
    with pytest.raises(CrmUnavailableError) as info:
        open_local_crm({"path": str(path)}, ConnectorContext(tmp_path))
    assert str(path) in str(info.value)
    assert "crm.options.path" in str(info.value)


# -- create / find / update ----------------------------------------------------------------


def test_create_and_find_contact(crm: LocalCRM) -> None:
    cid = jane(crm)
    assert re.fullmatch(r"C-[0-9a-f]{8}", cid)
    found = crm.find_contact_by_email("  JANE.DOE@acme-corp.com")
    assert found is not None and found.id == cid
    assert found.email == "jane.doe@acme-corp.com"
    assert found.full_name == "Jane Doe" and found.opted_out is False
    assert crm.get_contact(cid) == found
    assert crm.get_contact("C-00000000") is None
    assert crm.find_contact_by_email("nobody@acme-corp.com") is None


def test_idempotency_key_returns_same_id(crm: LocalCRM) -> None:
    cid = jane(crm)
    a1 = crm.create("activity", {"contact_id": cid, "subject": "Hello", "kind": "email"}, "act-1")
    a2 = crm.create("activity", {"contact_id": cid, "subject": "Changed", "kind": "email"}, "act-1")
    assert a1 == a2 and re.fullmatch(r"A-[0-9a-f]{8}", a1)
    assert crm.counts() == {"contacts": 1, "activities": 1, "cases": 0, "tasks": 0}
    assert crm.recent_activities(cid)[0].subject == "Hello"
    case = crm.create("case", {"contact_id": cid, "subject": "Broken", "priority": "High"}, "case-1")
    task = crm.create("task", {"contact_id": cid, "subject": "Call back", "due_date": "2024-05-03"}, "task-1")
    assert case.startswith("K-") and task.startswith("T-")
    assert crm.create("case", {"contact_id": cid, "subject": "Broken"}, "case-1") == case


def test_same_email_contact_returns_existing_id(crm: LocalCRM) -> None:
    cid = jane(crm, "k1")
    again = crm.create("contact", {"email": "jane.doe@ACME-corp.com", "first_name": "J"}, "k2")
    assert again == cid
    assert crm.counts()["contacts"] == 1
    assert crm.get_contact(cid).first_name == "Jane"  # type: ignore[union-attr]


def test_concurrent_creates_with_same_key_make_one_row(crm: LocalCRM) -> None:
    cid = jane(crm)
    barrier = threading.Barrier(8)
    ids: list[str] = []
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            ids.append(crm.create("activity", {"contact_id": cid, "subject": f"from {n}"}, "same-key"))
            ids.append(crm.create("contact", {"email": f"p{n}@example.com"}, "same-contact-key"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(ids) == 16 and len(set(ids)) == 2
    assert crm.counts() == {"contacts": 2, "activities": 1, "cases": 0, "tasks": 0}


def test_concurrent_creates_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    crms = [LocalCRM(path) for _ in range(4)]
    cid = crms[0].create("contact", {"email": "a@b.co"}, "c")
    barrier = threading.Barrier(8)
    ids: list[str] = []

    def worker(n: int) -> None:
        barrier.wait()
        ids.append(crms[n % 4].create("task", {"contact_id": cid, "subject": "x"}, "t-key"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 1 and crms[0].counts()["tasks"] == 1
    for c in crms:
        c.close()


def test_create_validation(crm: LocalCRM) -> None:
    with pytest.raises(ConnectorError, match="opportunity"):
        crm.create("opportunity", {}, "k")  # type: ignore[arg-type]
    with pytest.raises(ConnectorError, match="favourite_color") as info:
        crm.create("contact", {"email": "x@y.co", "favourite_color": "red", "id": "C-1"}, "k")
    assert "id" in str(info.value) and "allowed" in str(info.value)
    with pytest.raises(ConnectorError, match="email"):
        crm.create("contact", {"first_name": "No Email"}, "k")
    with pytest.raises(ConnectorError, match="not a valid email"):
        crm.create("contact", {"email": "not-an-email"}, "k")
    with pytest.raises(ConnectorError, match="contact C-deadbeef does not exist"):
        crm.create("activity", {"contact_id": "C-deadbeef", "subject": "x"}, "k")
    with pytest.raises(ConnectorError, match="contact_id"):
        crm.create("case", {"subject": "x"}, "k")
    assert crm.counts() == {"contacts": 0, "activities": 0, "cases": 0, "tasks": 0}


def test_update_returns_before_values(crm: LocalCRM) -> None:
    cid = jane(crm)
    before_ts = crm.get_contact(cid).updated_at  # type: ignore[union-attr]
    before = crm.update("contact", cid, {"tier": "premium", "opted_out": True, "lead_status": "Customer"})
    assert before == {"tier": "", "opted_out": False, "lead_status": ""}
    after = crm.get_contact(cid)
    assert after is not None and after.tier == "premium" and after.opted_out is True
    assert after.updated_at > before_ts
    assert crm.update("contact", cid, {"opted_out": False}) == {"opted_out": True}

    case = crm.create("case", {"contact_id": cid, "subject": "Broken", "status": "New"}, "c1")
    assert crm.update("case", case, {"status": "Escalated", "priority": "High"}) == {
        "status": "New", "priority": ""}
    with pytest.raises(ConnectorError, match="does not exist"):
        crm.update("task", "T-00000000", {"status": "Done"})
    with pytest.raises(ConnectorError, match="bogus"):
        crm.update("case", case, {"bogus": 1})
    other = crm.create("contact", {"email": "other@acme-corp.com"}, "o")
    with pytest.raises(ConnectorError, match="already belongs"):
        crm.update("contact", other, {"email": "JANE.DOE@acme-corp.com"})


# -- search / recent activity ---------------------------------------------------------------


def test_search_contacts_candidates(crm: LocalCRM) -> None:
    import_contacts(crm, (row for _, row in read_contact_rows(SAMPLES)))
    names = lambda cs: {c.email for c in cs}  # noqa: E731
    assert "jane.doe@acme-corp.com" in names(crm.search_contacts("JANE doe", ""))
    assert names(crm.search_contacts("", "acme")) == {"jane.doe@acme-corp.com"}
    assert "sam.taylor@gmail.com" in names(crm.search_contacts("Sam Taylor", ""))  # prefix
    assert "emily.nguyen@vandelay.com" in names(crm.search_contacts("Someone", "Vandelay Industries Inc"))
    assert crm.search_contacts("Zed Quux", "Nowhere") == []
    assert crm.search_contacts("", "") == []
    assert crm.search_contacts("100%_", "") == []  # LIKE wildcards are escaped
    assert len(crm.search_contacts("a b c", "Industries", limit=1)) == 1
    best = crm.search_contacts("Jane Doe", "Acme Corp")[0]
    assert best.email == "jane.doe@acme-corp.com"


def test_recent_activities_newest_first(crm: LocalCRM) -> None:
    cid = jane(crm)
    other = crm.create("contact", {"email": "other@x.co"}, "o")
    for key, when in [("a", "2024-01-02T10:00:00Z"), ("b", "2024-03-01T09:00:00Z"),
                      ("c", "2024-01-02T10:00:00Z"), ("d", "2023-12-31T00:00:00Z")]:
        crm.create("activity", {"contact_id": cid, "subject": key, "occurred_at": when}, key)
    crm.create("activity", {"contact_id": other, "subject": "z", "occurred_at": "2025-01-01"}, "z")
    assert [a.subject for a in crm.recent_activities(cid, limit=5)] == ["b", "c", "a", "d"]
    assert [a.subject for a in crm.recent_activities(cid, limit=2)] == ["b", "c"]
    assert crm.recent_activities("C-00000000") == []


# -- import / export ---------------------------------------------------------------------


def test_import_sample_contacts(crm: LocalCRM) -> None:
    report = import_contacts(crm, read_contact_rows(SAMPLES))
    assert len(report.created) == 12 and not report.rejected and not report.warnings
    sam = crm.find_contact_by_email("sam.taylor@gmail.com")
    assert sam is not None and sam.first_name == "Samuel" and sam.tier == "free"
    again = import_contacts(crm, read_contact_rows(SAMPLES))
    assert len(again.unchanged) == 12 and not again.created and not again.updated


def test_import_created_updated_rejected(crm: LocalCRM, tmp_path: Path) -> None:
    cid = jane(crm)
    crm.update("contact", cid, {"phone": "+1 555 0101"})
    path = tmp_path / "people.csv"
    path.write_text(
        "Email,First Name,last_name,company,tier,opted_out,Notes,shoe size\n"
        "JANE.DOE@acme-corp.com,,,,premium,,vip,\n"              # line 2: update tier only
        "new.person@example.com,New,Person,Example,,yes,,42\n"    # line 3: created
        "\n"                                                      # line 4: blank, skipped
        ",Nobody,,,,,,\n"                                         # line 5: missing email
        "not an email,X,,,,,,\n"                                  # line 6: invalid email
        "bad.flag@example.com,B,,,,maybe,,\n"                     # line 7: bad opted_out
        "too@many.com,a,b,c,d,e,f,g,h,i\n",                       # line 8: too many values
        encoding="utf-8")
    report = import_contacts(crm, read_contact_rows(path))
    assert report.updated == [cid] and len(report.created) == 1
    assert [(r.row, r.reason.split(" ")[0]) for r in report.rejected] == [
        (5, "missing"), (6, "invalid"), (7, "opted_out:"), (8, "2")]
    assert len(report.warnings) == 2
    assert "'notes'" in report.warnings[0] and "'shoe_size'" in report.warnings[1]
    j = crm.get_contact(cid)
    assert j is not None and j.tier == "premium" and j.first_name == "Jane" and j.phone == "+1 555 0101"
    new = crm.find_contact_by_email("new.person@example.com")
    assert new is not None and new.opted_out is True and new.company == "Example"
    assert report.to_dict()["rejected"][0] == {"row": 5, "reason": "missing email", "email": ""}


def test_import_jsonl_and_plain_dicts(crm: LocalCRM, tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(json.dumps({"email": "a@x.co", "first_name": "A", "opted_out": False}) + "\n"
                    "{not json\n"
                    "\n"
                    '["a list"]\n'
                    + json.dumps({"email": "b@x.co", "phone": 5551234, "extra": {"k": 1}}) + "\n")
    rows = list(read_contact_rows(path))
    assert rows[0] == (1, {"email": "a@x.co", "first_name": "A", "opted_out": "false"})
    assert rows[1][0] == 2 and rows[1][1]["__error__"].startswith("invalid JSON")
    report = import_contacts(crm, rows)
    assert len(report.created) == 2
    assert [(r.row, r.reason[:12]) for r in report.rejected] == [(2, "invalid JSON"), (4, "expected a J")]
    assert report.warnings == [f"unknown column 'extra' ignored; allowed: {report.warnings[0].split(': ')[1]}"]
    plain = import_contacts(crm, [{"email": "c@x.co"}, {"email": ""}])
    assert len(plain.created) == 1 and plain.rejected[0].row == 2


def test_contact_file_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"\.csv.*\.jsonl"):
        list(read_contact_rows(tmp_path / "people.xlsx"))
    with pytest.raises(NotFoundError):
        list(read_contact_rows(tmp_path / "missing.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,first_name,last_name\nrene@x.co,René,Müller-Lüdenscheidt\n".encode("cp1252"))
    assert list(read_contact_rows(latin))[0][1]["first_name"] == "René"


def test_export_all_shape(crm: LocalCRM) -> None:
    cid = jane(crm)
    crm.create("activity", {"contact_id": cid, "subject": "Hi"}, "a")
    crm.create("case", {"contact_id": cid, "subject": "Broken"}, "k")
    crm.create("task", {"contact_id": cid, "subject": "Call"}, "t")
    second = crm.create("contact", {"email": "z@x.co", "opted_out": "yes"}, "z")
    data = crm.export_all()
    assert set(data) == {"contacts", "activities", "cases", "tasks"}
    assert [c["id"] for c in data["contacts"]] == [cid, second]
    assert data["contacts"][1]["opted_out"] is True
    for table in ("activities", "cases", "tasks"):
        assert len(data[table]) == 1 and data[table][0]["contact_id"] == cid
    assert data["activities"][0]["occurred_at"]  # defaulted to now
    assert {"email", "created_at", "updated_at", "idempotency_key"} <= set(data["contacts"][0])
    json.dumps(data)  # plain JSON-able values


def test_contact_file_utf16_and_bom(tmp_path: Path) -> None:
    for name, data in [("u16.csv", "email,first_name\nzoe@x.co,Zoë\n".encode("utf-16")),
                       ("bom.csv", "\ufeffEmail,First_Name\nzoe@x.co,Zoë\n".encode("utf-8"))]:
        (tmp_path / name).write_bytes(data)
        assert list(read_contact_rows(tmp_path / name)) == [(2, {"email": "zoe@x.co", "first_name": "Zoë"})]

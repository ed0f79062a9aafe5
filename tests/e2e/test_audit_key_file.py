"""Without CRM_CREW_AUDIT_KEY, the embedded journal keeps its audit key in a file in the state folder."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.e2e.clihelp import cli, cli_process

CONTACTS = Path(__file__).resolve().parents[2] / "config" / "samples" / "contacts.csv"
NO_KEY = {"CRM_CREW_AUDIT_KEY": ""}
OTHER_KEY = "a-key-from-the-secrets-manager-7d41c0"


def test_the_first_write_makes_a_key_file_that_later_processes_use(tmp_path: Path) -> None:
    home = tmp_path / "state"
    first = cli_process("crm", "import", str(CONTACTS), home=home, env=NO_KEY)
    assert first.code == 0, first.err
    key_file = home / "audit.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = key_file.read_text(encoding="utf-8").strip()
    assert len(secret) >= 32
    assert first.err.count(str(key_file.absolute())) == 1 and "Back it up" in first.err

    again = cli_process("audit", "verify", home=home, env=NO_KEY)   # a new shell: no variable, same key
    assert again.code == 0, again.err
    assert "audit key file" not in again.err and key_file.read_text(encoding="utf-8").strip() == secret

    second = cli("crm", "import", str(CONTACTS), home=home, env=NO_KEY)
    assert second.code == 0 and "audit key file" not in second.err
    # the variable wins over the file: another key is refused, the file's key passes through the variable
    other = cli("crm", "import", str(CONTACTS), home=home, env={"CRM_CREW_AUDIT_KEY": OTHER_KEY})
    assert other.code == 1 and "does not verify" in other.err and "CRM_CREW_AUDIT_KEY" in other.err
    assert cli("audit", "verify", home=home, env={"CRM_CREW_AUDIT_KEY": secret}).code == 0
    for result in (first, again, second, other):
        assert secret not in result.out + result.err


def test_a_trail_written_with_the_variable_gets_no_key_file(tmp_path: Path) -> None:
    home = tmp_path / "state"
    assert cli("crm", "import", str(CONTACTS), home=home).code == 0   # the tests' CRM_CREW_AUDIT_KEY
    keyless = cli("crm", "import", str(CONTACTS), home=home, env=NO_KEY)
    assert keyless.code == 1 and "CRM_CREW_AUDIT_KEY" in keyless.err and str(home / "audit.key") in keyless.err
    assert not (home / "audit.key").exists()


def test_a_shared_store_never_reads_a_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from crm_crew.errors import UserError
    from crm_crew.store.key_source import find_key, require_key

    (tmp_path / "audit.key").write_text("a-key-file-that-a-shared-store-ignores\n", encoding="utf-8")
    monkeypatch.delenv("CRM_CREW_AUDIT_KEY")
    assert find_key("CRM_CREW_AUDIT_KEY", tmp_path, embedded=True) is not None
    assert find_key("CRM_CREW_AUDIT_KEY", tmp_path, embedded=False) is None
    with pytest.raises(UserError, match="CRM_CREW_AUDIT_KEY") as raised:
        require_key("CRM_CREW_AUDIT_KEY", tmp_path, embedded=False)
    assert str(tmp_path / "audit.key") not in str(raised.value)

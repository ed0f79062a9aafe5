"""`crm check`, `crm import` against remote CRMs, `sandbox`, and crm.options validation."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from crm_crew.testing.configs import write_config
from tests.e2e.backends import BACKENDS, REMOTE, Emulators, make_backend
from tests.e2e.clihelp import SAMPLES, cli


@pytest.mark.parametrize("name", BACKENDS)
def test_crm_check_reports_permissions_and_budget_and_writes_nothing(name: str, emulators: Emulators,
                                                                    tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path)
    before = backend.export()
    writes_before = len([r for r in backend.emulator.log if r.method != "GET"]) if backend.emulator else 0
    result = backend.cli("crm", "check", "--json")
    assert result.code == 0, result.err
    report = result.json()
    assert report["ok"] is True and report["crm"] == name
    assert report["permissions"] and all(report["permissions"].values())
    if backend.emulator is not None:
        assert report["budget"], "a remote CRM reports its API budget"
        writes = [r for r in backend.emulator.log if r.method != "GET"]
        assert len(writes) == writes_before or all(r.path.endswith("/search") or "/batch/read" in r.path
                                                   for r in writes[writes_before:])
    assert backend.export() == before
    table = backend.cli("crm", "check")
    assert table.code == 0 and "permission" in table.out


@pytest.mark.parametrize("name", REMOTE)
def test_crm_check_with_a_rejected_token_exits_1_naming_the_variable(name: str, emulators: Emulators,
                                                                    tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path, import_samples=False)
    token_env = next(iter(backend.emulator.connection()["env"]))  # type: ignore[union-attr]
    result = backend.cli("crm", "check", env={token_env: "wrong-token"})
    assert result.code == 1
    assert f"credentials rejected by {name}: check {token_env}" in result.err
    assert "wrong-token" not in result.err


@pytest.mark.parametrize("name", REMOTE)
def test_a_missing_token_is_a_clear_error_before_anything_runs(name: str, emulators: Emulators,
                                                               tmp_path: Path) -> None:
    backend = make_backend(name, emulators, tmp_path, import_samples=False)
    token_env = next(iter(backend.emulator.connection()["env"]))  # type: ignore[union-attr]
    env = dict(backend.env)
    env.pop(token_env)
    saved = os.environ.pop(token_env, None)
    try:
        result = cli("run", str(SAMPLES / "inbox.jsonl"), home=backend.home, env=env)
    finally:
        if saved is not None:
            os.environ[token_env] = saved
    assert result.code == 1
    assert f"environment variable {token_env} is not set" in result.err
    assert not (backend.home / "journal.sqlite").exists() or cli("runs", "--json", home=backend.home,
                                                                 env=env).json() == []


def test_crm_options_are_validated_with_file_line_and_column(tmp_path: Path) -> None:
    config = write_config(tmp_path / "cfg", {"type": "hubspot", "options": {"base_url": "http://127.0.0.1:1",
                                                                            "acess_token_env": "X"}})
    result = cli("validate", "--config", str(config), home=tmp_path / "state")
    assert result.code == 1
    assert "crm-crew.yaml:" in result.err and "crm.options: unknown key 'acess_token_env'" in result.err
    assert "did you mean 'access_token_env'?" in result.err
    ok = write_config(tmp_path / "ok", {"type": "rest", "options": {"base_url": "https://crm.example.com/api"}})
    assert cli("validate", "--config", str(ok), home=tmp_path / "state").code == 0


def test_sandbox_command_serves_until_terminated(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("crm-crew")
    config = tmp_path / "sandbox-config"
    proc = subprocess.Popen([str(exe), "sandbox", "rest", "--write-config", str(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("rest sandbox listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1].strip()
        lines = []
        while not (line := proc.stdout.readline()).startswith("Ctrl-C stops it"):
            lines.append(line)
        assert any(line.strip() == "export CRM_API_TOKEN=sandbox-token" for line in lines)
        printed = next(line for line in lines if line.strip().startswith("crm-crew validate "))
        validated = cli(*shlex.split(printed)[1:], home=tmp_path / "state")   # the printed command works
        assert validated.code == 0, validated.err
        with urllib.request.urlopen(url + "/_emulator/state", timeout=5) as response:
            assert json.load(response) == {"contacts": [], "activities": [], "cases": [], "tasks": []}
        result = cli("crm", "import", str(SAMPLES / "contacts.csv"), home=tmp_path / "state",
                     env={"CRM_CREW_CONFIG": str(config), "CRM_API_TOKEN": "sandbox-token"})
        assert result.code == 0, result.err
        with urllib.request.urlopen(url + "/_emulator/state", timeout=5) as response:
            contacts = json.load(response)["contacts"]
        assert len(contacts) == 12, (result.out, result.err)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0


def _contacts(path: Path, rows: list[str]) -> Path:
    path.write_text("email,first_name,phone,lead_status,opted_out\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_an_import_fills_empty_fields_and_keeps_newer_values_unless_overwrite(tmp_path: Path) -> None:
    from crm_crew.connectors.local import LocalCRM

    home = tmp_path / "state"
    first = _contacts(tmp_path / "first.csv", ["jane.doe@acme-corp.com,Jane,,New,", "sam@example.org,Sam,,New,"])
    assert cli("crm", "import", str(first), home=home).code == 0
    crm = LocalCRM(home / "crm.sqlite")            # the crew works the contacts, as a run would
    jane, sam = (crm.find_contact_by_email(e) for e in ("jane.doe@acme-corp.com", "sam@example.org"))
    assert jane is not None and sam is not None
    crm.update("contact", jane.id, {"lead_status": "Working"})
    crm.update("contact", sam.id, {"opted_out": True})
    crm.close()

    again = _contacts(tmp_path / "again.csv", ["jane.doe@acme-corp.com,Janet,+1 555 0101,New,",
                                                "sam@example.org,Sam,,New,false", "lee@example.org,Lee,,New,"])
    kept = cli("crm", "import", str(again), home=home)
    assert kept.code == 0, kept.err
    assert "1 created, 1 updated, 0 unchanged, 0 rejected; kept newer CRM values in 2 contact(s)" in kept.out
    assert (f"{jane.id} (line 2): filled phone; kept first_name [personal data] (file: [personal data]); "
            "kept lead_status 'Working' (file: 'New')") in kept.out
    assert f"{sam.id} (line 3): kept opted_out True (file: False)" in kept.out
    assert "+1 555 0101" not in kept.out and "Janet" not in kept.out
    report = cli("crm", "import", str(again), "--json", home=home).json()
    assert report["kept"] == [jane.id, sam.id] and report["updated"] == [] and len(report["unchanged"]) == 1
    [outcome, _] = report["contacts"]
    assert outcome["kept"]["lead_status"] == {"crm": "Working", "file": "New"} and outcome["filled"] == []

    replaced = cli("crm", "import", str(again), "--overwrite", home=home)
    assert replaced.code == 0, replaced.err
    assert "0 created, 1 updated, 1 unchanged, 0 rejected; kept newer CRM values in 1 contact(s)" in replaced.out
    assert f"{sam.id} (line 3): kept opted_out True (file: False)" in replaced.out    # no import takes one back
    assert f"{jane.id} (line 2): overwrote first_name [personal data] with [personal data]; " \
           "overwrote lead_status 'Working' with 'New'" in replaced.out
    crm = LocalCRM(home / "crm.sqlite")
    now = crm.get_contact(jane.id)
    crm.close()
    assert now is not None and (now.lead_status, now.first_name, now.phone) == ("New", "Janet", "+1 555 0101")
    trail = cli("audit", "show", "--record", jane.id, "--json", home=home).json()
    assert [e["operation"] for e in trail] == ["create", "update", "update"]

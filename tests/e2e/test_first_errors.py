"""Config, input and key errors come before crewai is imported (it takes seconds), and leave no state folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.clihelp import Result, cli

SAMPLES = Path(__file__).resolve().parents[2] / "config" / "samples"


def cli_importtime(*args: str, home: Path, env: dict[str, str] | None = None) -> tuple[Result, set[str]]:
    """The console script in a subprocess under `python -X importtime`; returns what it imported."""
    script = Path(sys.executable).with_name("crm-crew")
    full_env = {**os.environ, "CRM_CREW_HOME": str(home), **(env or {})}
    full_env.pop("CRM_CREW_CONFIG", None)
    proc = subprocess.run([sys.executable, "-X", "importtime", str(script), *args], capture_output=True, text=True,
                          env=full_env, timeout=120, stdin=subprocess.DEVNULL)
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    errors = "".join(line + "\n" for line in proc.stderr.splitlines() if not line.startswith("import time:"))
    return Result(proc.returncode, proc.stdout, errors), modules


def test_a_missing_input_fails_before_crewai_and_creates_no_state_folder(tmp_path: Path) -> None:
    home = tmp_path / "state"
    missing = tmp_path / "inbox-from-monday.jsonl"
    result, modules = cli_importtime("run", str(SAMPLES / "inbox.jsonl"), str(missing), home=home)
    assert result.code == 1 and f"input {missing} does not exist" in result.err, result.err
    assert "crewai" not in modules
    assert "crm_crew.pipeline.run_setup" in modules   # the run command got as far as its checks
    assert not home.exists()


def test_config_and_key_errors_fail_before_crewai(tmp_path: Path) -> None:
    broken = tmp_path / "broken-config"
    broken.mkdir()
    (broken / "crm-crew.yaml").write_text("runner:\n  concurrency: lots\n", encoding="utf-8")
    bad_config, modules = cli_importtime("run", str(SAMPLES / "inbox.jsonl"), "--config", str(broken),
                                         home=tmp_path / "state-a")
    assert bad_config.code == 1 and "concurrency" in bad_config.err, bad_config.err
    assert "crewai" not in modules and not (tmp_path / "state-a").exists()

    home = tmp_path / "state-b"
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0   # a trail under the tests' key
    keyless, modules = cli_importtime("run", str(SAMPLES / "inbox.jsonl"), "--apply", home=home,
                                      env={"CRM_CREW_AUDIT_KEY": ""})
    assert keyless.code == 1 and "CRM_CREW_AUDIT_KEY" in keyless.err, keyless.err
    assert "crewai" not in modules and not (home / "runs").exists()

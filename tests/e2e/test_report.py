"""`crm-crew report` and `run --report` on real runs: the sample inbox (shadow) and a hostile inbox (applied)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import SAMPLES, Result, cli, write_jsonl
from tests.e2e.pages import balance_problems, colour_stats, md_tables, png_pixels

pytestmark = pytest.mark.slow(seconds=35)

HOSTILE = [
    {"id": "h-1", "from": "Jane Doe <jane.doe@acme-corp.com>",
     "subject": "<script>alert('s')</script> \"><img src=x onerror=alert(1)> | a *b* `c` \u0007",
     "body": "Call me at +44 20 7946 0999. Hello <b>bold</b> \"><img src=x onerror=alert(2)> ]]> &amp; <!-- c --> "
             "I want to buy 10 licenses, please send a quote.", "received_at": "2026-11-20T08:30:00Z"},
    {"id": "<svg onload=alert(3)>", "from": "Ann <ann@example.org>", "subject": "</title><script>alert(4)</script>",
     "body": "hello", "received_at": "2026-11-20T08:31:00Z"},
    {"id": "\"><img src=x onerror=alert(5)>", "body": "no sender <script>alert(6)</script>"},
]
MARKUP = ("<script", "<img", "<svg onload", "<b>", "<!-- c", "</title><script")
SVG = "{http://www.w3.org/2000/svg}"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two real runs in one state folder, and their reports made by `run --report` and `report`."""
    home = tmp_path_factory.mktemp("report-home")
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
    sample = cli("run", str(SAMPLES / "inbox.jsonl"), "--run-id", "sample", "--json", "--report",
                 str(home / "sample.html"), home=home)
    assert sample.code == 0, sample.err
    inbox = write_jsonl(home / "hostile.jsonl", HOSTILE)
    hostile = cli("run", str(inbox), "--run-id", "hostile", "--apply", "--report", str(home / "hostile.md"), home=home)
    assert hostile.code == 3, hostile.err           # one record is rejected
    made = cli("report", "hostile", "--out", str(home / "hostile.html"), home=home)
    assert made.code == 0, made.err
    return {"home": home, "sample": sample, "show": {r: cli("show", r, "--json", home=home).json()
                                                      for r in ("sample", "hostile")}}


def _page(runs: dict[str, Any], name: str) -> str:
    return (runs["home"] / name).read_text(encoding="utf-8")


def _facts(root: ET.Element) -> dict[str, str]:
    table = root.find(f".//{XHTML}table[@id='summary-facts']")
    assert table is not None
    return {tr.get("data-key", ""): "".join(tr.find(f"{XHTML}td").itertext()) for tr in table.iter(f"{XHTML}tr")}


def _chart(root: ET.Element, chart_id: str) -> dict[str, float]:
    svg = root.find(f".//{SVG}svg[@id='{chart_id}']")
    assert svg is not None, chart_id
    return {g.get("data-label", ""): float(g.get("data-value", "nan")) for g in svg.iter(f"{SVG}g")}


@pytest.mark.parametrize("name", ["sample.html", "hostile.html"])
def test_the_page_is_well_formed_and_self_contained(runs: dict[str, Any], name: str) -> None:
    page = _page(runs, name)
    root = ET.fromstring(page.split("\n", 1)[1])                 # strict XML (after the HTML5 doctype)
    problems, tags = balance_problems(page)
    assert problems == []
    assert not tags & {"script", "img", "link", "iframe", "object", "embed", "form", "input", "style"} - {"style"}
    for element in root.iter():
        for name, value in element.attrib.items():
            assert not name.startswith("on") and name not in ("src", "srcset"), (element.tag, name)
            assert name != "href" or value.startswith("#"), value            # in-page links only
    assert "url(" not in page and "@import" not in page and "https://" not in page
    assert "default-src &#x27;none&#x27;" in page


def test_summary_and_charts_hold_the_numbers_of_show_json(runs: dict[str, Any]) -> None:
    summary = runs["show"]["sample"]["run"]["summary"]
    assert runs["sample"].json()["interactions"] == summary["interactions"] == 27
    root = ET.fromstring(_page(runs, "sample.html").split("\n", 1)[1])
    facts = _facts(root)
    for key in ("interactions", "escalations", "rejected", "llm_calls", "input_tokens", "output_tokens",
                "latency_p50_ms", "latency_p95_ms", "opt_outs"):
        assert int(facts[key].replace(",", "")) == summary[key], key
    for group in ("by_status", "actions"):
        for key, value in summary[group].items():
            assert int(facts[f"{group}.{key}"].replace(",", "")) == value, (group, key)
    assert facts["run_id"] == "sample" and facts["mode"] == "shadow" and facts["status"] == "finished"
    for chart, key in (("chart-status", "by_status"), ("chart-intent", "by_intent"), ("chart-urgency", "by_urgency"),
                       ("chart-sentiment", "by_sentiment"), ("chart-escalation", "escalation_reasons"),
                       ("chart-action-types", "actions_by_type")):
        assert _chart(root, chart) == {k: float(v) for k, v in summary[key].items()}, chart
    results = runs["show"]["sample"]["results"]
    assert _chart(root, "chart-route") == {r: float(v["interactions"]) for r, v in summary["by_route"].items()}
    assert _chart(root, "chart-language") == {"en": float(len(results))}
    assert sum(_chart(root, "chart-latency").values()) == summary["by_status"]["processed"] + summary["escalations"]


def test_review_queue_lists_every_pending_item_with_its_command(runs: dict[str, Any]) -> None:
    pending = cli("review", "list", "--run", "sample", "--json", home=runs["home"]).json()
    page = _page(runs, "sample.html")
    assert len(pending) == 7
    for item in pending:
        assert f"crm-crew review show {item['review_id']}" in page
    assert "crm-crew review approve " in page and "crm-crew review reject " in page
    assert "crm-crew apply sample" in page                       # a shadow run's plan waits for apply


def test_message_and_crm_text_is_escaped_never_markup(runs: dict[str, Any]) -> None:
    page = _page(runs, "hostile.html")
    for bad in MARKUP:
        assert bad not in page, bad
    assert "&lt;script&gt;alert(&#x27;s&#x27;)&lt;/script&gt;" in page          # the data is there, as text
    assert "&quot;&gt;&lt;img src=x onerror=alert(5)&gt;" in page               # a rejected record's id
    assert "\u0007" not in page
    assert "+44 20 7946 0999" not in page and "[PHONE]" in page                 # PII stays redacted


def test_crm_writes_come_from_the_audit_trail_with_before_and_after(runs: dict[str, Any]) -> None:
    entries = cli("audit", "show", "--run", "hostile", "--json", home=runs["home"]).json()
    assert entries and runs["show"]["hostile"]["run"]["mode"] == "apply"
    root = ET.fromstring(_page(runs, "hostile.html").split("\n", 1)[1])
    writes = root.find(f".//{XHTML}section[@id='writes']")
    listed = [tr for tr in writes.iter(f"{XHTML}tr") if tr.find(f"{XHTML}td") is not None
              and "".join(tr.find(f"{XHTML}td").itertext()).isdigit()]
    assert [int(tr.find(f"{XHTML}td").text or 0) for tr in listed] == [e["seq"] for e in entries]
    update = next(e for e in entries if e["operation"] == "update")
    field, before = next(iter(update["before"].items()))
    assert f"{field}: {before} → {update['after'][field]}" in "".join(writes.itertext())


def test_rejects_are_listed_with_their_reasons(runs: dict[str, Any]) -> None:
    root = ET.fromstring(_page(runs, "hostile.html").split("\n", 1)[1])
    text = "".join(root.find(f".//{XHTML}section[@id='rejects']").itertext())
    assert "\"><img src=x onerror=alert(5)>" in text and "missing sender" in text


def test_the_audit_check_is_in_the_report_and_a_broken_trail_exits_4(runs: dict[str, Any],
                                                                     tmp_path: Path) -> None:
    assert "Intact:" in _page(runs, "hostile.html")
    copy = tmp_path / "home"
    shutil.copytree(runs["home"], copy)
    with sqlite3.connect(copy / "journal.sqlite") as db:
        db.execute("UPDATE audit SET after = replace(after, 'Working', 'Lost') WHERE run_id = 'hostile'")
    broken = cli("report", "hostile", "--out", str(tmp_path / "broken.html"), home=copy)
    assert broken.code == 4 and "does not verify" in broken.err
    page = (tmp_path / "broken.html").read_text(encoding="utf-8")
    assert "BROKEN" in page and "was altered" in page


def test_markdown_report_has_the_same_content_in_consistent_tables(runs: dict[str, Any]) -> None:
    text = _page(runs, "hostile.md")                               # written by `run --report FILE.md`
    assert "<" not in text.replace("\\<", "")                      # no HTML, no unescaped markup
    tables = md_tables(text)
    assert len(tables) >= 6
    for table in tables:
        assert len({len(row) for row in table}) == 1, table[0]
        assert set(table[1]) == {"---"}
    summary = runs["show"]["hostile"]["run"]["summary"]
    facts = {row[0]: row[1] for table in tables if table[0] == ["", "Value"] for row in table[2:]}
    assert facts["Interactions"] == str(summary["interactions"]) and facts["Mode"] == "apply"
    assert "\\| a \\*b\\* \\`c\\`" in text and "\\<script\\>" in text and "7946 0999" not in text
    stdout = cli("report", "sample", "--format", "md", home=runs["home"])
    assert stdout.code == 0 and stdout.out.startswith("# crm-crew run report: sample")


def test_clear_errors(runs: dict[str, Any], tmp_path: Path) -> None:
    home = runs["home"]
    unknown = cli("report", "no-such-run", home=home)
    assert unknown.code == 1 and "no run 'no-such-run'" in unknown.err
    missing = cli("report", "sample", "--out", str(tmp_path / "nope" / "r.html"), home=home)
    assert missing.code == 1 and "does not exist" in missing.err
    folder = cli("report", "sample", "--out", str(tmp_path), home=home)
    assert folder.code == 1 and "it is a folder" in folder.err
    early = cli("run", str(SAMPLES / "inbox.jsonl"), "--report", str(tmp_path / "nope" / "r.html"), home=home)
    assert early.code == 1 and "does not exist" in early.err and "[1/" not in early.err   # refused before the run
    usage = cli("report", "sample", "--format", "pdf", home=home)
    assert usage.code == 2


def test_a_running_run_is_reported_as_far_as_it_got(runs: dict[str, Any], tmp_path: Path) -> None:
    from crm_crew.pipeline.run_lock import RunLock
    from crm_crew.store.sqlite import SQLiteStore

    copy = tmp_path / "home"
    shutil.copytree(runs["home"], copy)
    store = SQLiteStore(copy / "journal.sqlite")
    try:
        store._exec("UPDATE runs SET status='running', finished_at=NULL WHERE run_id='sample'")   # noqa: SLF001
    finally:
        store.close()
    with RunLock(copy, "sample"):
        result = cli("report", "sample", "--out", str(tmp_path / "live.html"), home=copy)
    assert result.code == 0 and "still running" in result.err
    page = (tmp_path / "live.html").read_text(encoding="utf-8")
    assert "still running" in page and "(RUNNING)" in page


def test_open_uses_the_browser_and_says_so_when_there_is_none(runs: dict[str, Any], tmp_path: Path) -> None:
    seen = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f"#!/bin/sh\necho \"$1\" > {seen}\n")
    browser.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "TERM", "BROWSER")}
    opened = _process(["report", "sample", "--open"], runs["home"], {**env, "BROWSER": f"{browser} %s"})
    assert opened.code == 0, opened.err
    assert seen.read_text().strip() == (runs["home"] / "runs" / "sample" / "report.html").absolute().as_uri()
    none = _process(["report", "sample", "--open", "--out", str(tmp_path / "r.html")], runs["home"], env)
    assert none.code == 0 and "no web browser found" in none.err and (tmp_path / "r.html").exists()


def _process(args: list[str], home: Path, env: dict[str, str]) -> Result:
    exe = Path(sys.executable).with_name("crm-crew")
    proc = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          env={**env, "CRM_CREW_HOME": str(home)})
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_a_real_browser_renders_the_report(runs: dict[str, Any], tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's `chromium` is not installed (scripts/test.sh installs it): the report was not "
                    "rendered in a browser")
    shot = tmp_path / "report.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,1400",
                    f"--screenshot={shot}",
                    (runs["home"] / "sample.html").as_uri()],
                   capture_output=True, timeout=120, check=True, cwd=tmp_path)
    pixels = png_pixels(shot)
    assert pixels.shape[:2] == (1400, 1000)
    colours, inked = colour_stats(pixels)
    assert colours > 200 and inked > 0.05, (colours, inked)       # text, tiles and charts, not a blank page

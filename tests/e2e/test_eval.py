"""`crm-crew eval` through the real CLI: figures on a small hand-checked case, thresholds, nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import SAMPLES, cli, write_jsonl

# Four labelled messages whose triage is unambiguous, and one whose label is deliberately wrong.
CASES = [
    ("Hiermit kündige ich meinen Vertrag zum Monatsende.", "cancellation", []),
    ("You charged my card twice for invoice 4410, please refund one.", "billing", []),
    ("The mobile app crashes as soon as I open the reports tab.", "support", []),
    ("Could you send me a quote for forty seats on the business plan?", "sales_inquiry", []),
    ("The mobile app freezes on the login screen since the update.", "feedback", ["complaint"]),   # wrong label
]


def _labelled(tmp_path: Path) -> Path:
    records: list[dict[str, Any]] = []
    for n, (body, intent, also) in enumerate(CASES, start=1):
        records.append({"id": f"ev-{n}", "channel": "email", "from": f"Person {n} <p{n}@customer{n}.example>",
                        "subject": "", "body": body, "received_at": "2026-02-01T09:00:00Z",
                        "expected": {"intent": intent, "also_acceptable": also, "escalate": False}})
    records.append({"id": "ev-unlabelled", "from": "x@y.example", "body": "Hello there, a note without a label."})
    return write_jsonl(tmp_path / "labelled.jsonl", records)


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("eval")
    home = tmp / "home"
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
    before = _crm_rows(home)
    labelled = _labelled(tmp)
    result = cli("eval", str(labelled), "--json", "--with-crm", home=home)
    return {"home": home, "tmp": tmp, "labelled": labelled, "result": result, "before": before}


def _crm_rows(home: Path) -> dict[str, int]:
    with sqlite3.connect(home / "crm.sqlite") as db:
        tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
        return {t: db.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}


def test_figures_match_the_hand_computed_case(evaluated: dict[str, Any]) -> None:
    result = evaluated["result"]
    assert result.code == 0, result.err
    r = result.json()
    assert (r["records"], r["labelled"], r["scored"]) == (6, 5, 5)
    assert r["accuracy"] == 0.8 and r["accuracy_strict"] == 0.8      # 4 of 5; the wrong label costs one
    per = r["per_intent"]
    assert per["billing"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert per["feedback"]["recall"] == 0.0 and per["support"]["precision"] == 0.5
    # macro-F1 over the labelled intents: billing, cancellation, sales 1.0; support 2/3; feedback 0
    assert r["macro_f1"] == pytest.approx((3 + 2 / 3) / 5, abs=1e-3)
    assert r["confusion"]["feedback"] == {"support": 1}
    assert r["by_language"]["de"]["messages"] == 1
    assert r["escalation"]["messages"] == 5
    assert 0 <= r["calibration"]["ece"] <= 1 and sum(b["count"] for b in r["calibration"]["reliability"]) == 5
    assert set(r["routes"]) <= {"lean", "full"} and r["cost"]["cost_usd"] == 0
    assert "nothing was written" in r["note"]


def test_the_users_crm_and_journal_are_untouched(evaluated: dict[str, Any]) -> None:
    home = evaluated["home"]
    assert _crm_rows(home) == evaluated["before"]
    assert not (home / "journal.sqlite").exists() or cli("runs", "--json", home=home).json() == []


def test_thresholds_fail_with_exit_1_and_say_which(evaluated: dict[str, Any]) -> None:
    home, labelled = evaluated["home"], evaluated["labelled"]
    failed = cli("eval", str(labelled), "--json", "--min-accuracy", "0.9", "--min-macro-f1", "0.5", home=home)
    assert failed.code == 1
    assert "accuracy 0.800 < --min-accuracy 0.9" in failed.err and "macro-F1" not in failed.err
    assert failed.json()["failed_thresholds"] == ["accuracy 0.800 < --min-accuracy 0.9"]
    passed = cli("eval", str(labelled), "--min-accuracy", "0.75", "--max-ece", "1", home=home)
    assert passed.code == 0 and "Per intent" in passed.out


def test_unlabelled_input_is_a_clear_error(evaluated: dict[str, Any]) -> None:
    plain = write_jsonl(evaluated["tmp"] / "plain.jsonl", [{"from": "a@b.example", "body": "hi"}])
    result = cli("eval", str(plain), home=evaluated["home"])
    assert result.code == 1 and "expected" in result.err


def test_the_shipped_labelled_samples_pass_their_gate(evaluated: dict[str, Any]) -> None:
    result = cli("eval", str(SAMPLES / "labelled.jsonl"), "--json", "--min-accuracy", "0.7", home=evaluated["home"])
    assert result.code == 0, result.err
    assert len(result.json()["by_language"]) == 5

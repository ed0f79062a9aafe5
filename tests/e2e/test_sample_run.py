"""The product's promise on the shipped sample inbox, through the real CLI and the real crew."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import SAMPLES, cli, read_jsonl

ALLOWED_ACTIONS = {"create_contact", "log_activity", "create_case", "create_task", "update_lead_status", "opt_out"}


@pytest.fixture(scope="module")
def shadow(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("home")
    imported = cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home)
    assert imported.code == 0, imported.err
    out = home / "results.jsonl"
    result = cli("run", str(SAMPLES / "inbox.jsonl"), "--out", str(out), "--json", "--run-id", "sample", home=home)
    records = {r["interaction_id"]: r for r in read_jsonl(out)}
    return {"home": home, "result": result, "summary": result.json(), "records": records}


def test_run_finishes_with_exit_0_and_a_json_summary(shadow: dict[str, Any]) -> None:
    result, summary = shadow["result"], shadow["summary"]
    assert result.code == 0, result.err
    assert summary["run_id"] == "sample"
    assert summary["mode"] == "shadow"
    assert summary["interactions"] == 27
    assert summary["by_status"] == {"processed": 20, "escalated": 7}
    assert summary["actions"]["applied"] == 0
    assert summary["llm_calls"] > 27 and summary["input_tokens"] > 0
    assert "offline model" in summary["offline_model"]
    from crm_crew.config.shipped import default_config_dir

    assert summary["config"] == str(default_config_dir().absolute())   # the run says which config it used
    assert "27 interactions" in summary["insights"]


def test_every_record_has_the_documented_fields(shadow: dict[str, Any]) -> None:
    fields = {"interaction_id", "status", "contact", "intent", "sentiment", "urgency", "actions", "reply",
              "escalation", "security", "llm", "duration_ms", "error"}
    for record in shadow["records"].values():
        assert fields <= set(record), record["interaction_id"]
        assert record["contact"]["match"] in {"email", "fuzzy", "created", "none"}
        assert -1 <= record["sentiment"]["score"] <= 1
        assert record["sentiment"]["label"] in {"positive", "neutral", "negative"}
        assert record["urgency"] in {"low", "medium", "high", "critical"}
        assert record["llm"]["calls"] > 0
        assert {a["type"] for a in record["actions"]} <= ALLOWED_ACTIONS


def test_every_contacted_interaction_logs_an_activity(shadow: dict[str, Any]) -> None:
    for record in shadow["records"].values():
        if record["contact"]["match"] != "none":
            types = [a["type"] for a in record["actions"]]
            assert "log_activity" in types, record["interaction_id"]


def _types(record: dict[str, Any]) -> list[str]:
    return [a["type"] for a in record["actions"]]


def test_unknown_human_sender_becomes_a_contact(shadow: dict[str, Any]) -> None:
    record = shadow["records"]["msg-004"]
    assert record["contact"]["match"] == "created"
    create = record["actions"][0]
    assert create["type"] == "create_contact"
    assert create["fields"]["first_name"] == "Daniel" and create["fields"]["last_name"] == "Okafor"
    assert create["fields"]["company"] == "Brightwave Media Ltd"
    assert create["fields"]["phone"] == "+44 20 7946 0123"
    assert "create_task" in _types(record)
    task = next(a for a in record["actions"] if a["type"] == "create_task")
    assert task["fields"]["kind"] == "quote"
    # company from a non-free-mail domain when the signature has none
    web_form = shadow["records"]["msg-017"]
    assert web_form["actions"][0]["fields"]["company"] == "Northwind Traders"


def test_spam_and_automated_senders_create_nothing(shadow: dict[str, Any]) -> None:
    spam = shadow["records"]["msg-006"]
    assert spam["intent"] == "spam" and spam["actions"] == [] and spam["reply"] is None
    receipt = shadow["records"]["msg-020"]
    assert receipt["contact"]["match"] == "none" and receipt["actions"] == []


def test_complaints_and_high_urgency_open_cases_with_mapped_priority(shadow: dict[str, Any]) -> None:
    complaint = shadow["records"]["msg-025"]
    assert complaint["intent"] == "complaint" and complaint["status"] == "processed"
    case = next(a for a in complaint["actions"] if a["type"] == "create_case")
    assert case["fields"]["priority"] == "Medium" and case["status"] == "planned"
    urgent = shadow["records"]["msg-015"]
    assert urgent["urgency"] == "high"
    assert next(a for a in urgent["actions"] if a["type"] == "create_case")["fields"]["priority"] == "High"


def test_requested_calls_and_meetings_open_tasks(shadow: dict[str, Any]) -> None:
    call = shadow["records"]["msg-013"]
    assert [a["fields"]["kind"] for a in call["actions"] if a["type"] == "create_task"] == ["call"]
    meeting = shadow["records"]["msg-014"]
    assert "meeting" in [a["fields"]["kind"] for a in meeting["actions"] if a["type"] == "create_task"]


def test_unsubscribe_gets_an_opt_out_and_no_sales_reply(shadow: dict[str, Any]) -> None:
    record = shadow["records"]["msg-005"]
    assert record["intent"] == "unsubscribe"
    assert "opt_out" in _types(record)
    assert record["reply"] is not None
    assert not re.search(r"offer|discount|demo|pricing|upgrade", record["reply"]["body"], re.IGNORECASE)


@pytest.mark.parametrize("interaction_id, reason", [
    ("msg-002", "Enterprise-tier contact with negative sentiment."),
    ("msg-007", "The security screen flagged a prompt-injection attempt."),
    ("msg-008", "The message asks for access to or erasure of personal data."),
    ("msg-009", "The message mentions legal action."),
    ("msg-010", "Urgency is critical."),
    ("msg-021", "The crew's confidence is below the configured threshold."),
])
def test_escalations_hold_every_action(shadow: dict[str, Any], interaction_id: str, reason: str) -> None:
    record = shadow["records"][interaction_id]
    assert record["status"] == "escalated"
    assert record["escalation"] == {"reason": reason}
    assert record["actions"], "an escalated record still shows what it would do"
    assert all(a["status"] == "held" for a in record["actions"])


def test_message_text_is_data_not_instructions(shadow: dict[str, Any]) -> None:
    record = shadow["records"]["msg-007"]
    assert record["security"]["injection"] is True
    assert "prompt_injection" in record["security"]["flags"]
    assert set(_types(record)) <= {"create_contact", "log_activity"}


def test_matching_by_plus_tag_and_fuzzy_name(shadow: dict[str, Any]) -> None:
    assert shadow["records"]["msg-016"]["contact"]["match"] == "email"
    assert shadow["records"]["msg-016"]["contact"]["email"] == "sam.taylor@gmail.com"
    fuzzy = shadow["records"]["msg-019"]
    assert fuzzy["contact"]["match"] == "fuzzy"
    assert fuzzy["contact"]["id"] == shadow["records"]["msg-002"]["contact"]["id"]


def test_pii_is_redacted_everywhere_it_is_stored(shadow: dict[str, Any]) -> None:
    record = shadow["records"]["msg-003"]
    assert record["security"]["pii_redacted"] == ["card"]
    home: Path = shadow["home"]
    journal = (home / "journal.sqlite").read_bytes()
    assert b"4111 1111 1111 1111" not in journal
    assert "4111 1111 1111 1111" not in (home / "results.jsonl").read_text()


def test_shadow_mode_wrote_nothing(shadow: dict[str, Any]) -> None:
    export = cli("crm", "export", "--json", home=shadow["home"]).json()
    assert len(export["contacts"]) == 12
    assert export["activities"] == export["cases"] == export["tasks"] == []


def test_runs_and_show(shadow: dict[str, Any]) -> None:
    runs = cli("runs", "--json", home=shadow["home"])
    assert runs.code == 0 and runs.json()[0]["run_id"] == "sample"
    shown = cli("show", "sample", "--json", home=shadow["home"])
    assert shown.code == 0
    assert len(shown.json()["results"]) == 27
    table = cli("show", "sample", home=shadow["home"])
    assert "msg-007" in table.out and "escalated" in table.out
    missing = cli("show", "nope", home=shadow["home"])
    assert missing.code == 1 and "no run 'nope'" in missing.err

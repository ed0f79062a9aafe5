"""Personal data in the wrong field never reaches an output: reject reasons name the field and the
problem only, and a phone number in a display name stays out of the review context and the plan.

One run through the real CLI; every place it writes is searched for the raw values, the
SQLite files of the state folder included.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.e2e.clihelp import cli, read_jsonl, write_jsonl

CARD = "4012 8888 8888 1881"
IBAN = "GB82 WEST 1234 5698 7654 32"
PHONE = "+49 151 2345 6789"


def _digits(text: str) -> str:
    return re.sub(r"\W", "", text)


def test_misplaced_personal_data_stays_out_of_rejects_journal_stderr_out_and_review(tmp_path: Path) -> None:
    home = tmp_path / "state"
    inbox = write_jsonl(tmp_path / "inbox.jsonl", [
        {"id": "misfiled-card", "from": CARD, "subject": "Renewal", "body": "Please renew our plan."},
        {"id": "misfiled-iban", "from": "Priya Nair <priya.nair@quillon.in>", "channel": IBAN,
         "subject": "Refund", "body": "Please refund the duplicate charge."},
        {"id": "phone-in-name", "from": f"Tomas Berg {PHONE} <tomas.berg@fjordline.no>",
         "subject": "Contract dispute", "body": "Our lawyer will contact you about the contract terms."},
    ])
    out = tmp_path / "results.jsonl"
    result = cli("run", str(inbox), "--json", "--out", str(out), home=home)
    assert result.code == 3, result.err
    summary = json.loads(result.out)
    rejects = {r["interaction_id"]: r["reason"] for r in read_jsonl(Path(summary["rejects_file"]))}
    assert rejects == {
        "misfiled-card": '`from` has no address (no name@domain): write it as "Name <address>" or a bare address',
        "misfiled-iban": "field `channel`: unknown channel (expected one of: email, web_form, chat, call, ticket, other)",
    }
    statuses = {r["interaction_id"]: r["status"] for r in read_jsonl(out)}
    assert statuses == {"misfiled-card": "rejected", "misfiled-iban": "rejected", "phone-in-name": "escalated"}

    [item] = json.loads(cli("review", "list", "--json", home=home).out)
    shown = cli("review", "show", str(item["review_id"]), "--json", home=home)
    assert shown.code == 0, shown.err
    review = json.loads(shown.out)
    # A display name holding a phone number is no name: the screen drops it whole, so neither reviewers nor
    # the planned contact ever see the number (a name never becomes a CRM field unchecked).
    assert review["interaction"]["sender_name"] == ""
    planned = [a["fields"] for a in review["actions"] if a["type"] == "create_contact"]
    assert planned and "46" not in json.dumps(planned[0]) and planned[0].get("first_name") == ""

    texts = [result.out, result.err, shown.out, out.read_text(encoding="utf-8")]
    texts += [path.read_bytes().decode("utf-8", "replace") for path in home.rglob("*") if path.is_file()]
    for value in (CARD, IBAN, PHONE):
        assert not any(value in text or _digits(value) in _digits(text) for text in texts), value

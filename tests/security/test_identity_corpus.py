"""End to end through the CLI: `run --apply` of an impersonation corpus on the local CRM.

Look-alike domains, free-mail senders naming the victim's company, homoglyph and punycode addresses,
display-name tricks in JSON Lines and mbox, and requests about another person, next to genuine senders.
Whatever the route (lean or the full crew), no message changes a contact other than its sender's own;
what it tried waits in the review queue with the reason, and genuine senders still get their changes.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.clihelp import cli
from tests.security.identity_corpus import CONTACTS, Outcome, load_cases, mailbox_key, run_corpus

DIFFERENT = "sender address differs from the matched contact's"
SOMEONE_ELSE = "the message asks to change another person's record"
CASES = load_cases()
pytestmark = pytest.mark.slow(seconds=15)   # one run of 19 interactions, the full crew route among them
SEED = {row["email"]: row for row in csv.DictReader(CONTACTS.open(encoding="utf-8"))}
STATE_ACTIONS = {"create_case", "create_task", "update_lead_status", "opt_out", "update_contact"}


def _ids(expect: str) -> list[str]:
    return [i for i, case in CASES.items() if case["expect"] == expect]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Outcome]:
    home = tmp_path_factory.mktemp("identity-home")

    def run(*args: str) -> tuple[int, str, str]:
        done = cli(*args, home=home)
        return done.code, done.out, done.err

    return home, run_corpus(run, home)


def _unchanged(contact: dict[str, Any]) -> bool:
    seed = SEED[contact["email"]]
    return (contact["lead_status"], contact["opted_out"]) == (seed["lead_status"], False)


def test_no_message_changes_a_contact_other_than_its_senders_own(corpus: tuple[Path, Outcome]) -> None:
    _, outcome = corpus
    assert outcome.code == 3                       # finished, with rejected records
    assert set(outcome.records) | {r["interaction_id"] for r in outcome.rejects} == set(CASES)
    assert outcome.state_writes_on_others() == []
    assert outcome.writes_for_someone_else(CASES) == []
    own = {(w.interaction_id, w.object) for w in outcome.writes if w.senders_own}
    assert {("idn-12", "contact"), ("idn-13", "contact"), ("idn-13", "task"), ("idn-14", "task"),
            ("idn-15", "contact"), ("idn-15", "task")} <= own


def test_impersonations_link_the_activity_and_wait_for_review_with_the_reason(corpus: tuple[Path, Outcome]) -> None:
    home, outcome = corpus
    queue = {item["interaction_id"]: item for item in cli("review", "list", "--json", home=home).json()}
    for interaction_id in _ids("held"):
        record = outcome.records[interaction_id]
        assert record["status"] == "escalated", interaction_id
        assert record["escalation"]["reason"].startswith(DIFFERENT), interaction_id
        assert record["contact"]["match"] in ("fuzzy", "lookalike") and record["contact"]["id"], interaction_id
        held = [a for a in record["actions"] if a["type"] in STATE_ACTIONS]
        assert held and all(a["status"] == "held" and DIFFERENT in a["note"] for a in held), interaction_id
        activity = next(a for a in record["actions"] if a["type"] == "log_activity")
        assert activity["status"] == "applied", interaction_id           # linked for context
        assert DIFFERENT in queue[interaction_id]["reason"], interaction_id
    email_of = {c["id"]: c["email"] for c in outcome.contacts.values()}
    victims = {email_of[outcome.records[i]["contact"]["id"]] for i in _ids("held")}
    assert victims == {"amara.okafor@quillbyte.io", "priyanka.rao@tallyworks.com", "nils.berg@fjordline.no"}
    assert _unchanged(outcome.contacts["priyanka.rao@tallyworks.com"])
    shown = cli("review", "show", str(queue["idn-01"]["review_id"]), "--json", home=home).json()
    assert shown["reasoning"]["matched_contact"]["email"] == "amara.okafor@quillbyte.io"
    assert shown["interaction"]["sender_email"] == "amara.okafor@quillbyte-support.io"


def test_ambiguous_senders_are_rejected_with_a_reason_that_never_quotes_them(corpus: tuple[Path, Outcome]) -> None:
    _, outcome = corpus
    reasons = {r["interaction_id"]: r["reason"] for r in outcome.rejects}
    assert set(reasons) == set(_ids("rejected"))
    assert "display name holds an email address" in reasons["idn-05"]
    assert "is ambiguous" in reasons["idn-06"] and "is ambiguous" in reasons["idn-07"]
    assert reasons["idn-08"] == "`sender_name` holds an email address other than the sender's"
    assert reasons["idn-16@mail.example"].startswith("the From header is ambiguous")
    assert reasons["idn-18@mail.example"] == "message has 2 From headers: a message has one sender"
    assert "display name holds an email address" in reasons["idn-19@mail.example"]
    for reason in reasons.values():
        assert "@" not in reason and not any(domain in reason for domain in ("vireo", "pinhal", "quillbyte",
                                                                              "brightmoor", "copperfield"))


def test_a_request_about_another_person_changes_neither_of_them(corpus: tuple[Path, Outcome]) -> None:
    _, outcome = corpus
    for interaction_id in _ids("third_party"):
        record = outcome.records[interaction_id]
        assert record["status"] == "escalated" and SOMEONE_ELSE in record["escalation"]["reason"], interaction_id
        assert {a["status"] for a in record["actions"]} == {"held"}, interaction_id
    for email in ("daniel.weiss@kranich-ag.de", "jonas.keller@kranich-ag.de", "teresa.gomes@pinhal.pt",
                  "rui.costa@pinhal.pt"):
        assert _unchanged(outcome.contacts[email]), email
    assert "reception@kranich-ag.de" not in outcome.contacts


def test_genuine_senders_still_get_their_changes(corpus: tuple[Path, Outcome]) -> None:
    _, outcome = corpus
    contacts = outcome.contacts
    assert contacts["owen.hale@brightmoor.co.uk"]["opted_out"] is True               # sent with a plus tag
    assert contacts["marta.lindqvist@copperfield.se"]["lead_status"] == "Working"
    assert contacts["amara.okafor@quillbyte.io"]["lead_status"] == "Working"         # the full crew route
    assert contacts["amara.okafor@quillbyte.io"]["opted_out"] is False               # idn-01 is held
    assert contacts["nils.berg@fjordline.no"]["lead_status"] == "Customer"           # idn-03 is held
    for interaction_id in _ids("genuine"):
        record = outcome.records[interaction_id]
        assert record["status"] == "processed" and record["contact"]["match"] == "email", interaction_id
        assert mailbox_key(record["contact"]["email"]) == mailbox_key(CASES[interaction_id]["sender"])
        assert {a["status"] for a in record["actions"]} == {"applied"}, interaction_id


def test_a_reviewer_can_approve_a_held_change(corpus: tuple[Path, Outcome], tmp_path: Path) -> None:
    source, _ = corpus
    home = tmp_path / "copy"
    shutil.copytree(source, home)
    item = next(i for i in cli("review", "list", "--json", home=home).json() if i["interaction_id"] == "idn-02")
    approved = cli("review", "approve", str(item["review_id"]), "--as", "ops-lead", "--json", home=home)
    assert approved.code == 0, approved.err
    assert approved.json()["applied"] == 1                                         # the opt-out; the activity was in
    contacts = {c["email"]: c for c in cli("crm", "export", "--json", home=home).json()["contacts"]}
    assert contacts["priyanka.rao@tallyworks.com"]["opted_out"] is True

"""Several workers update the same few CRM records at once (lead status and opt-out on each contact, many
times over): no update is lost, none is applied twice, nothing is overwritten blindly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.backends import Emulators, make_backend
from tests.e2e.killing import spawn
from tests.e2e.test_rq_runner import ended, queue_url, wait_queued
from tests.servers_fixtures import redis_url  # noqa: F401  (session fixture)

CONTACTS = {"mark.chen@globex.io": "Mark Chen", "lisa.wong@hooli.com": "Lisa Wong",
            "sam.taylor@gmail.com": "Sam Taylor", "priya.patel@initech.com": "Priya Patel"}
ASKS = {"sales": ("Pricing question", "We are interested in pricing for 25 licenses of your product."),
        "unsubscribe": ("Unsubscribe", "Please unsubscribe me and stop sending these newsletters.")}
ROUNDS = 5


def _inbox(path: Path) -> Path:
    lines = []
    for round_ in range(ROUNDS):
        for email, name in CONTACTS.items():
            for kind, (subject, body) in ASKS.items():
                lines.append({"id": f"{kind}-{email}-{round_}", "channel": "email", "from": f"{name} <{email}>",
                              "subject": subject, "body": f"Hello,\n\n{body}\n\nThanks,\n{name}",
                              "received_at": f"2026-11-0{round_ + 1}T09:00:00Z"})
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.slow(seconds=30)
def test_concurrent_updates_to_the_same_records_lose_nothing(tmp_path: Path, redis_url: str,  # noqa: F811
                                                             emulators: Emulators) -> None:
    url = queue_url(redis_url, 14)
    inbox = _inbox(tmp_path / "inbox.jsonl")
    backend = make_backend("hubspot", emulators, tmp_path)
    run = spawn(backend, "run", str(inbox), "--apply", "--queue", url, "--run-id", "u", "--json")
    total = ROUNDS * len(CONTACTS) * len(ASKS)
    wait_queued(url, total)
    workers = [spawn(backend, "worker", "--queue", url, "--burst") for _ in range(3)]
    for worker in workers:
        code, _, err = ended(worker)
        assert code == 0, err
    code, out, err = ended(run)
    assert code == 0, err
    assert json.loads(out)["interactions"] == total

    contacts = {c["email"]: c for c in backend.export()["contacts"]}
    for email in CONTACTS:                       # both updates landed on every contact
        assert contacts[email]["lead_status"] == "Working" and contacts[email]["opted_out"] is True, email
    shown = backend.cli("show", "u", "--json").json()
    updates: list[dict[str, Any]] = [a for r in shown["results"] for a in r["actions"]
                                     if a["type"] in ("update_lead_status", "opt_out")]
    assert updates and all(a["status"] in ("applied", "skipped") for a in updates)
    applied = [a for a in updates if a["status"] == "applied"]
    assert len(applied) == 2 * len(CONTACTS)     # each change written exactly once, the repeats skipped
    assert backend.cli("audit", "verify").code == 0

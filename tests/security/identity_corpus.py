"""The impersonation corpus of tests/security/data/identity, run through the CLI, and the CRM writes it
caused, told apart by whose record they changed.

Self-contained (no crm_crew import): `python -m tests.security.identity_corpus` measures whichever
crm-crew the environment runs (PYTHONPATH), so the figures of a fixed and an unfixed version can be
compared on the same data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data" / "identity"
CONTACTS = DATA / "contacts.csv"
INPUTS = (DATA / "inbox.jsonl", DATA / "impersonation.mbox")
RUN_ID = "identity-corpus"
STATE_CHANGING = {("update", "contact"), ("create", "case"), ("create", "task")}

Cli = Callable[..., tuple[int, str, str]]        # (*args) -> (exit code, stdout, stderr)


def load_cases() -> dict[str, dict[str, str]]:
    """Interaction id -> {kind, sender (the real addr-spec), expect: held|rejected|third_party|genuine}."""
    return json.loads((DATA / "cases.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def mailbox_key(address: str) -> str:
    """An address as a mailbox for counting: ASCII letters lowercased, a plus tag dropped."""
    local, _, domain = address.strip().partition("@")
    lower = {code: code + 32 for code in range(65, 91)}
    return f"{local.split('+', 1)[0]}@{domain}".translate(lower)


@dataclass
class Write:
    interaction_id: str
    operation: str
    object: str
    contact_email: str
    sender: str
    fields: dict[str, Any]

    @property
    def senders_own(self) -> bool:
        return mailbox_key(self.contact_email) == mailbox_key(self.sender)


@dataclass
class Outcome:
    code: int
    records: dict[str, dict[str, Any]]
    rejects: list[dict[str, Any]]
    contacts: dict[str, dict[str, Any]]           # by email, after the run
    writes: list[Write] = field(default_factory=list)

    def state_writes_on_others(self) -> list[Write]:
        """Contact updates, cases and tasks that landed on a contact other than the message's sender."""
        return [w for w in self.writes if (w.operation, w.object) in STATE_CHANGING and not w.senders_own]

    def writes_for_someone_else(self, cases: dict[str, dict[str, str]]) -> list[Write]:
        """Contacts created or changed, cases and tasks opened, by requests about another person."""
        return [w for w in self.writes if cases[w.interaction_id]["expect"] == "third_party" and w.object != "activity"]

    def activities_on_others(self) -> list[Write]:
        return [w for w in self.writes if w.object == "activity" and not w.senders_own]


def run_corpus(cli: Cli, home: Path) -> Outcome:
    """Import the seeded contacts, `run --apply` the corpus, and read back records, rejects and writes."""
    code, _, err = cli("crm", "import", str(CONTACTS))
    assert code == 0, err
    code, _, err = cli("run", *map(str, INPUTS), "--apply", "--run-id", RUN_ID, "--out", str(home / "out.jsonl"))
    records = {r["interaction_id"]: r for r in _jsonl(home / "out.jsonl")}
    rejects = _jsonl(home / "runs" / RUN_ID / "rejects.jsonl")
    exported = json.loads(cli("crm", "export", "--json")[1])
    contacts = {c["email"]: c for c in exported["contacts"]}
    email_of = {c["id"]: c["email"] for c in exported["contacts"]}
    audit_code, audit_out, audit_err = cli("audit", "export", "--format", "jsonl", "--run", RUN_ID)
    assert audit_code == 0, audit_err
    cases = load_cases()
    writes = []
    for entry in (json.loads(line) for line in audit_out.splitlines() if line.strip()):
        if entry["outcome"] != "applied" or entry["operation"] not in ("create", "update"):
            continue
        after = entry.get("after") or {}
        contact_id = entry["record_id"] if entry["object"] == "contact" else after.get("contact_id")
        sender = cases[entry["interaction_id"]]["sender"]
        writes.append(Write(entry["interaction_id"], entry["operation"], entry["object"],
                            email_of.get(contact_id, after.get("email", "")), sender, after))
    return Outcome(code, records, rejects, contacts, writes)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def subprocess_cli(home: Path) -> Cli:
    exe = Path(sys.executable).with_name("crm-crew")
    env = {**os.environ, "CRM_CREW_HOME": str(home)}
    env.setdefault("CRM_CREW_AUDIT_KEY", "identity-corpus-audit-key-0123456789")

    def run(*args: str) -> tuple[int, str, str]:
        done = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
        return done.returncode, done.stdout, done.stderr

    return run


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="identity-corpus-") as folder:
        home = Path(folder)
        outcome = run_corpus(subprocess_cli(home), home)
    cases = load_cases()
    others = outcome.state_writes_on_others()
    print(f"cases: {len(cases)} ({sum(c['expect'] != 'genuine' for c in cases.values())} impersonation or "
          f"third-party, {sum(c['expect'] == 'genuine' for c in cases.values())} genuine); exit code {outcome.code}")
    print(f"state writes on a contact other than the sender: {len(others)} on "
          f"{len({w.contact_email for w in others})} contacts")
    for w in others:
        print(f"  {w.interaction_id}: {w.operation} {w.object} on {w.contact_email} {w.fields}")
    third = outcome.writes_for_someone_else(cases)
    print(f"writes caused by requests about another person: {len(third)}")
    for w in third:
        print(f"  {w.interaction_id}: {w.operation} {w.object} on {w.contact_email} {w.fields}")
    print(f"activities linked to another contact (context): {len(outcome.activities_on_others())}")
    print(f"rejected records: {len(outcome.rejects)}")


if __name__ == "__main__":
    main()

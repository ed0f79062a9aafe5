"""Running the real CLI on "Claude": the shipped config pointed at a fake Messages API on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from crm_crew.config.loader import load_config
from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.configs import CONFIG_FILES
from crm_crew.testing.crew_policy import crew_policy
from tests.e2e.clihelp import CONFIG, SAMPLES, cli, read_jsonl, write_jsonl

CLAUDE = "anthropic/claude-haiku-4-5"
UNLIMITED = {"requests_per_minute": 100_000, "input_tokens_per_minute": 100_000_000,
             "output_tokens_per_minute": 100_000_000}


def make_config(folder: Path, base_url: str, routing: bool = False, agent_llms: dict[str, str] | None = None,
                llm: dict[str, Any] | None = None) -> Path:
    """The shipped config, pointed at the fake API; `llm` overrides keys of the llm section."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in CONFIG_FILES:
        shutil.copyfile(CONFIG / name, folder / name)
    settings_path = folder / "crm-crew.yaml"
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    settings["llm"]["anthropic"]["base_url"] = base_url
    settings["routing"]["enabled"] = routing
    # the shipped limits are a first Anthropic tier's (50 requests, 30k input tokens a minute): a full-crew
    # interaction takes about 25 requests and 35k input tokens, so they would hold the run for minutes
    settings["llm"]["rate_limits"] = UNLIMITED
    settings["llm"].update(llm or {})
    settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    agents_path = folder / "agents.yaml"
    agents = yaml.safe_load(agents_path.read_text(encoding="utf-8"))
    for agent, llm in (agent_llms or {}).items():
        agents[agent]["llm"] = llm
    agents_path.write_text(yaml.safe_dump(agents, sort_keys=False), encoding="utf-8")
    return folder


def run(home: Path, config: Path, inbox: Path, *extra: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    imported = cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home)
    assert imported.code == 0, imported.err
    out = home / "results.jsonl"
    result = cli("run", str(inbox), "--out", str(out), "--json", "-c", str(config), *extra, home=home, env=env)
    assert result.code == 0, result.err
    return {"summary": result.json(), "records": read_jsonl(out)}


def decisions(records: list[dict[str, Any]]) -> dict[str, Any]:
    """What the crew decided for each interaction (not how many calls or tokens it took)."""
    return {r["interaction_id"]: {
        "status": r["status"], "intent": r["intent"], "urgency": r["urgency"],
        "sentiment": (r["sentiment"] or {}).get("label"), "contact": r["contact"]["match"],
        "actions": [a["type"] for a in r["actions"]], "escalation": r["escalation"],
        "reply": (r["reply"] or {}).get("subject"), "error": r["error"],
    } for r in records}


def write_inbox(folder: Path, ids: tuple[str, ...]) -> Path:
    """The sample inbox's records with these ids, as a JSON Lines file in `folder`."""
    records = [r for r in read_jsonl(SAMPLES / "inbox.jsonl") if r["id"] in ids]
    return write_jsonl(folder / "inbox.jsonl", records)


def crew_fake() -> FakeAnthropic:
    """A fake Messages API (not started) answering as the offline model would, with the shipped config's rules."""
    return FakeAnthropic(policy=crew_policy(load_config(CONFIG).settings))

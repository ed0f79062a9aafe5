"""Shared helpers and fixtures of the fast unit tests (import what you use).

Fixtures are plain pytest fixtures: `from tests.unit_fixtures import settings, crm` in a
test module makes them available there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crm_crew.config.loader import load_config
from crm_crew.config.models import Settings
from crm_crew.connectors.contacts_file import read_contact_rows
from crm_crew.connectors.importer import import_contacts
from crm_crew.connectors.local import LocalCRM
from crm_crew.models import Interaction

REPO = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO / "config"
SAMPLE_CONTACTS = CONFIG_DIR / "samples" / "contacts.csv"

_SETTINGS: Settings | None = None


def shipped_settings() -> Settings:
    """The validated settings of the shipped config/ (loaded once; never mutate them)."""
    global _SETTINGS
    if _SETTINGS is None:
        _SETTINGS = load_config(CONFIG_DIR).settings
    return _SETTINGS


class Clock:
    """Deterministic, strictly increasing timestamps."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"2024-05-01T00:00:{self.n:02d}.000000+00:00"


def make_interaction(**overrides: Any) -> Interaction:
    values: dict[str, Any] = {
        "id": "msg-1",
        "channel": "email",
        "sender_email": "someone@example.org",
        "sender_name": "",
        "subject": "Hello",
        "body": "Just saying hello.",
        "received_at": "2026-11-20T08:12:00Z",
    }
    values.update(overrides)
    return Interaction(**values)


def open_sample_crm(path: Path) -> LocalCRM:
    """A LocalCRM at `path` holding the 12 sample contacts of config/samples/contacts.csv."""
    crm = LocalCRM(path, clock=Clock())
    report = import_contacts(crm, read_contact_rows(SAMPLE_CONTACTS))
    assert len(report.created) == 12 and not report.rejected
    return crm


@pytest.fixture
def settings() -> Settings:
    return shipped_settings()


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[LocalCRM]:
    db = open_sample_crm(tmp_path / "crm.sqlite")
    yield db
    db.close()


# -- CrewAI ReAct conversations, as CrewAI 1.x writes them ------------------------------------

_TOOLS_INTRO = ("\nYou ONLY have access to the following tools, and should NEVER make up tools that are not "
                "listed here:\n\n")
_TOOLS_OUTRO = (
    "\n\nIMPORTANT: Use the following format in your response:\n\n```\nThought: you should always think about "
    "what to do\nAction: the action to take, only one name of [{names}], just the name, exactly as it's "
    "written.\nAction Input: the input to the action, just a simple JSON object, enclosed in curly braces, "
    "using \" to wrap keys and values.\nObservation: the result of the action\n```\n\nOnce all necessary "
    "information is gathered, return the following format:\n\n```\nThought: I now know the final answer\n"
    "Final Answer: the final answer to the original input question\n```")
DELEGATE_DESCRIPTION = (
    "Delegate a specific task to one of the following coworkers: {coworkers}\nThe input to this tool should be "
    "the coworker, the task you want them to do, and ALL necessary context to execute the task, they know "
    "nothing about the task, so share absolutely everything you know, don't reference things but instead "
    "explain them.")
ASK_DESCRIPTION = (
    "Ask a specific question to one of the following coworkers: {coworkers}\nThe input to this tool should be "
    "the coworker, the question you have for them, and ALL necessary context to ask the question properly, "
    "they know nothing about the question, so share absolutely everything you know, don't reference things "
    "but instead explain them.")


def tools_block(tools: dict[str, str]) -> str:
    """The tools section of a system prompt: name -> description."""
    entries = [f"Tool Name: {name}\nTool Arguments: {{\n  \"properties\": {{}},\n  \"type\": \"object\"\n}}\n"
               f"Tool Description: {description}" for name, description in tools.items()]
    return _TOOLS_INTRO + "\n".join(entries) + _TOOLS_OUTRO.format(names=", ".join(tools))


def system_message(role: str, tools: list[str]) -> dict[str, str]:
    block = tools_block({name: f"What {name} does." for name in tools})
    return {"role": "system", "content": f"You are {role}. You keep the CRM true.\nYour personal goal is: "
                                         f"do the job well{block}"}


def manager_system_message(coworkers: str = "Data Steward") -> dict[str, str]:
    block = tools_block({"delegate_work_to_coworker": DELEGATE_DESCRIPTION.format(coworkers=coworkers),
                         "ask_question_to_coworker": ASK_DESCRIPTION.format(coworkers=coworkers)})
    return {"role": "system", "content": "You are Coordinator. You run the crew.\nYour personal goal is: "
                                         f"route the work{block}"}


def user_message(task: str, expected: str = "A short answer.", context: str = "") -> dict[str, str]:
    prompt = f"{task}\n\nThis is the expected criteria for your final answer: {expected}\nyou MUST return the " \
             "actual complete content as the final answer, not a summary."
    if context:
        prompt += f"\n\nThis is the context you're working with:\n{context}"
    return {"role": "user", "content": f"\nCurrent Task: {prompt}\n\nBegin! This is VERY important to you, use "
                                       "the tools available and give your best Final Answer, your job depends on "
                                       "it!\n\nThought:"}


def assistant_call(name: str, args: dict[str, Any], observation: Any, reminder: str = "") -> dict[str, str]:
    """One ReAct step as CrewAI stores it: the model's action plus the tool's observation."""
    obs = observation if isinstance(observation, str) else json.dumps(observation)
    text = f"Thought: I should use {name}.\nAction: {name}\nAction Input: {json.dumps(args)}\nObservation: {obs}"
    if reminder:
        text += "\n\n" + reminder
    return {"role": "assistant", "content": text}

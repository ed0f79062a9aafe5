"""Reading a CrewAI ReAct conversation: the tools offered, the calls made, the task asked."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_TOOL_NAME = re.compile(r"^Tool Name: (.+?)\s*$", re.MULTILINE)
_COWORKERS = re.compile(r"Delegate a specific task to one of the following coworkers: (.+?)\s*$", re.MULTILINE)
_CALL = re.compile(r"Action: *(.+?)\s*\nAction Input: *(.*?)\nObservation: ?(.*)", re.DOTALL)
_TASK = re.compile(r"Current Task: (.*?)(?:\n\nThis is the expected criteria|\Z)", re.DOTALL)
_CONTEXT = re.compile(r"This is the context you're working with:\n(.*?)(?:\n\nBegin!|\Z)", re.DOTALL)
DELEGATE = "delegate_work_to_coworker"


@dataclass
class ToolCall:
    name: str
    args: dict[str, Any]
    observation: str

    def result(self) -> dict[str, Any]:
        """The observation as JSON (our tools answer JSON); {} when it is not.

        CrewAI may append reminders after a tool's output, so only the leading JSON value counts.
        """
        try:
            value, _ = json.JSONDecoder().raw_decode(self.observation.strip())
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


@dataclass
class Transcript:
    tools: list[str] = field(default_factory=list)
    coworkers: list[str] = field(default_factory=list)
    calls: list[ToolCall] = field(default_factory=list)
    task: str = ""
    context: str = ""

    def called(self, name: str, args: dict[str, Any] | None = None) -> bool:
        return any(c.name == name and (args is None or c.args == args) for c in self.calls)

    def last(self, name: str) -> dict[str, Any]:
        for call in reversed(self.calls):
            if call.name == name:
                return call.result()
        return {}

    @property
    def is_manager(self) -> bool:
        return DELEGATE in self.tools


def normalize_tool_name(name: str) -> str:
    """A tool's name as the policy knows it: "Delegate work to coworker" -> "delegate_work_to_coworker"."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_coworkers(text: str) -> list[str]:
    """The coworkers named by CrewAI's delegation tool description."""
    found = _COWORKERS.search(text)
    return [c.strip() for c in found.group(1).split(",") if c.strip()] if found else []


def read_task(text: str) -> tuple[str, str] | None:
    """(task, context) of CrewAI's task prompt, or None when `text` is not one."""
    task = _TASK.search(text)
    if not task:
        return None
    context = _CONTEXT.search(text)
    return task.group(1).strip(), context.group(1).strip() if context else ""


def read_transcript(messages: str | list[dict[str, Any]]) -> Transcript:
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    t = Transcript()
    for message in messages:
        content = message.get("content") or ""
        if not isinstance(content, str):
            content = json.dumps(content)
        role = message.get("role")
        if role == "system":
            t.tools = [normalize_tool_name(n) for n in _TOOL_NAME.findall(content)]
            t.coworkers = read_coworkers(content) or t.coworkers
        elif role == "user" and not t.task:
            task = read_task(content)
            if task:
                t.task, t.context = task
        elif role == "assistant":
            call = _CALL.search(content)
            if call:
                try:
                    args = json.loads(call.group(2).strip() or "{}")
                except ValueError:
                    args = {}
                t.calls.append(ToolCall(normalize_tool_name(call.group(1)), args if isinstance(args, dict) else {},
                                        call.group(3).strip()))
    return t

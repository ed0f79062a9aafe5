"""A run's countable figures under bounded labels, from the same result records the run summary counts.

Labels carry only values from closed sets: statuses, configured intents and urgencies, routes, detected
languages, action types, model names, escalation rule names. Never an id, an address or free text: an
escalation's reason text becomes the name of the rule that gave it (or a fixed kind, see `reason_kind`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from crm_crew.pipeline.flow import MODEL_DOWN, NO_ASSESSMENT
from crm_crew.pipeline.identity import ABOUT_SOMEONE_ELSE, DIFFERENT_SENDER, LOOKALIKE_SENDER

INJECTION_REASON = "The security screen flagged a prompt-injection attempt."
TOKEN_KINDS = {"input": "input_tokens", "output": "output_tokens", "cache_read": "cache_read_tokens",
               "cache_write": "cache_write_tokens"}
MODEL_COUNTS = ("calls", "cache_hits", "rate_limited", "retries")
NONE = "none"
TALLIES = ("interactions", "escalations", "actions", "model", "tokens", "cost", "fallbacks", "mcp_calls")

Labels = tuple[str, ...]


def reason_kind(reason: str, rule_names: dict[str, str]) -> str:
    """The bounded name of an escalation reason: its rule's name, or no_assessment / model_unavailable /
    prompt_injection / held_action (an identity rule held an action) / other."""
    first = reason.split("; ", 1)[0]
    if first in rule_names:
        return rule_names[first]
    fixed = {NO_ASSESSMENT: "no_assessment", MODEL_DOWN: "model_unavailable", INJECTION_REASON: "prompt_injection",
             ABOUT_SOMEONE_ELSE: "held_action", LOOKALIKE_SENDER: "held_action", DIFFERENT_SENDER: "held_action"}
    return fixed.get(first, "other")


def mcp_call(used: str) -> Labels | None:
    """(server, tool) of a `tools_used` entry `AGENT:mcp:SERVER.TOOL` (tool `unavailable` when the server
    could not be reached), None for a built-in tool."""
    _, sep, rest = used.partition(":mcp:")
    if not sep:
        return None
    if rest.endswith(" (unavailable)"):
        return (rest.removesuffix(" (unavailable)"), "unavailable")
    server, _, tool = rest.partition(".")
    return (server, tool or NONE)


class RunTally:
    """Counts records as they come; `merge` adds another tally (the totals of earlier runs)."""

    def __init__(self, rule_names: dict[str, str] | None = None) -> None:
        self.rule_names = rule_names or {}
        self.interactions: Counter[Labels] = Counter()   # status, intent, urgency, route, language
        self.escalations: Counter[Labels] = Counter()    # reason
        self.actions: Counter[Labels] = Counter()        # type, status
        self.model: Counter[Labels] = Counter()          # what, model, route  (what: a MODEL_COUNTS name)
        self.tokens: Counter[Labels] = Counter()         # kind, model, route
        self.cost: Counter[Labels] = Counter()           # model, route  (USD, a float Counter)
        self.fallbacks: Counter[Labels] = Counter()      # reason
        self.mcp_calls: Counter[Labels] = Counter()      # server, tool (names from agents.yaml allow-lists)

    def add(self, record: dict[str, Any]) -> None:
        route = record.get("route") or NONE
        self.interactions[(record.get("status") or "unknown", record.get("intent") or NONE,
                           record.get("urgency") or NONE, route, record.get("language") or NONE)] += 1
        if record.get("escalation"):
            self.escalations[(reason_kind(record["escalation"].get("reason") or "", self.rule_names),)] += 1
        for action in record.get("actions") or []:
            self.actions[(action["type"], action["status"])] += 1
        llm = record.get("llm") or {}
        self.add_usage(llm, route)
        if llm.get("fallback"):
            self.fallbacks[(str(llm["fallback"]),)] += 1
        for used in record.get("tools_used") or []:
            server_tool = mcp_call(str(used))
            if server_tool is not None:
                self.mcp_calls[server_tool] += 1

    def add_usage(self, llm: dict[str, Any], route: str) -> None:
        """Model usage (a record's `llm`, or the summary's `run_level_llm` under route "run")."""
        for model, usage in _by_model(llm).items():
            for what in MODEL_COUNTS:
                if usage.get(what):
                    self.model[(what, model, route)] += int(usage[what])
            for kind, key in TOKEN_KINDS.items():
                if usage.get(key):
                    self.tokens[(kind, model, route)] += int(usage[key])
            if usage.get("cost_usd"):
                self.cost[(model, route)] += float(usage["cost_usd"])

    def merge(self, other: RunTally) -> RunTally:
        merged = RunTally(self.rule_names)
        for name in TALLIES:
            getattr(merged, name).update(getattr(self, name))
            getattr(merged, name).update(getattr(other, name))
        return merged

    def to_json(self) -> dict[str, list[list[Any]]]:
        return {name: [[*labels, value] for labels, value in sorted(getattr(self, name).items())]
                for name in TALLIES}

    @classmethod
    def from_json(cls, data: dict[str, Any], rule_names: dict[str, str] | None = None) -> RunTally:
        tally = cls(rule_names)
        for name, rows in data.items():
            counter = getattr(tally, name, None)
            if isinstance(counter, Counter) and isinstance(rows, list):
                for row in rows:
                    counter[tuple(str(part) for part in row[:-1])] += row[-1]
        return tally


def _by_model(llm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Usage per model; a record journaled before `by_model` existed counts under model "unknown"."""
    if isinstance(llm.get("by_model"), dict):
        return llm["by_model"]
    if not (llm.get("calls") or llm.get("input_tokens") or llm.get("output_tokens") or llm.get("cache_hits")):
        return {}
    return {"unknown": {key: llm.get(key) for key in (*MODEL_COUNTS, *TOKEN_KINDS.values(), "cost_usd")}}


def rule_names(settings: Any) -> dict[str, str]:
    """Escalation reason text -> rule name, from the config."""
    return {rule.reason: rule.name for rule in settings.escalation.rules}

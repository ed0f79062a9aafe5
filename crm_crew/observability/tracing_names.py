"""Span names and attributes: the OpenTelemetry GenAI semantic conventions (gen_ai.*) and crm-crew's own
(crm_crew.*). Values are ids, names, counts and statuses only: never message text or addresses."""

from __future__ import annotations

import hashlib
from typing import Any

WORKFLOW = "crm-crew"
ANALYTICS = "crm-crew-analytics"             # the analytics crew at the end of a run
OPERATION = "gen_ai.operation.name"
PROVIDER = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
INPUT_TOKENS = "gen_ai.usage.input_tokens"
OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
CACHE_READ_TOKENS = "gen_ai.usage.cache_read.input_tokens"
CACHE_CREATION_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
RUN_ID = "crm_crew.run_id"
INTERACTION_ID = "crm_crew.interaction_id"


def interaction_ref(interaction_id: str) -> str:
    """The interaction id as spans show it: as is, unless it holds an "@" (a Message-ID can carry an
    address): then "sha256:" and the first 16 hex digits of its SHA-256."""
    if "@" not in interaction_id:
        return interaction_id
    return "sha256:" + hashlib.sha256(interaction_id.encode("utf-8")).hexdigest()[:16]


def run_attributes(run_id: str, mode: str, crm: str) -> dict[str, Any]:
    return {RUN_ID: run_id, "crm_crew.mode": mode, "crm_crew.crm": crm}


def workflow_attributes(run_id: str, interaction_id: str, channel: str) -> dict[str, Any]:
    return {OPERATION: "invoke_workflow", "gen_ai.workflow.name": WORKFLOW, RUN_ID: run_id,
            INTERACTION_ID: interaction_ref(interaction_id), "crm_crew.channel": channel}


def analytics_attributes(run_id: str) -> dict[str, Any]:
    return {OPERATION: "invoke_workflow", "gen_ai.workflow.name": ANALYTICS, RUN_ID: run_id}


def outcome_attributes(record: dict[str, Any]) -> dict[str, Any]:
    """What an interaction came to: route, status, intent, urgency, language, fallback, tokens."""
    llm = record.get("llm") or {}
    found = {"crm_crew.route": record.get("route"), "crm_crew.status": record.get("status"),
             "crm_crew.intent": record.get("intent"), "crm_crew.urgency": record.get("urgency"),
             "crm_crew.language": record.get("language"), "crm_crew.fallback": llm.get("fallback"),
             "crm_crew.actions": len(record.get("actions") or []),
             INPUT_TOKENS: int(llm.get("input_tokens") or 0), OUTPUT_TOKENS: int(llm.get("output_tokens") or 0)}
    return {k: v for k, v in found.items() if v is not None}


def agent_attributes(name: str, agent_id: str | None = None) -> dict[str, Any]:
    found = {OPERATION: "invoke_agent", "gen_ai.agent.name": name}
    if agent_id:
        found["gen_ai.agent.id"] = agent_id
    return found


def tool_attributes(tool: str, agent: str) -> dict[str, Any]:
    found = {OPERATION: "execute_tool", "gen_ai.tool.name": tool, "gen_ai.tool.type": "function"}
    if agent:
        found["gen_ai.agent.name"] = agent
    return found


def chat_attributes(provider: str, model: str) -> dict[str, Any]:
    return {OPERATION: "chat", PROVIDER: provider, REQUEST_MODEL: model}


def usage_attributes(usage: dict[str, Any]) -> dict[str, Any]:
    """Anthropic's usage block as gen_ai.usage.* (the offline model reports the same keys)."""
    return {INPUT_TOKENS: int(usage.get("input_tokens") or 0), OUTPUT_TOKENS: int(usage.get("output_tokens") or 0),
            CACHE_READ_TOKENS: int(usage.get("cache_read_input_tokens") or 0),
            CACHE_CREATION_TOKENS: int(usage.get("cache_creation_input_tokens") or 0)}


def crm_attributes(crm: str, method: str, obj: str | None) -> dict[str, Any]:
    found = {"crm_crew.crm": crm, "crm_crew.crm.method": method}
    if obj:
        found["crm_crew.crm.object"] = obj
    return found


def batch_attributes(run_id: str, obj: str, count: int) -> dict[str, Any]:
    return {RUN_ID: run_id, "crm_crew.action.object": obj, "crm_crew.actions": count}


def action_attributes(run_id: str, interaction_id: str, seq: int, action: str, obj: str) -> dict[str, Any]:
    return {RUN_ID: run_id, INTERACTION_ID: interaction_ref(interaction_id), "crm_crew.action.seq": seq,
            "crm_crew.action.type": action, "crm_crew.action.object": obj}

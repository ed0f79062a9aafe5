"""The one tool registry: YAML `tools:` entries name these tools."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crm_crew.tools import analytics_tools, assessment_tools, contact_tools, interaction_tools, plan_tools
from crm_crew.tools.spec import ToolSpec

TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for module in (interaction_tools, contact_tools, assessment_tools, plan_tools, analytics_tools)
    for spec in module.SPECS
}


def tool_names() -> list[str]:
    return list(TOOLS)


def coworker_ids(agents: Mapping[str, Any], scope: str, manager: str) -> list[str]:
    """Whom the manager may choose for a task without an agent: the agents with a judgement tool of this
    scope. An agent with only deterministic tools is left out: code did its work before the crew started.
    `agents`: agent id -> an object with `tools` (AgentConfig)."""
    return [agent_id for agent_id, spec in agents.items() if agent_id != manager
            and any(name in TOOLS and TOOLS[name].scope == scope and not TOOLS[name].deterministic
                    for name in spec.tools)]

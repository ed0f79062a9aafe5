"""The one tool registry: YAML `tools:` entries name these tools."""

from __future__ import annotations

from crm_crew.tools import analytics_tools, assessment_tools, contact_tools, interaction_tools, plan_tools
from crm_crew.tools.spec import ToolSpec

TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for module in (interaction_tools, contact_tools, assessment_tools, plan_tools, analytics_tools)
    for spec in module.SPECS
}


def tool_names() -> list[str]:
    return list(TOOLS)

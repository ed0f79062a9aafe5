"""Build the hierarchical CrewAI crew from validated config.

A fresh crew is built for each interaction: its tools are bound to that interaction's
session and its LLM instances add their usage to that interaction's meter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crewai import Agent, Crew, Process, Task

from crm_crew.config.loader import CrewConfig
from crm_crew.crew.tool_adapter import bind_tool
from crm_crew.llm.factory import make_llm
from crm_crew.observability.tracing_crewai import name_agent
from crm_crew.tools.registry import TOOLS
from crm_crew.tools.spec import ToolContext

MANAGER = "coordinator"


@dataclass
class LlmSource:
    """Where a crew's agents get their models, and where their usage is counted."""

    meter: Any                                   # crm_crew.llm.meter.Meter
    models: Mapping[str, str] | None = None      # agent id -> model string; default: agents.yaml
    home: Path | None = None                     # the state folder (response cache)

    def llm_for(self, config: CrewConfig, agent_id: str) -> Any:
        model = (self.models or {}).get(agent_id) or config.agents[agent_id].llm
        return make_llm(model, config.settings, self.meter, self.home)


def _agent(config: CrewConfig, agent_id: str, context: ToolContext, source: LlmSource) -> Agent:
    spec = config.agents[agent_id]
    llm = source.llm_for(config, agent_id)
    tools = [bind_tool(TOOLS[name], ToolContext(agent_id, context.session, context.run_statistics))
             for name in spec.tools if TOOLS[name].scope == ("run" if context.session is None else "interaction")]
    agent = Agent(
        role=spec.role, goal=spec.goal, backstory=spec.backstory, llm=llm, tools=tools,
        allow_delegation=spec.allow_delegation, max_iter=spec.max_iter, max_rpm=spec.max_rpm,
        max_execution_time=spec.max_execution_time, verbose=spec.verbose,
        max_retry_limit=spec.max_retry_limit, respect_context_window=spec.respect_context_window,
    )
    name_agent(agent, agent_id)
    return agent


def build_crew(config: CrewConfig, scope: str, context: ToolContext, source: LlmSource,
               skip: frozenset[str] = frozenset()) -> Crew:
    """The hierarchical crew for one interaction (scope "interaction") or for the end of a run ("run").

    Tasks named in `skip` were done in code: they are left out, and out of the other tasks' context.
    """
    task_specs = [(name, spec) for name, spec in
                  (config.interaction_tasks() if scope == "interaction" else config.run_tasks()) if name not in skip]
    agents: dict[str, Agent] = {}
    for _, task_spec in task_specs:
        if task_spec.agent not in agents:
            agents[task_spec.agent] = _agent(config, task_spec.agent, context, source)
    manager = _agent(config, MANAGER, context, source)
    tasks: dict[str, Task] = {}
    for name, task_spec in task_specs:
        task = Task(name=name, description=task_spec.description, expected_output=task_spec.expected_output,
                    agent=agents[task_spec.agent], context=[tasks[c] for c in task_spec.context if c not in skip])
        tasks[name] = task
    crew = Crew(agents=list(agents.values()), tasks=list(tasks.values()), manager_agent=manager,
                process=Process.hierarchical, verbose=False, memory=False, cache=False)
    for task in crew.tasks:
        # The manager executes every task of a hierarchical crew with the task's tools; it must only
        # delegate, so the worker tools stay with the worker. Plain assignment would re-run crewai's
        # validator, which copies the agent's tools back onto a task without tools.
        object.__setattr__(task, "tools", [])
    return crew

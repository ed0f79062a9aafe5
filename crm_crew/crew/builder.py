"""Build the hierarchical CrewAI crew from validated config.

A fresh crew is built for each interaction: its tools are bound to that interaction's
session and its LLM instances count that interaction's usage only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crewai import Agent, Crew, Process, Task

from crm_crew.config.loader import CrewConfig
from crm_crew.crew.tool_adapter import bind_tool
from crm_crew.llm.factory import make_llm
from crm_crew.tools.registry import TOOLS
from crm_crew.tools.spec import ToolContext

MANAGER = "coordinator"


@dataclass
class BuiltCrew:
    crew: Crew
    llms: list[Any]

    def usage(self) -> dict[str, int]:
        """Model calls and tokens of this crew, summed over its own LLM instances."""
        totals = {"calls": 0, "input_tokens": 0, "output_tokens": 0}
        for llm in self.llms:
            summary = llm.get_token_usage_summary()
            totals["calls"] += summary.successful_requests
            totals["input_tokens"] += summary.prompt_tokens
            totals["output_tokens"] += summary.completion_tokens
        return totals


def _agent(config: CrewConfig, agent_id: str, context: ToolContext, llms: list[Any], model_override: str | None) -> Agent:
    spec = config.agents[agent_id]
    llm = make_llm(model_override or spec.llm, config.settings)
    llms.append(llm)
    tools = [bind_tool(TOOLS[name], ToolContext(agent_id, context.session, context.run_statistics))
             for name in spec.tools if TOOLS[name].scope == ("run" if context.session is None else "interaction")]
    return Agent(
        role=spec.role, goal=spec.goal, backstory=spec.backstory, llm=llm, tools=tools,
        allow_delegation=spec.allow_delegation, max_iter=spec.max_iter, max_rpm=spec.max_rpm,
        max_execution_time=spec.max_execution_time, verbose=spec.verbose,
        max_retry_limit=spec.max_retry_limit, respect_context_window=spec.respect_context_window,
    )


def build_crew(config: CrewConfig, scope: str, context: ToolContext, model_override: str | None = None) -> BuiltCrew:
    """The crew for one interaction (scope "interaction") or for the end of a run ("run")."""
    llms: list[Any] = []
    task_specs = config.interaction_tasks() if scope == "interaction" else config.run_tasks()
    agents: dict[str, Agent] = {}
    for _, task_spec in task_specs:
        if task_spec.agent not in agents:
            agents[task_spec.agent] = _agent(config, task_spec.agent, context, llms, model_override)
    manager = _agent(config, MANAGER, context, llms, model_override)
    tasks: dict[str, Task] = {}
    for name, task_spec in task_specs:
        task = Task(name=name, description=task_spec.description, expected_output=task_spec.expected_output,
                    agent=agents[task_spec.agent], context=[tasks[c] for c in task_spec.context])
        # The manager executes every task of a hierarchical crew with the task's tools;
        # it must only delegate, so the worker tools stay with the worker.
        task.tools = []
        tasks[name] = task
    crew = Crew(agents=list(agents.values()), tasks=list(tasks.values()), manager_agent=manager,
                process=Process.hierarchical, verbose=False, memory=False, cache=False)
    return BuiltCrew(crew, llms)

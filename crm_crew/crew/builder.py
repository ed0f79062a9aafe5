"""Build the hierarchical CrewAI crew from validated config.

A fresh crew is built for each interaction: its tools are bound to that interaction's
session and its LLM instances add their usage to that interaction's meter. Every coworker
sees the interaction's case file, attached by code to each task it is given, so the
coordinator delegates the what and never copies the data. A task without an `agent` is the
coordinator's to split: it sees each coworker's role and tools and chooses whom to ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crewai import Agent, Crew, Process, Task
from pydantic import PrivateAttr

from crm_crew.config.loader import CrewConfig
from crm_crew.crew.tool_adapter import bind_tool
from crm_crew.llm.crew_prompts import attach_case, roster
from crm_crew.llm.factory import make_llm
from crm_crew.observability.tracing_crewai import name_agent
from crm_crew.pipeline.sentiment import score_sentiment
from crm_crew.pipeline.session import InteractionSession
from crm_crew.tools.registry import TOOLS, coworker_ids
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


class Coworker(Agent):
    """An agent that is given the interaction's case file with every task (none for run-scope tasks)."""

    _session: InteractionSession | None = PrivateAttr(default=None)

    def execute_task(self, task: Any, context: str | None = None, tools: Any = None) -> Any:
        if self._session is not None:
            context = attach_case(context, crew_case(self._session))
        return super().execute_task(task, context, tools)


def crew_case(session: InteractionSession) -> dict[str, Any]:
    """What a coworker knows before its first call: the case file, the lexicon sentiment and the choices."""
    settings = session.settings
    label, score = score_sentiment(f"{session.screen.subject}\n{session.screen.body}")
    return {**session.case_file(), "sentiment_lexicon": {"label": label, "score": score},
            "taxonomy": {name: intent.description for name, intent in settings.intents.items()},
            "urgency_levels": list(settings.urgency.levels), "task_kinds": list(settings.actions.task_triggers)}


def _scope(context: ToolContext) -> str:
    return "run" if context.session is None else "interaction"


def _agent(config: CrewConfig, agent_id: str, context: ToolContext, source: LlmSource) -> Agent:
    spec = config.agents[agent_id]
    llm = source.llm_for(config, agent_id)
    tools = [bind_tool(TOOLS[name], ToolContext(agent_id, context.session, context.run_statistics))
             for name in spec.tools if TOOLS[name].scope == _scope(context)]
    agent = Coworker(
        role=spec.role, goal=spec.goal, backstory=spec.backstory, llm=llm, tools=tools,
        allow_delegation=spec.allow_delegation, max_iter=spec.max_iter, max_rpm=spec.max_rpm,
        max_execution_time=spec.max_execution_time, verbose=spec.verbose,
        max_retry_limit=spec.max_retry_limit, respect_context_window=spec.respect_context_window,
    )
    agent._session = context.session if agent_id != MANAGER else None
    name_agent(agent, agent_id)
    return agent


def coworkers(config: CrewConfig, scope: str) -> list[str]:
    return coworker_ids(config.agents, scope, MANAGER)


def build_crew(config: CrewConfig, scope: str, context: ToolContext, source: LlmSource,
               skip: frozenset[str] = frozenset()) -> Crew:
    """The hierarchical crew for one interaction (scope "interaction") or for the end of a run ("run").

    Tasks named in `skip` were done in code: they are left out, and out of the other tasks' context.
    """
    task_specs = [(name, spec) for name, spec in
                  (config.interaction_tasks() if scope == "interaction" else config.run_tasks()) if name not in skip]
    chosen = coworkers(config, _scope(context))
    agents: dict[str, Agent] = {}
    for _, task_spec in task_specs:
        for agent_id in [task_spec.agent] if task_spec.agent else chosen:
            if agent_id not in agents:
                agents[agent_id] = _agent(config, agent_id, context, source)
    manager = _agent(config, MANAGER, context, source)
    team = roster([(agents[a].role, config.agents[a].tools) for a in chosen if a in agents])
    tasks: dict[str, Task] = {}
    for name, task_spec in task_specs:
        description = task_spec.description + ("" if task_spec.agent else team)
        task = Task(name=name, description=description, expected_output=task_spec.expected_output,
                    agent=agents[task_spec.agent] if task_spec.agent else None,
                    context=[tasks[c] for c in task_spec.context if c not in skip])
        tasks[name] = task
    crew = Crew(agents=list(agents.values()), tasks=list(tasks.values()), manager_agent=manager,
                process=Process.hierarchical, verbose=False, memory=False, cache=False)
    for task in crew.tasks:
        # The manager executes every task of a hierarchical crew with the task's tools; it must only
        # delegate, so the worker tools stay with the worker. Plain assignment would re-run crewai's
        # validator, which copies the agent's tools back onto a task without tools.
        object.__setattr__(task, "tools", [])
    return crew

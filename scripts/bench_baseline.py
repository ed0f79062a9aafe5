"""The bench's baseline: the six roles as a stock CrewAI hierarchical crew, one task each (child of bench.py).

    python scripts/bench_baseline.py --inbox FILE --config DIR --home DIR --out FIGURES.json
        [--mode offline|claude-sim] [--base-url URL] [--model anthropic/claude-haiku-4-5] [--concurrency C]

One Crew(process=hierarchical, manager_agent=coordinator) is built straight from the config's agents.yaml and
tasks.yaml (interaction-scope tasks only) with crm-crew's tools; bench.py gives it crm_crew.testing.configs.CREW_V1's
(the crew as a plain CrewAI user writes it, and as crm-crew shipped it before: one task pinned to each agent, one
tool per CRM change), so the baseline does not move when crm-crew's own crew changes, and every interaction of the inbox goes
through `Crew.kickoff_for_each_async`, with no routing, no answer cache and no shared rate limiter. The
event loop's default executor has C threads, so C crews run at once. Models: the offline model (offline),
or plain `crewai.LLM` on the fake Messages API with the SDK's default retries (claude-sim; the key comes
from ANTHROPIC_API_KEY).

kickoff_for_each_async copies the crew once per input (agents, tasks and tools are shared or shallow
copies) and runs each copy's kickoff in `asyncio.to_thread`. A `before_kickoff_callbacks` hook therefore
binds the interaction (looked up by inputs["interaction_id"]) to a ContextVar in the copy's thread; the
tools read their session from it and crewai carries it into the threads it starts. Per-interaction model
calls and tokens come from LLMCallCompletedEvent, attributed by the same ContextVar: the copies' LLMs
share one usage counter, so CrewOutput.token_usage is cumulative across copies, not per interaction.

Writes {"duration_s", "samples": [{"calls", "tokens", "duration_ms", "error"}], "failures": [...]} to --out.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_measure import Sample, log, write_samples

from crm_crew.crew.environment import prepare_crewai_environment


@dataclass
class Slot:
    """One interaction's session and what was measured of it."""

    session: Any                     # crm_crew.pipeline.session.InteractionSession
    calls: int = 0
    tokens: int = 0
    started: float | None = None
    finished: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


CURRENT: contextvars.ContextVar[Slot | None] = contextvars.ContextVar("bench_interaction", default=None)


def _session_tool(spec: Any, agent_id: str) -> Any:
    """A registry tool whose session is the interaction bound to the calling thread (see CURRENT)."""
    from crewai.tools import BaseTool
    from pydantic import ValidationError

    from crm_crew.errors import ConnectorError
    from crm_crew.tools.spec import ToolContext

    class SessionTool(BaseTool):
        def _run(self, **kwargs: Any) -> str:
            slot = CURRENT.get()
            if slot is None:
                return json.dumps({"error": "no interaction is bound to this crew"})
            try:
                args = spec.args(**kwargs)
            except ValidationError as exc:
                return json.dumps({"error": f"invalid arguments for {spec.name}: {exc.errors()}"}, default=str)
            slot.session.tool_calls.append(f"{agent_id}:{spec.name}")
            try:
                return json.dumps(spec.run(ToolContext(agent_id, slot.session), args), default=str)
            except ConnectorError as exc:
                slot.session.crm_error = slot.session.crm_error or exc
                return json.dumps({"error": f"the CRM could not answer: {exc}"})

    return SessionTool(name=spec.name, description=spec.description, args_schema=spec.args)


def _make_llm(args: argparse.Namespace, settings: Any) -> Any:
    if args.mode == "offline":
        from crm_crew.llm.offline.model import make_offline_llm

        return make_offline_llm("offline", settings)
    import os

    from crewai import LLM

    return LLM(model=args.model, api_key=os.environ["ANTHROPIC_API_KEY"], base_url=args.base_url)


def build_crew(config: Any, args: argparse.Namespace, slots: dict[str, Slot]) -> Any:
    from crewai import Agent, Crew, Process, Task

    from crm_crew.tools.registry import TOOLS

    def agent(agent_id: str) -> Any:
        spec = config.agents[agent_id]
        tools = [_session_tool(TOOLS[name], agent_id) for name in spec.tools if TOOLS[name].scope == "interaction"]
        return Agent(role=spec.role, goal=spec.goal, backstory=spec.backstory, llm=_make_llm(args, config.settings),
                     tools=tools, allow_delegation=spec.allow_delegation, max_iter=spec.max_iter,
                     max_rpm=spec.max_rpm, max_execution_time=spec.max_execution_time, verbose=False,
                     max_retry_limit=spec.max_retry_limit, respect_context_window=spec.respect_context_window)

    task_specs = config.interaction_tasks()
    agents: dict[str, Any] = {}
    tasks: dict[str, Any] = {}
    for name, spec in task_specs:
        if spec.agent not in agents:
            agents[spec.agent] = agent(spec.agent)
        task = Task(name=name, description=spec.description, expected_output=spec.expected_output,
                    agent=agents[spec.agent], context=[tasks[c] for c in spec.context])
        tasks[name] = task

    def bind(inputs: dict[str, Any]) -> dict[str, Any]:
        slot = slots[inputs["interaction_id"]]
        CURRENT.set(slot)
        slot.started = time.perf_counter()
        return inputs

    def done(output: Any) -> Any:
        slot = CURRENT.get()
        if slot is not None:
            slot.finished = time.perf_counter()
        return output

    return Crew(agents=list(agents.values()), tasks=list(tasks.values()), manager_agent=agent("coordinator"),
                process=Process.hierarchical, verbose=False, memory=False, cache=False,
                before_kickoff_callbacks=[bind], after_kickoff_callbacks=[done])


def _count_llm_calls() -> None:
    from crewai.events import crewai_event_bus
    from crewai.events.types.llm_events import LLMCallCompletedEvent
    from crewai.types.usage_metrics import UsageMetrics

    @crewai_event_bus.on(LLMCallCompletedEvent)
    def _completed(source: Any, event: LLMCallCompletedEvent) -> None:
        slot = CURRENT.get()
        if slot is None:
            return
        metrics = UsageMetrics.from_provider_dict(event.usage)
        with slot.lock:
            slot.calls += 1
            slot.tokens += metrics.total_tokens if metrics is not None else 0


def load_slots(config: Any, inbox: Path, home: Path) -> tuple[dict[str, Slot], list[dict[str, Any]], Any]:
    from crm_crew.connectors.registry import open_crm
    from crm_crew.models import Interaction
    from crm_crew.pipeline.readers import read_interactions
    from crm_crew.pipeline.replies import load_reply_templates
    from crm_crew.pipeline.session import InteractionSession
    from crm_crew.security.screen import screen

    settings = config.settings
    connector = open_crm(settings.crm, home)
    replies = load_reply_templates(config.directory.resolve())
    slots: dict[str, Slot] = {}
    inputs: list[dict[str, Any]] = []
    for item in read_interactions(inbox, max_body_chars=settings.limits.max_body_chars,
                                  max_subject_chars=settings.limits.max_subject_chars,
                                  max_file_bytes=settings.limits.max_file_bytes):
        if not isinstance(item, Interaction):
            log(f"baseline: skipped a rejected record: {item.reason}")
            continue
        session = InteractionSession(item, screen(item, settings.security, settings.limits), settings,
                                     connector, replies)
        slots[item.id] = Slot(session)
        inputs.append(session.task_inputs())
    return slots, inputs, connector


async def run_all(crew: Any, inputs: list[dict[str, Any]], concurrency: int) -> list[str]:
    """kickoff_for_each_async over every input, C at a time; the exceptions raised (gather stops at the first)."""
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(concurrency, thread_name_prefix="baseline"))
    failures: list[str] = []
    try:
        await crew.kickoff_for_each_async(inputs)
    except Exception as exc:  # one crew failed: the other copies are still running, wait for them
        failures.append(f"{type(exc).__name__}: {exc}")
        me = asyncio.current_task()
        others = [t for t in asyncio.all_tasks() if t is not me]
        for result in await asyncio.gather(*others, return_exceptions=True):
            if isinstance(result, BaseException):
                failures.append(f"{type(result).__name__}: {result}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mode", choices=("offline", "claude-sim"), default="offline")
    parser.add_argument("--base-url")
    parser.add_argument("--model", default="anthropic/claude-haiku-4-5")
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args(argv)

    prepare_crewai_environment(args.home)
    from crewai.events import crewai_event_bus

    from crm_crew.config.loader import load_config

    config = load_config(args.config)
    slots, inputs, connector = load_slots(config, args.inbox, args.home)
    _count_llm_calls()
    crew = build_crew(config, args, slots)
    log(f"baseline: {len(inputs)} interactions, concurrency {args.concurrency}")
    started = time.perf_counter()
    failures = asyncio.run(run_all(crew, inputs, max(1, args.concurrency)))
    duration = time.perf_counter() - started
    crewai_event_bus.flush()
    connector.close()
    samples = []
    for slot in slots.values():
        ok = slot.finished is not None and slot.started is not None and slot.session.crm_error is None
        elapsed = (slot.finished or 0.0) - (slot.started or 0.0)
        samples.append(Sample(slot.calls, slot.tokens, int(elapsed * 1000) if ok else 0, not ok))
    assessed = sum(slot.session.assessment is not None for slot in slots.values())
    log(f"baseline: {assessed}/{len(slots)} interactions got an assessment; {len(failures)} crew failures")
    for failure in failures[:5]:
        log(f"baseline: crew failed: {failure[:300]}")
    write_samples(args.out, samples, duration, {"failures": failures})
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`invoke_agent` and `execute_tool` spans of the full crew, from CrewAI's event bus.

The bus runs its handlers in a thread pool, in a copy of the emitting thread's context (so the current span
there is the interaction's), in no fixed order. An agent's span is therefore opened by whichever comes
first: its AgentExecutionStartedEvent, or its first model call (`agent_scope`, in the crew's own thread, so
the `chat` span nests under it); its completed/error event ends it. Tool spans are made whole from the
finished/error events, which carry both times. `close_under` ends what is left once a crew is done.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crm_crew.observability import tracing
from crm_crew.observability.tracing_names import agent_attributes, tool_attributes

if TYPE_CHECKING:
    from opentelemetry.trace import Span

AgentKey = tuple[str, str]          # (crewai agent id, task id)


@dataclass
class _Agent:
    span: Span
    parent_id: int
    ended: bool = False


@dataclass
class _Registry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    agents: dict[AgentKey, _Agent] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)        # crewai agent id -> agents.yaml id
    tool_starts: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)


_registry = _Registry()
_listening = False


def name_agent(agent: Any, agent_id: str) -> None:
    """Remember the agents.yaml id of a crewai Agent (span names use it, not the long role)."""
    if tracing.enabled():
        with _registry.lock:
            _registry.names[str(agent.id)] = agent_id


def _ns(when: datetime) -> int:
    return int(when.timestamp() * 1_000_000_000)     # a naive datetime is local time, as crewai makes it


def _key(agent: Any, task: Any) -> AgentKey | None:
    if agent is None:
        return None
    return str(getattr(agent, "id", "")), str(getattr(task, "id", "") if task is not None else "")


def _open(key: AgentKey, agent: Any, start_ns: int | None) -> Span:
    """The agent's span, started now (or at `start_ns`) under the current span unless already open."""
    with _registry.lock:
        found = _registry.agents.get(key)
        if found is not None:
            return found.span
        name = _registry.names.get(key[0]) or str(getattr(agent, "role", "agent"))
        parent = tracing.current_span()
        opened = tracing.start_span(f"invoke_agent {name}", agent_attributes(name, key[0]), start_ns=start_ns)
        _registry.agents[key] = _Agent(opened, parent.get_span_context().span_id)
        return opened


def _end(key: AgentKey | None, end_ns: int, error: str | None = None) -> None:
    with _registry.lock:
        found = _registry.agents.get(key) if key is not None else None
        if found is None or found.ended:
            return            # a crew already closed (close_under): nothing to end
        found.ended = True
    if error is not None:
        tracing.fail(found.span, "agent_error")
    found.span.end(end_time=end_ns)


@contextmanager
def agent_scope(agent: Any, task: Any) -> Iterator[None]:
    """Inside a model call of a crew agent: that agent's span is current (the `chat` span's parent)."""
    key = _key(agent, task) if tracing.enabled() else None
    if key is None:
        yield
        return
    with tracing.using(_open(key, agent, None)):
        yield


def close_under(parent: Span) -> None:
    """End and forget the agent spans opened under `parent` once its crew is done (handlers flushed)."""
    if not tracing.enabled():
        return
    from crewai.events import crewai_event_bus

    crewai_event_bus.flush(timeout=5.0)
    parent_id = parent.get_span_context().span_id
    with _registry.lock:
        mine = [k for k, a in _registry.agents.items() if a.parent_id == parent_id]
        left = [_registry.agents.pop(k) for k in mine]
        gone = {k[0] for k in mine}
        for agent_id in gone:
            _registry.names.pop(agent_id, None)
        for tool_key in [t for t in _registry.tool_starts if t[0] in gone]:
            del _registry.tool_starts[tool_key]
    for found in left:
        if not found.ended:
            found.span.end()


def _tool_span(event: Any, start_ns: int, end_ns: int, error: bool) -> None:
    agent_id = event.agent_id or ""
    with _registry.lock:
        found = _registry.agents.get((agent_id, event.task_id or ""))
        name = _registry.names.get(agent_id, event.agent_role or "")
    span = tracing.start_span(f"execute_tool {event.tool_name}", tool_attributes(event.tool_name, name),
                              parent=found.span if found is not None else None, start_ns=start_ns)
    if event.run_attempts:
        span.set_attribute("crm_crew.tool.attempts", int(event.run_attempts))
    if getattr(event, "from_cache", False):
        span.set_attribute("crm_crew.tool.from_cache", True)
    if error or getattr(event, "failure", None) is not None:
        tracing.fail(span, "tool_error")
    span.end(end_time=end_ns)


def _tool_key(event: Any) -> tuple[str, str, str]:
    return event.agent_id or "", event.task_id or "", event.tool_name


def listen_once_loaded() -> None:
    """Subscribe to the bus once per process, when tracing is on and crewai is loaded: by
    crm_crew.crew.environment.import_crewai, whose guard of the signal handlers crewai's import needs, or
    already (a worker loads crewai before its config)."""
    global _listening
    if _listening or not tracing.enabled() or "crewai.events" not in sys.modules:
        return
    _listening = True
    from crewai.events import (AgentExecutionCompletedEvent, AgentExecutionErrorEvent,
                               AgentExecutionStartedEvent, ToolUsageErrorEvent, ToolUsageFinishedEvent,
                               ToolUsageStartedEvent, crewai_event_bus)

    @crewai_event_bus.on(AgentExecutionStartedEvent)
    def agent_started(source: Any, event: AgentExecutionStartedEvent) -> None:
        key = _key(event.agent, event.task)
        if key is not None:
            _open(key, event.agent, _ns(event.timestamp))

    @crewai_event_bus.on(AgentExecutionCompletedEvent)
    def agent_completed(source: Any, event: AgentExecutionCompletedEvent) -> None:
        _end(_key(event.agent, event.task), _ns(event.timestamp))

    @crewai_event_bus.on(AgentExecutionErrorEvent)
    def agent_failed(source: Any, event: AgentExecutionErrorEvent) -> None:
        _end(_key(event.agent, event.task), _ns(event.timestamp), error=event.error)

    @crewai_event_bus.on(ToolUsageStartedEvent)
    def tool_started(source: Any, event: ToolUsageStartedEvent) -> None:
        with _registry.lock:
            _registry.tool_starts.setdefault(_tool_key(event), []).append(_ns(event.timestamp))

    def started_ns(event: Any, default: int) -> int:
        with _registry.lock:
            starts = _registry.tool_starts.get(_tool_key(event))
            return starts.pop(0) if starts else default

    @crewai_event_bus.on(ToolUsageFinishedEvent)
    def tool_finished(source: Any, event: ToolUsageFinishedEvent) -> None:
        started_ns(event, 0)
        _tool_span(event, _ns(event.started_at), _ns(event.finished_at), error=False)

    @crewai_event_bus.on(ToolUsageErrorEvent)
    def tool_failed(source: Any, event: ToolUsageErrorEvent) -> None:
        end = _ns(event.timestamp)
        _tool_span(event, started_ns(event, end), end, error=True)

"""Which route an interaction takes: the lean one, or the full hierarchical crew (crm-crew.yaml `routing`)."""

from __future__ import annotations

from typing import Any

from crm_crew.pipeline.escalation import Facts, escalation_reason
from crm_crew.pipeline.session import Assessment, InteractionSession
from crm_crew.tools.registry import TOOLS

LEAN, FULL = "lean", "full"


def full_before_the_call(session: InteractionSession, settings: Any) -> str | None:
    """Why the interaction is sensitive enough for the full crew, judged before any model call."""
    full = settings.routing.full
    flags = [f for f in session.screen.flags if f in full.flags]
    if flags:
        return f"security flags: {', '.join(flags)}"
    if session.tier and session.tier in full.tiers:
        return f"contact tier {session.tier}"
    return None


def full_after_the_answer(a: Assessment, session: InteractionSession, settings: Any) -> str | None:
    """Why the lean answer is too ambiguous or escalation-prone to stand on its own."""
    full = settings.routing.full
    if a.confidence < full.min_confidence:
        return f"lean answer confidence {a.confidence:.2f} < {full.min_confidence:.2f}"
    if a.intent in full.intents:
        return f"intent {a.intent}"
    if a.urgency in full.urgencies:
        return f"urgency {a.urgency}"
    if full.escalation_rules:
        reason = escalation_reason(Facts(a.intent, a.urgency, a.sentiment_label, session.tier,
                                         tuple(session.screen.flags), a.confidence), settings.escalation)
        if reason:
            return f"escalation-prone: {reason}"
    return None


def route_models(config: Any, route: str, override: str | None) -> dict[str, str]:
    """Agent id -> model for a route: --llm, then the route's llm, then agents.yaml."""
    chosen = override or (config.settings.routing.lean.llm if route == LEAN else config.settings.routing.full.llm)
    return {agent_id: chosen or agent.llm for agent_id, agent in config.agents.items()}


def tasks_done_in_code(config: Any) -> frozenset[str]:
    """Interaction tasks whose agent has only deterministic tools (screening review, matching, CRM reads):
    both routes run those steps in code, so the full crew skips them instead of spending model calls."""
    return frozenset(name for name, task in config.interaction_tasks() if task.agent
                     and (tools := config.agents[task.agent].tools) and all(TOOLS[t].deterministic for t in tools))

"""The lean route: deterministic steps in code, one model call for the judgement.

Screening has run already. Sender details, contact matching, CRM history, lexicon sentiment, reply
templates (record_assessment settles the reply) and planning run here in code, through the same tools
the crew uses and only those the YAML grants an agent. One model call (the communication agent's) returns the assessment and the reply draft;
a malformed answer gets one repair call. The result says whether the interaction must go on to the full
crew instead, and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.llm.lean_protocol import (
    LeanAnswer,
    LeanAnswerError,
    case_message,
    examples_to_cache,
    parse_answer,
    system_prompt,
)
from crm_crew.observability import tracing
from crm_crew.observability.tracing_names import agent_attributes, tool_attributes
from crm_crew.pipeline.routing import full_after_the_answer, full_before_the_call
from crm_crew.pipeline.senders import is_automated
from crm_crew.pipeline.session import InteractionSession
from crm_crew.tools.registry import TOOLS
from crm_crew.tools.spec import ToolContext

ASSESSOR = "communication"


@dataclass
class LeanResult:
    to_full: str | None = None          # why the full crew must take over; None: the lean route finished


def call_tool(config: CrewConfig, session: InteractionSession, tool: str, /, **args: Any) -> dict[str, Any] | None:
    """Run a registry tool as the first agent whose YAML lists it; None when no agent may use it."""
    agent_id = next((a for a, spec in config.agents.items() if tool in spec.tools), None)
    if agent_id is None:
        return None
    spec = TOOLS[tool]
    session.tool_calls.append(f"{agent_id}:{tool}")
    with tracing.span(f"execute_tool {tool}", tool_attributes(tool, agent_id)):
        return spec.run(ToolContext(agent_id, session), spec.args(**args))


def run_lean(config: CrewConfig, session: InteractionSession, llm: Any, model: str = "") -> LeanResult:
    """`model`: the lean model's name, which sets how many taxonomy examples the cached prompt carries."""
    settings = config.settings
    read_sender(config, session)
    if session.crm_error is not None:
        raise session.crm_error
    reason = full_before_the_call(session, settings)
    if reason:
        return LeanResult(reason)
    sentiment = call_tool(config, session, "score_sentiment") or {}
    try:
        answer = _ask(config, session, llm, sentiment, model)
    except LeanAnswerError as exc:
        return LeanResult(f"lean answer unusable after a repair: {exc}")
    draft = answer.reply or {}
    recorded = call_tool(config, session, "record_assessment", intent=answer.intent, urgency=answer.urgency,
                         sentiment=answer.sentiment, sentiment_score=answer.sentiment_score,
                         confidence=answer.confidence, rationale=answer.rationale,
                         reply_subject=draft.get("subject", ""), reply_body=draft.get("body", ""))
    if not recorded or not recorded.get("recorded") or session.assessment is None:
        return LeanResult("no agent may record the assessment")
    reason = full_after_the_answer(session.assessment, session, settings)
    if reason:
        return LeanResult(reason)
    _plan(config, session, answer)
    return LeanResult()


def read_sender(config: CrewConfig, session: InteractionSession) -> None:
    """Sender details, the contact match and its history, in code (both routes start with this)."""
    call_tool(config, session, "extract_signature")
    sender = session.sender
    found = call_tool(config, session, "find_contact", name=sender.full_name if sender else "",
                      company=sender.company if sender else "") or {}
    if found.get("found"):
        call_tool(config, session, "get_contact_history", contact_id=found["contact"]["id"])
    if any(agent.mcps for agent in config.agents.values()):
        from crm_crew.mcp.agent_tools import consult_mcp_tools

        consult_mcp_tools(config, session)


def _case(config: CrewConfig, session: InteractionSession, sentiment: dict[str, Any]) -> dict[str, Any]:
    """Only what the assessment needs: redacted, trimmed text and a few facts about the sender."""
    settings = config.settings
    it = session.interaction
    contact = session.match.contact if session.match else None
    return {
        "interaction": {"channel": it.channel, "received_at": it.received_at, "sender_name": session.display_name,
                        "language": session.language,
                        "subject": session.screen.subject, "body": session.screen.body,
                        "automated_sender": is_automated(it, settings.matching.non_human_senders),
                        **({"attachments": session.attachments} if session.attachments else {})},
        "sender": {"known_contact": contact is not None, "tier": session.tier,
                   "company": contact.company if contact else (session.sender.company if session.sender else ""),
                   "recent_intents": [a.intent for a in session.history if a.intent][:5]},
        "security_flags": list(session.screen.flags),
        "sentiment_lexicon": {"label": sentiment.get("label", "neutral"), "score": sentiment.get("score", 0.0)},
        **({"mcp_results": session.mcp_results} if session.mcp_results else {}),
    }


def _ask(config: CrewConfig, session: InteractionSession, llm: Any, sentiment: dict[str, Any],
         model: str) -> LeanAnswer:
    from crewai.llms.cache import CACHE_BREAKPOINT_KEY

    agent, settings = config.agents[ASSESSOR], config.settings
    examples = examples_to_cache(agent.role, agent.goal, agent.backstory, settings, model)
    messages: list[dict[str, Any]] = [      # the static part first, cached (crewai stamps cache_control on it)
        {"role": "system", "content": system_prompt(agent.role, agent.goal, agent.backstory, settings, examples),
         CACHE_BREAKPOINT_KEY: True},
        {"role": "user", "content": case_message(_case(config, session, sentiment))},
    ]
    kinds = list(config.settings.actions.task_triggers)
    with tracing.span(f"invoke_agent {ASSESSOR}", agent_attributes(ASSESSOR)):
        return _answer(config, llm, messages, kinds)


def _answer(config: CrewConfig, llm: Any, messages: list[dict[str, Any]], kinds: list[str]) -> LeanAnswer:
    """The model's answer, with one repair call when it cannot be used."""
    text = str(llm.call(messages))
    try:
        return parse_answer(text, config.settings, kinds)
    except LeanAnswerError as exc:
        messages += [{"role": "assistant", "content": text},
                     {"role": "user", "content": f"That answer cannot be used: {exc}. Answer again with the one "
                                                 "JSON object only."}]
    return parse_answer(str(llm.call(messages)), config.settings, kinds)


def _plan(config: CrewConfig, session: InteractionSession, answer: LeanAnswer) -> None:
    """The action agent's plan, by the same rules the full crew's action agent follows."""
    settings = config.settings
    a = session.assessment
    assert a is not None
    if a.intent == "spam":
        return          # spam changes nothing in the CRM, whoever sent it
    contact = session.match.contact if session.match else None
    changes: list[dict[str, Any]] = [{"type": "create_contact"}] if contact is None else []
    changes.append({"type": "log_activity"})
    if a.intent in settings.actions.case_intents or a.urgency in settings.actions.case_urgencies:
        changes.append({"type": "create_case", "reason": f"{a.intent}, urgency {a.urgency}"})
    changes += [{"type": "create_task", "kind": kind, "note": f"The customer asked for a {kind}."}
                for kind in answer.task_kinds]
    target = settings.actions.lead_status.get(a.intent)
    if target and (contact is None or contact.lead_status != target):
        changes.append({"type": "update_lead_status", "status": target})
    if a.intent == "unsubscribe" and not (contact and contact.opted_out):
        changes.append({"type": "opt_out"})
    plan_changes(config, session, changes)


def plan_changes(config: CrewConfig, session: InteractionSession, changes: list[dict[str, Any]]) -> None:
    """Plan `changes` ({"type": ..., args}) as the agent granted plan_changes, or, with an agents.yaml from
    before it, through the one-change tools (plan_<type>)."""
    if call_tool(config, session, "plan_changes", changes=changes) is not None:
        return
    contact = session.match.contact if session.match else None
    for change in changes:
        if change["type"] != "create_contact" and contact is None and not session.plan.has("create_contact"):
            return
        args = {k: v for k, v in change.items() if k != "type"}
        call_tool(config, session, f"plan_{change['type']}", **args)

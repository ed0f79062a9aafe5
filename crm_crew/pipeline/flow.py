"""One interaction, end to end: screen → crew → escalation rules → (apply) → result record."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.base import Connector
from crm_crew.errors import CrmUnavailableError
from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.apply import Applier
from crm_crew.pipeline.escalation import Facts, escalation_reason
from crm_crew.pipeline.matching import normalize_email
from crm_crew.pipeline.replies import ReplyTemplates
from crm_crew.pipeline.session import InteractionSession
from crm_crew.security.screen import screen
from crm_crew.store.base import ActionRow, Store
from crm_crew.store.records import compose_record
from crm_crew.tools.spec import ToolContext

NO_ASSESSMENT = "The crew did not complete its assessment."
ZERO_USAGE = {"calls": 0, "input_tokens": 0, "output_tokens": 0}


@dataclass
class RunContext:
    run_id: str
    config: CrewConfig
    connector: Connector
    store: Store
    replies: ReplyTemplates
    applier: Applier | None = None        # set when the run applies its plan
    model_override: str | None = None


def _base_record(interaction_id: str, status: str) -> dict[str, Any]:
    return {
        "interaction_id": interaction_id, "status": status,
        "contact": {"id": None, "email": None, "match": "none"},
        "intent": None, "sentiment": None, "urgency": None, "confidence": None,
        "actions": [], "reply": None, "escalation": None,
        "security": {"injection": False, "pii_redacted": [], "flags": []},
        "llm": dict(ZERO_USAGE), "duration_ms": 0, "error": None,
    }


def rejected_record(reject: Reject) -> dict[str, Any]:
    record = _base_record(reject.interaction_id or f"{reject.source}#{reject.position}", "rejected")
    record.update(error=reject.reason, source=reject.source, position=reject.position)
    return record


def process_interaction(ctx: RunContext, interaction: Interaction) -> tuple[dict[str, Any], Reject | None]:
    """Run the crew on one interaction and journal its result; returns the record and any reject."""
    started = time.perf_counter()
    settings = ctx.config.settings
    screened = screen(interaction, settings.security, settings.limits)
    session = InteractionSession(interaction, screened, settings, ctx.connector, ctx.replies)
    record = _base_record(interaction.id, "processed")
    record.update(source=interaction.source, position=interaction.position, channel=interaction.channel)
    usage = dict(ZERO_USAGE)
    try:
        from crm_crew.crew.builder import build_crew

        built = build_crew(ctx.config, "interaction", ToolContext("coordinator", session), ctx.model_override)
        try:
            built.crew.kickoff(inputs=session.task_inputs())
        finally:
            usage = built.usage()
        if session.crm_error is not None:
            raise session.crm_error
    except CrmUnavailableError:
        raise  # credentials rejected, daily limit, CRM gone: nothing else can succeed
    except Exception as exc:  # one failed interaction never stops the batch
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}", llm=usage,
                      duration_ms=int((time.perf_counter() - started) * 1000))
        ctx.store.save_result(ctx.run_id, record, [])
        return record, Reject(interaction.source, interaction.position, record["error"], interaction.id)

    rows = _finish(ctx, session, record)
    record["llm"] = usage
    record["duration_ms"] = int((time.perf_counter() - started) * 1000)
    review = review_context(session, record) if record["status"] == "escalated" else None
    ctx.store.save_result(ctx.run_id, record, rows, review)
    if ctx.applier is not None and record["status"] == "processed":
        ctx.applier.apply_interaction(rows)
    return compose_record({k: v for k, v in record.items() if k != "actions"}, rows), None


def review_context(session: InteractionSession, record: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer sees: the interaction as screened (PII redacted), the crew's reasoning, the draft."""
    it = session.interaction
    a = session.assessment
    return {
        "interaction": {"id": it.id, "channel": it.channel, "sender_email": it.sender_email,
                        "sender_name": it.sender_name, "received_at": it.received_at, "source": it.source,
                        "position": it.position, "subject": session.screen.subject, "body": session.screen.body},
        "reasoning": {"escalation_reason": (record.get("escalation") or {}).get("reason"),
                      "intent": record.get("intent"), "urgency": record.get("urgency"),
                      "sentiment": record.get("sentiment"), "confidence": record.get("confidence"),
                      "rationale": a.rationale if a else "", "contact": record.get("contact"),
                      "security": record.get("security"), "tools_used": list(session.tool_calls)},
        "reply": session.reply,
    }


def _finish(ctx: RunContext, session: InteractionSession, record: dict[str, Any]) -> list[ActionRow]:
    """Fill the record from the session, apply the escalation rules, return the action rows."""
    settings = ctx.config.settings
    it = session.interaction
    a = session.assessment
    match = session.match
    created = session.plan.has("create_contact")
    record["contact"] = {
        "id": match.contact.id if match and match.contact else None,
        "email": normalize_email(it.sender_email, settings.matching.strip_plus_tags),
        "match": match.how if match and match.contact else ("created" if created else "none"),
    }
    record["security"] = session.screen.record()
    record["reply"] = session.reply
    if a is not None:
        record.update(intent=a.intent, urgency=a.urgency, confidence=a.confidence,
                      sentiment={"label": a.sentiment_label, "score": a.sentiment_score})
        reason = escalation_reason(Facts(a.intent, a.urgency, a.sentiment_label, session.tier,
                                         tuple(session.screen.flags), a.confidence), settings.escalation)
    else:
        reason = NO_ASSESSMENT
    if reason is None and session.screen.injection:
        reason = "The security screen flagged a prompt-injection attempt."
    if reason:
        record["status"] = "escalated"
        record["escalation"] = {"reason": reason}
    rows = []
    for seq, action in enumerate(session.plan.actions, start=1):
        status, note = ("held", f"held for review: {reason}") if reason else ("planned", None)
        rows.append(ActionRow(ctx.run_id, it.id, seq, action.type, action.object, action.fields,
                              action.idempotency_key, action.agent, action.record_id, action.contact_ref,
                              status, note, action.expected))
    return rows

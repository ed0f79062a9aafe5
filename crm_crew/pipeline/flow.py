"""One interaction, end to end: screen → crew → escalation rules → (apply) → result record."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_crew.config.loader import CrewConfig
from crm_crew.connectors.base import Connector
from crm_crew.errors import CrmUnavailableError, StorageError, UserError
from crm_crew.llm.factory import make_llm, provider_of
from crm_crew.llm.failures import model_api_failed, model_auth_failed
from crm_crew.llm.meter import Meter
from crm_crew.llm.prompt_cache import CachePrimer, Primed
from crm_crew.mail.reply_policy import plan_reply
from crm_crew.models import Interaction, Reject
from crm_crew.observability import tracing
from crm_crew.observability.metrics_stages import timed
from crm_crew.observability.tracing_crewai import close_under
from crm_crew.observability.tracing_names import WORKFLOW, outcome_attributes, workflow_attributes
from crm_crew.pipeline.apply import Applier
from crm_crew.pipeline.automated import handle_automated
from crm_crew.pipeline.batch_answers import BatchAnswers
from crm_crew.pipeline.duplicates import fingerprint
from crm_crew.pipeline.escalation import Facts, escalation_reason
from crm_crew.pipeline.lean import ASSESSOR, read_sender, run_lean
from crm_crew.pipeline.replies import ReplyTemplates
from crm_crew.pipeline.routing import FULL, LEAN, route_models, tasks_done_in_code
from crm_crew.pipeline.session import InteractionSession
from crm_crew.security.addresses import identity_address
from crm_crew.security.pii import redact
from crm_crew.security.screen import ScreenResult, screen
from crm_crew.storage import is_storage_failure, storage_error
from crm_crew.store.base import ActionRow, Store
from crm_crew.store.records import compose_record
from crm_crew.tools.spec import ToolContext
from crm_crew.triage.automated import Automated, automated_mail
from crm_crew.triage.language import detect_language

NO_ASSESSMENT = "The crew did not complete its assessment."
MODEL_DOWN = "The model API was unavailable: the offline model handled this interaction; check it before applying."
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
    home: Path | None = None              # the state folder (the model response cache lives there)
    run_meter: Meter = field(default_factory=Meter)   # the whole run's model usage (the token budget)
    max_tokens: int | None = None         # the run's token budget; None: no budget
    started_at: str | None = None         # when the run started (ISO): task due dates count from it
    batch: BatchAnswers | None = None     # a --batch run: the lean route's answers from Message Batches
    primer: CachePrimer = field(default_factory=CachePrimer)   # the first lean request goes alone

    def budget_spent(self) -> bool:
        return self.max_tokens is not None and self.run_meter.paid_tokens >= self.max_tokens


@dataclass
class Worked:
    session: InteractionSession
    route: str
    route_reason: str


def _base_record(interaction_id: str, status: str) -> dict[str, Any]:
    return {
        "interaction_id": interaction_id, "status": status,
        "contact": {"id": None, "email": None, "match": "none"},
        "intent": None, "sentiment": None, "urgency": None, "confidence": None, "language": None,
        "actions": [], "reply": None, "escalation": None,
        "security": {"injection": False, "pii_redacted": [], "flags": []},
        "route": None, "route_reason": None,
        "llm": dict(ZERO_USAGE), "duration_ms": 0, "error": None,
    }


def rejected_record(reject: Reject) -> dict[str, Any]:
    record = _base_record(reject.interaction_id or f"{reject.source}#{reject.position}", "rejected")
    record.update(error=reject.reason, source=reject.source, position=reject.position)
    return record


def process_interaction(ctx: RunContext, interaction: Interaction) -> tuple[dict[str, Any], Reject | None]:
    """Route one interaction, work it, and journal its result; returns the record and any reject."""
    with tracing.span(f"invoke_workflow {WORKFLOW}",
                      workflow_attributes(ctx.run_id, interaction.id, interaction.channel)) as workflow:
        record, reject = _process(ctx, interaction)
        workflow.set_attributes(outcome_attributes(record))
        if record["status"] == "failed":
            tracing.fail(workflow, "interaction_failed")
        tracing.content(workflow, "crm_crew.subject", record.get("subject"))
        return record, reject


def _process(ctx: RunContext, interaction: Interaction) -> tuple[dict[str, Any], Reject | None]:
    started = time.perf_counter()
    settings = ctx.config.settings
    with timed("screen"):
        screened = screen(interaction, settings.security, settings.limits)
    meter = Meter(parent=ctx.run_meter, prices=ctx.run_meter.prices)
    record = _base_record(interaction.id, "processed")
    record.update(source=interaction.source, position=interaction.position, channel=interaction.channel,
                  fingerprint=fingerprint(interaction), subject=screened.subject)   # as screened: PII redacted
    if screened.extra_fields:
        record["extra_fields"] = screened.extra_fields
    override, fallback = ctx.model_override, None
    if override != "offline" and ctx.budget_spent():
        override, fallback = "offline", "budget"
    try:
        try:
            worked = _work(ctx, interaction, screened, meter, override)
        except CrmUnavailableError:
            raise
        except Exception as exc:
            if override == "offline" or not model_api_failed(exc):
                raise
            if model_auth_failed(exc):
                raise UserError(f"the Anthropic API refused the key in {settings.llm.anthropic.api_key_env}: "
                                f"check it ({type(exc).__name__})") from exc
            fallback = "model_unavailable"
            worked = _work(ctx, interaction, screened, meter, "offline")
    except (CrmUnavailableError, UserError, StorageError):
        raise  # credentials rejected, daily limit, CRM gone, state folder unwritable: nothing else can succeed
    except Exception as exc:  # one failed interaction never stops the batch
        if is_storage_failure(exc):
            raise storage_error(exc) from exc
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}", llm=_usage(meter, fallback),
                      duration_ms=int((time.perf_counter() - started) * 1000))
        ctx.store.save_result(ctx.run_id, record, [])
        return record, Reject(interaction.source, interaction.position, record["error"], interaction.id)

    session = worked.session
    record.update(route=worked.route, route_reason=worked.route_reason)
    rows = _finish(ctx, session, record, MODEL_DOWN if fallback == "model_unavailable" else None)
    record["llm"] = _usage(meter, fallback)
    record["duration_ms"] = int((time.perf_counter() - started) * 1000)
    review = review_context(session, record) if record["status"] == "escalated" else None
    ctx.store.save_result(ctx.run_id, record, rows, review)
    if ctx.applier is not None and any(row.status == "planned" for row in rows):
        ctx.applier.apply_interaction(rows)   # held actions stay held
    return compose_record({k: v for k, v in record.items() if k != "actions"}, rows), None


def _usage(meter: Meter, fallback: str | None) -> dict[str, Any]:
    return {**meter.snapshot(), "fallback": fallback}


def new_session(ctx: RunContext, interaction: Interaction, screened: ScreenResult) -> InteractionSession:
    language = detect_language(f"{screened.subject}\n{screened.body}")
    return InteractionSession(interaction, screened, ctx.config.settings, ctx.connector, ctx.replies,
                              language=language, run_started_at=ctx.started_at)


def handled_in_code(interaction: Interaction, screened: ScreenResult) -> Automated | None:
    """Automated mail (bounces, auto-replies...) without a security flag: handled with no model call."""
    automated = automated_mail(interaction)
    return automated if automated is not None and not screened.flags else None


def _work(ctx: RunContext, interaction: Interaction, screened: ScreenResult, meter: Meter,
          override: str | None) -> Worked:
    """The lean route when routing is on and it suffices, else the full hierarchical crew."""
    config = ctx.config
    settings = config.settings
    session = new_session(ctx, interaction, screened)
    automated = handled_in_code(interaction, screened)
    if automated is not None:
        handle_automated(config, session, automated)
        return Worked(session, LEAN, f"{automated.kind}: handled in code, no model call")
    reason = "routing is off"
    if settings.routing.enabled:
        model = route_models(config, LEAN, override)[ASSESSOR]
        llm = make_llm(model, settings, meter, ctx.home)
        if ctx.batch is not None and provider_of(model) == "anthropic":
            llm = ctx.batch.llm_for(llm, interaction.id, meter)
        elif provider_of(model) == "anthropic":
            llm = Primed(llm, ctx.primer)   # the run's first lean request writes the prompt cache alone
        with timed("lean_call"):
            result = run_lean(config, session, llm, model)
        if result.to_full is None:
            return Worked(session, LEAN, "routine")
        reason, session = result.to_full, new_session(ctx, interaction, screened)
    from crm_crew.crew.builder import LlmSource, build_crew

    read_sender(config, session)
    if session.crm_error is not None:
        raise session.crm_error
    crew = build_crew(config, "interaction", ToolContext("coordinator", session),
                      LlmSource(meter, route_models(config, FULL, override), ctx.home), tasks_done_in_code(config))
    try:
        with timed("crew"):
            crew.kickoff(inputs=session.task_inputs())
    finally:
        close_under(tracing.current_span())
    if session.crm_error is not None:
        raise session.crm_error
    return Worked(session, FULL, reason)


def review_context(session: InteractionSession, record: dict[str, Any]) -> dict[str, Any]:
    """What a reviewer sees: the interaction as screened (PII redacted), the crew's reasoning, the draft."""
    it = session.interaction
    a = session.assessment
    return {
        "interaction": {"id": it.id, "channel": it.channel, "sender_email": it.sender_email,
                        "sender_name": session.display_name, "received_at": it.received_at, "source": it.source,
                        "position": it.position, "subject": session.screen.subject, "body": session.screen.body,
                        "extra_fields": session.screen.extra_fields,
                        **_attachments_view(it.metadata, session.settings.security.redact)},
        "reasoning": {"escalation_reason": (record.get("escalation") or {}).get("reason"),
                      "intent": record.get("intent"), "urgency": record.get("urgency"),
                      "sentiment": record.get("sentiment"), "confidence": record.get("confidence"),
                      "rationale": a.rationale if a else "", "contact": record.get("contact"),
                      "security": record.get("security"), "tools_used": list(session.tool_calls),
                      "matched_contact": _other_contact(session)},
        "reply": session.reply,
    }


def _attachments_view(metadata: dict[str, Any], kinds: Any) -> dict[str, Any]:
    """The mail's attachments as a reviewer sees them: names (personal data redacted), types and sizes."""
    listed = [a for a in metadata.get("attachments") or [] if isinstance(a, dict)]
    if not listed:
        return {}
    shown = [{"name": redact(str(a.get("name") or ""), kinds)[0], "type": str(a.get("type") or ""),
              "size": a.get("size") if isinstance(a.get("size"), int) else None} for a in listed]
    return {"attachments": shown, "attachments_count": int(metadata.get("attachments_count") or len(shown))}


def _other_contact(session: InteractionSession) -> dict[str, Any] | None:
    """The contact a fuzzy or look-alike match linked, whose address is not the sender's (for the reviewer)."""
    match = session.match
    if match is None or match.contact is None or match.how == "email":
        return None
    c = match.contact
    return {"id": c.id, "name": c.full_name, "email": c.email, "match": match.how}


def _finish(ctx: RunContext, session: InteractionSession, record: dict[str, Any],
            forced_reason: str | None = None) -> list[ActionRow]:
    """Fill the record from the session, apply the escalation rules, return the action rows."""
    settings = ctx.config.settings
    it = session.interaction
    a = session.assessment
    match = session.match
    created = session.plan.has("create_contact")
    record["contact"] = {
        "id": match.contact.id if match and match.contact else None,
        "email": identity_address(it.sender_email, settings.matching.strip_plus_tags),
        "match": match.how if match and match.contact else ("created" if created else "none"),
    }
    record["security"] = session.security_record()
    record["language"] = session.language
    record["reply"] = session.reply
    record["tools_used"] = list(session.tool_calls)
    if a is not None:
        record.update(intent=a.intent, urgency=a.urgency, confidence=a.confidence,
                      sentiment={"label": a.sentiment_label, "score": a.sentiment_score})
        reason = escalation_reason(Facts(a.intent, a.urgency, a.sentiment_label, session.tier,
                                         tuple(session.screen.flags), a.confidence), settings.escalation)
    else:
        reason = NO_ASSESSMENT
    if reason is None and session.screen.injection:
        reason = "The security screen flagged a prompt-injection attempt."
    reason = forced_reason or reason
    record["reply_out"] = plan_reply(session)
    holds = list(dict.fromkeys(a.hold for a in session.plan.actions if a.hold))
    if reason or holds:
        record["status"] = "escalated"
        record["escalation"] = {"reason": "; ".join(([reason] if reason else []) + holds)}
    rows = []
    for seq, action in enumerate(session.plan.actions, start=1):
        held_for = "; ".join(r for r in (reason, action.hold) if r)
        status, note = ("held", f"held for review: {held_for}") if held_for else ("planned", None)
        rows.append(ActionRow(ctx.run_id, it.id, seq, action.type, action.object, action.fields,
                              action.idempotency_key, action.agent, action.record_id, action.contact_ref,
                              status, note, action.expected))
    return rows

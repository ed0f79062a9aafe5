"""Communication-agent tools: sentiment, the recorded assessment, reply drafting and checking."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm_crew.pipeline.replies import check_reply, render_reply
from crm_crew.pipeline.sentiment import score_sentiment
from crm_crew.pipeline.session import Assessment, InteractionSession
from crm_crew.tools.spec import NoArgs, ToolContext, ToolSpec


class SentimentArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field("", description="Text to score; empty scores the interaction's subject and body")


class AssessmentArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    intent: str = Field(..., description="One intent from the configured taxonomy")
    urgency: str = Field(..., description="One of the configured urgency levels")
    sentiment: str = Field(..., description="positive | neutral | negative")
    sentiment_score: float = Field(..., ge=-1.0, le=1.0)
    confidence: float = Field(..., ge=0.0, le=1.0, description="How sure you are of the intent and urgency")
    rationale: str = Field("", description="One sentence: why")
    reply_subject: str = Field("", description="Your reply draft's subject; leave both reply fields empty to "
                                                "send the configured template for the intent")
    reply_body: str = Field("", description="Your reply draft in the customer's language; a draft that fails "
                                             "the reply check gives way to the template")


class ReplyArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: str
    body: str


def _score(ctx: ToolContext, args: SentimentArgs) -> dict[str, Any]:
    session = ctx.require_session()
    text = args.text or f"{session.screen.subject}\n{session.screen.body}"
    label, score = score_sentiment(text)
    return {"label": label, "score": score, "model": "vader lexicon"}


def _record(ctx: ToolContext, args: AssessmentArgs) -> dict[str, Any]:
    session = ctx.require_session()
    settings = session.settings
    problems = []
    if args.intent not in settings.intents:
        problems.append(f"intent '{args.intent}' is not in the taxonomy: {', '.join(settings.intents)}")
    if args.urgency not in settings.urgency.levels:
        problems.append(f"urgency '{args.urgency}' is not one of {', '.join(settings.urgency.levels)}")
    if args.sentiment not in ("positive", "neutral", "negative"):
        problems.append("sentiment must be positive, neutral or negative")
    if problems:
        return {"recorded": False, "problems": problems}
    session.assessment = Assessment(args.intent, args.urgency, args.sentiment, args.sentiment_score,
                                    args.confidence, args.rationale[:300])
    draft = {"subject": args.reply_subject, "body": args.reply_body} if args.reply_body else None
    return {"recorded": True, "assessment": vars(session.assessment).copy(), **_settle_reply(session, draft)}


def _settle_reply(session: InteractionSession, draft: dict[str, str] | None) -> dict[str, Any]:
    """The agent's draft when it passes the reply check, else the intent's template (or none for it)."""
    problems = check_reply(draft["subject"], draft["body"], session.assessment.intent) if draft else []
    if draft is not None and not problems:
        session.reply = draft
        return {"reply": "your draft"}
    template = _template(session)
    if template is not None and not check_reply(template["subject"], template["body"], session.assessment.intent):
        session.reply = template
    why = f"your draft was not used: {'; '.join(problems)}; " if problems else ""
    return {"reply": f"{why}{'the template' if session.reply else session.reply_declined or 'none'}"}


def _template(session: InteractionSession) -> dict[str, str] | None:
    a = session.assessment
    assert a is not None
    contact = session.match.contact if session.match else None
    first_name = (contact.first_name if contact else "") or (session.sender.first_name if session.sender else "")
    draft = render_reply(session.replies, a.intent, {
        "first_name": first_name or "there",
        "subject": session.screen.subject or "your message",
        "intent": a.intent, "urgency": a.urgency, "sentiment": a.sentiment_label,
        "tier": session.tier, "company": contact.company if contact else (session.sender.company if session.sender else ""),
        "attachments": (session.attachments or {}).get("count", 0),
    }, session.language)
    if draft is None:
        session.reply_declined = f"no reply is sent for intent '{a.intent}'"
    return draft


def _render(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    session = ctx.require_session()
    if session.assessment is None:
        return {"error": "record the assessment first"}
    draft = _template(session)
    if draft is None:
        return {"reply": None, "reason": session.reply_declined}
    return {"reply": draft}


def _submit(ctx: ToolContext, args: ReplyArgs) -> dict[str, Any]:
    session = ctx.require_session()
    intent = session.assessment.intent if session.assessment else "other"
    problems = check_reply(args.subject, args.body, intent)
    if problems:
        return {"accepted": False, "problems": problems}
    session.reply = {"subject": args.subject, "body": args.body}
    return {"accepted": True}


SPECS = [
    ToolSpec("score_sentiment", "Lexicon sentiment of a text: label and score in -1..1.", SentimentArgs, _score),
    ToolSpec("record_assessment", "Record the interaction's intent, urgency, sentiment and your confidence, "
             "and your reply draft (checked; the template replaces a draft that fails the check). This is your "
             "answer: call it once, with everything.", AssessmentArgs, _record, final=True),
    ToolSpec("render_reply_template", "Render the reply template for the recorded intent, in the right tone; "
             "returns null when this intent gets no reply.", NoArgs, _render),
    ToolSpec("submit_reply", "Check a reply draft (no redacted data echoed, no sales content in an "
             "unsubscribe confirmation, sane length) and record it.", ReplyArgs, _submit),
]

"""The offline model's policy: given a ReAct conversation, the next step.

A manager delegates its task to the task's coworker, then answers with what came back. Given a roster (a
task without an agent), it chooses: each decision the task still lacks (the assessment, then the plan) goes
to the first coworker whose tools make it, and it answers when none is left.
A worker walks one playbook, calling each of its own tools when the step applies, with
arguments drawn from the attached case file and earlier observations, then gives a final answer
summarizing them (a decision tool's result is the answer itself: crewai stops the worker there).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from crm_crew.llm.crew_prompts import read_case, read_roster
from crm_crew.llm.offline.rules import Judgement, judge
from crm_crew.llm.offline.transcript import DELEGATE, Transcript

Step = tuple[str, dict[str, Any]]
PLAN_TOOLS = ("plan_create_contact", "plan_log_activity", "plan_create_case", "plan_create_task",
              "plan_update_lead_status", "plan_opt_out")
# (the decision, the tools that make it, what the manager asks, what shows it made in an answer)
DECISIONS: tuple[tuple[str, frozenset[str], str, tuple[str, ...]], ...] = (
    ("assessment", frozenset({"record_assessment"}),
     "Assess this interaction: record its intent, urgency, sentiment and your confidence, and the reply.",
     ('"recorded": true',)),
    ("plan", frozenset({"plan_changes", *PLAN_TOOLS}),
     "Plan this interaction's CRM changes from the recorded assessment.",
     ('"plan": [', *(f'"{name}":' for name in PLAN_TOOLS))),
)


def decide(t: Transcript, settings: Any) -> str:
    """The next step as ReAct text."""
    step = plan(t, settings)
    if isinstance(step, str):
        return f"Thought: I now know the final answer\nFinal Answer: {step}"
    name, args = step
    thought = f"this is work for the {args['coworker']}" if name == DELEGATE else f"next, {name}"
    return f"Thought: {thought}.\nAction: {name}\nAction Input: {json.dumps(args)}"


def plan(t: Transcript, settings: Any) -> Step | str:
    """The next step, whatever the protocol: a tool call `(name, args)`, or the final answer's text."""
    if t.is_manager:
        return _manage(t)
    step = next_step(t, settings)
    return _worker_answer(t) if step is None else step


def _manage(t: Transcript) -> Step | str:
    done = [c for c in t.calls if c.name == DELEGATE]
    team = read_roster(t.task)
    if not team:                    # the task names its agent: the one coworker
        if done:
            return done[-1].observation
        coworker = t.coworkers[0] if t.coworkers else ""
        return DELEGATE, {"task": t.task, "context": t.context or "Use your tools to read the interaction.",
                          "coworker": coworker}
    asked = {str(c.args.get("coworker", "")) for c in done}
    answers = [c.observation for c in done]
    for _, tools, ask, made in DECISIONS:
        if any(mark in text for text in [t.context, *answers] for mark in made):
            continue
        who = next((role for role, has in team.items() if has & tools and role not in asked), None)
        if who is not None:
            return DELEGATE, {"task": ask, "context": "\n".join(answers) or "The case file is attached.",
                              "coworker": who}
    return "\n".join(answers) or "No coworker could make this task's decisions."


def _judgement(t: Transcript, settings: Any) -> Judgement:
    it = _case_file(t).get("interaction") or {}
    return judge(str(it.get("subject", "")), str(it.get("body", "")), settings, it.get("language"))


def _assessment_args(t: Transcript, settings: Any) -> dict[str, Any]:
    j = _judgement(t, settings)
    sentiment = t.last("score_sentiment") or _case_file(t).get("sentiment_lexicon") or {}
    return {
        "intent": j.intent.intent,
        "urgency": j.urgency,
        "sentiment": sentiment.get("label", "neutral"),
        "sentiment_score": sentiment.get("score", 0.0),
        "confidence": j.intent.confidence,
        "rationale": j.rationale,
    }


def _attached(t: Transcript) -> dict[str, Any] | None:
    return read_case(t.context) or read_case(t.task)


def _case_file(t: Transcript) -> dict[str, Any]:
    return t.last("read_interaction") or _attached(t) or {}


def _assessment(t: Transcript) -> dict[str, Any]:
    return _case_file(t).get("assessment") or {}


def _has_contact(t: Transcript, creates: bool = False) -> bool:
    """`creates`: the plan being written includes a new contact (plan_changes plans it in the same call)."""
    return bool(_case_file(t).get("contact")) or creates or t.last("plan_create_contact").get("planned", False)


def _playbook(t: Transcript, settings: Any, creates: bool = False,
              one_call: bool = True) -> list[tuple[str, Callable[[], dict[str, Any] | None]]]:
    """Ordered (tool, args-or-None) steps; None means the step does not apply. `one_call`: a worker with
    plan_changes plans every change in one call instead of one tool call per change."""
    known = _attached(t) is not None      # the case file came with the task: nothing to read first
    def contact_args() -> dict[str, Any]:
        it = _case_file(t).get("interaction") or {}
        sender = t.last("extract_signature")
        return {"email": it.get("sender_email", ""), "name": sender.get("full_name", ""), "company": sender.get("company", "")}

    def history_args() -> dict[str, Any] | None:
        found = t.last("find_contact")
        return {"contact_id": found["contact"]["id"]} if found.get("found") else None

    def reply_args() -> dict[str, Any] | None:
        reply = t.last("render_reply_template").get("reply")
        return dict(reply) if isinstance(reply, dict) else None

    def create_contact_args() -> dict[str, Any] | None:
        cf = _case_file(t)
        if cf.get("contact") or (cf.get("interaction") or {}).get("automated_sender"):
            return None
        if _assessment(t).get("intent") in (None, "spam"):
            return None
        return {}

    def when(condition: bool, args: dict[str, Any] | None = None) -> dict[str, Any] | None:
        return (args or {}) if condition else None

    a = _assessment(t)
    intent, urgency = a.get("intent", ""), a.get("urgency", "")
    contact = _case_file(t).get("contact") or {}
    target_status = settings.actions.lead_status.get(intent)
    steps: list[tuple[str, Callable[[], dict[str, Any] | None]]] = [
        ("get_screening_report", dict),
        ("read_interaction", lambda: None if known else {}),
        ("extract_signature", dict),
        ("find_contact", contact_args),
        ("get_contact_history", history_args),
        ("score_sentiment", lambda: None if "sentiment_lexicon" in _case_file(t) else {}),
        ("record_assessment", lambda: _assessment_args(t, settings) if _case_file(t).get("interaction") else None),
        ("render_reply_template", lambda: when(t.last("record_assessment").get("recorded", False))),
        ("submit_reply", reply_args),
        ("plan_create_contact", create_contact_args),
        ("plan_log_activity", lambda: when(_has_contact(t, creates) and intent != "spam")),   # spam changes nothing
        ("plan_create_case", lambda: when(_has_contact(t, creates) and intent != "spam" and (intent in settings.actions.case_intents or urgency in settings.actions.case_urgencies),
                                          {"reason": f"{intent}, urgency {urgency}"})),
    ]
    def task_args(kind: str) -> Callable[[], dict[str, Any] | None]:
        return lambda: {"kind": kind, "note": f"The customer asked for a {kind}."}

    for kind in _judgement(t, settings).task_kinds if _has_contact(t, creates) and intent != "spam" else []:
        steps.append(("plan_create_task", task_args(kind)))
    steps += [
        ("plan_update_lead_status", lambda: when(_has_contact(t, creates) and bool(target_status) and contact.get("lead_status") != target_status,
                                                 {"status": target_status})),
        ("plan_opt_out", lambda: when(_has_contact(t, creates) and intent == "unsubscribe" and not contact.get("opted_out"))),
    ]
    if one_call and "plan_changes" in t.tools:
        steps = [s for s in steps if s[0] not in PLAN_TOOLS]
        steps.append(("plan_changes", lambda: _all_changes(t, settings)))
    steps.append(("run_statistics", dict))
    return steps


def _all_changes(t: Transcript, settings: Any) -> dict[str, Any]:
    """The one-change steps of the playbook as one plan_changes call."""
    creating = dict(_playbook(t, settings, one_call=False))["plan_create_contact"]() is not None
    changes = []
    for name, make_args in _playbook(t, settings, creates=creating, one_call=False):
        args = make_args() if name in PLAN_TOOLS else None
        if args is not None:
            changes.append({"type": name.removeprefix("plan_"), **args})
    return {"changes": changes}


def next_step(t: Transcript, settings: Any) -> Step | None:
    available = set(t.tools)
    for name, make_args in _playbook(t, settings):
        if name not in available:
            continue
        args = make_args()
        if args is None or t.called(name, args if name == "plan_create_task" else None):
            continue
        return name, args
    return None


def _worker_answer(t: Transcript) -> str:
    if t.called("run_statistics"):
        return run_report(t.last("run_statistics"))
    summary = {c.name: c.result() or c.observation[:200] for c in t.calls}
    return json.dumps(summary, sort_keys=True) if summary else "Nothing to do with my tools for this task."


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def run_report(stats: dict[str, Any]) -> str:
    """The analytics agent's report, from the run's figures."""
    total = stats.get("interactions", 0)
    if not total:
        return "No interactions were processed in this run."
    by_status = stats.get("by_status", {})
    intents = {k: v for k, v in stats.get("by_intent", {}).items() if v}
    escalations = stats.get("escalation_reasons", {})
    negative = stats.get("by_sentiment", {}).get("negative", 0)
    lines = [f"{_count(total, 'interaction', 'interactions')}: "
             + ", ".join(f"{v} {k}" for k, v in sorted(by_status.items())) + "."]
    if intents:
        top_intent = max(intents, key=intents.__getitem__)
        lines.append(f"Most common intent: {top_intent} ({intents[top_intent]}).")
    else:
        lines.append("No intent was assessed (no record was worked).")
    lines += [
        f"Negative sentiment in {negative} of {total} ({100 * negative // total}%).",
        f"Model calls: {stats.get('llm_calls', 0)}, tokens: {stats.get('tokens', 0)}, p95 latency {stats.get('latency_p95_ms', 0)} ms.",
    ]
    insights = []
    if escalations:
        reason = max(escalations, key=escalations.get)
        waiting = sum(escalations.values())
        insights.append(f"{_count(waiting, 'escalation waits', 'escalations wait')} for review; "
                        f"the main reason is '{reason}'.")
    if intents.get("complaint", 0):
        insights.append(f"{_count(intents['complaint'], 'complaint', 'complaints')} opened cases: "
                        "check them before their SLA runs out.")
    if stats.get("rejected", 0) or by_status.get("failed", 0):
        insights.append("Some records were rejected or failed: see the run's rejects file.")
    opt_outs, requests = stats.get("opt_outs", 0), intents.get("unsubscribe", 0)
    if opt_outs or requests:
        was = "was" if opt_outs == 1 else "were"
        insights.append(f"{_count(opt_outs, 'opt-out', 'opt-outs')} {was} recorded "
                        f"(from {_count(requests, 'unsubscribe request', 'unsubscribe requests')}): "
                        f"suppress {'it' if opt_outs == 1 else 'them'} in the next campaign.")
    if intents.get("sales_inquiry", 0):
        insights.append(f"{_count(intents['sales_inquiry'], 'sales inquiry', 'sales inquiries')} moved leads to "
                        "Working: assign owners today.")
    return " ".join(lines) + " Insights: " + " ".join(insights[:3] or ["Nothing unusual in this run."])

"""The offline model's answer to a lean-route request: the same triage as its crew playbook."""

from __future__ import annotations

import json
from typing import Any

from crm_crew.llm.lean_protocol import read_case
from crm_crew.llm.offline.rules import judge


def answer_lean(prompt: str, settings: Any) -> str:
    case = read_case(prompt)
    message = case.get("interaction") or {}
    j = judge(str(message.get("subject", "")), str(message.get("body", "")), settings, message.get("language"))
    lexicon = case.get("sentiment_lexicon") or {}
    return json.dumps({
        "intent": j.intent.intent,
        "urgency": j.urgency,
        "sentiment": lexicon.get("label", "neutral"),
        "sentiment_score": lexicon.get("score", 0.0),
        "confidence": j.intent.confidence,
        "rationale": j.rationale,
        "task_kinds": [k for k in j.task_kinds if k in settings.actions.task_triggers],
        "reply": None,
    })

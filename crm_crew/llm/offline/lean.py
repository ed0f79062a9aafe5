"""The offline model's answer to a lean-route request: the same keyword rules as its crew playbook."""

from __future__ import annotations

import json
from typing import Any

from crm_crew.llm.lean_protocol import read_case
from crm_crew.llm.offline.rules import classify_intent, classify_urgency, requested_task_kinds


def answer_lean(prompt: str, settings: Any) -> str:
    case = read_case(prompt)
    message = case.get("interaction") or {}
    text = f"{message.get('subject', '')}\n{message.get('body', '')}"
    guess = classify_intent(text, settings)
    lexicon = case.get("sentiment_lexicon") or {}
    hits = ", ".join(f"{k}={v}" for k, v in guess.hits.items() if v)
    return json.dumps({
        "intent": guess.intent,
        "urgency": classify_urgency(text, settings),
        "sentiment": lexicon.get("label", "neutral"),
        "sentiment_score": lexicon.get("score", 0.0),
        "confidence": guess.confidence,
        "rationale": f"keyword hits: {hits}" if hits else "no taxonomy keyword matched",
        "task_kinds": [k for k in requested_task_kinds(text, settings) if k in (case.get("task_kinds") or [])],
        "reply": None,
    })

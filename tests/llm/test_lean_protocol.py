"""The lean route's answer format: what is accepted, and what is refused with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crm_crew.config.loader import load_config
from crm_crew.llm.lean_protocol import LeanAnswerError, case_message, parse_answer, read_case
from crm_crew.llm.offline.lean import answer_lean

SETTINGS = load_config(Path(__file__).resolve().parents[2] / "config").settings
KINDS = ["call", "meeting", "quote"]
GOOD = {"intent": "billing", "urgency": "medium", "sentiment": "negative", "sentiment_score": -0.4,
        "confidence": 0.8, "rationale": "asks about a charge", "task_kinds": ["call"],
        "reply": {"subject": "Re: your invoice", "body": "Hello, we are looking into it."}}


def test_a_well_formed_answer_is_read_even_inside_a_code_fence() -> None:
    answer = parse_answer("```json\n" + json.dumps(GOOD) + "\n```", SETTINGS, KINDS)
    assert (answer.intent, answer.urgency, answer.task_kinds) == ("billing", "medium", ["call"])
    assert answer.reply == GOOD["reply"]


@pytest.mark.parametrize(("change", "problem"), [
    ({"intent": "refund"}, "intent 'refund' is not one of"),
    ({"urgency": "whenever"}, "urgency 'whenever'"),
    ({"sentiment": "angry"}, "sentiment 'angry'"),
    ({"confidence": 1.7}, "confidence must be a number in 0..1"),
    ({"sentiment_score": "low"}, "sentiment_score must be a number"),
    ({"task_kinds": ["dinner"]}, "task_kinds must be a list drawn from"),
    ({"reply": "Hi"}, "reply must be null or"),
])
def test_each_wrong_field_is_named(change: dict[str, object], problem: str) -> None:
    with pytest.raises(LeanAnswerError, match=problem):
        parse_answer(json.dumps({**GOOD, **change}), SETTINGS, KINDS)


def test_text_without_json_is_refused() -> None:
    with pytest.raises(LeanAnswerError, match="no JSON object"):
        parse_answer("I think this is a billing question.", SETTINGS, KINDS)


def test_the_offline_model_answers_a_lean_case_by_its_triage_rules() -> None:
    case = {"interaction": {"subject": "Urgent: call me about the invoice", "body": "I was charged twice, "
                            "please call me back today."},
            "sentiment_lexicon": {"label": "negative", "score": -0.3}, "task_kinds": KINDS}
    prompt = case_message(case)
    assert read_case(prompt) == case
    answer = parse_answer(answer_lean(prompt, SETTINGS), SETTINGS, KINDS)
    # "Urgent" in the subject alone does not make a double charge high.
    assert (answer.intent, answer.urgency, answer.sentiment, answer.task_kinds) == ("billing", "medium", "negative",
                                                                                    ["call"])
    assert answer.reply is None

"""Keyword rules of the offline model (crm_crew.llm.offline.rules) on the shipped settings."""

from __future__ import annotations

import pytest

from crm_crew.config.models import IntentConfig
from crm_crew.llm.offline.rules import classify_intent, classify_urgency, count_hits, requested_task_kinds
from tests.unit_fixtures import shipped_settings

S = shipped_settings()


def test_count_hits_counts_each_keyword_once_on_word_boundaries() -> None:
    assert count_hits("Refund! refund, REFUND.", ["refund"]) == 1
    assert count_hits("please opt out and unsubscribe", ["opt out", "unsubscribe", "opt-out"]) == 2
    assert count_hits("the price is pricey", ["price"]) == 1
    assert count_hits("pricey", ["price"]) == 0
    assert count_hits("I can't log in", ["can't", "login"]) == 1
    assert count_hits("anything", []) == 0


# -- intent ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "intent"), [
    ("Cannot log in since this morning\nI get an error when I try to login: my password is invalid and the reset "
     "link does not work either. Can you help?", "support"),
    ("Quote for 50 licenses\nWe are interested in your product. Could you send a quote and your pricing?",
     "sales_inquiry"),
    ("Please unsubscribe me\nPlease unsubscribe me and stop emailing me offers.", "unsubscribe"),
    ("You have won!!!\nCongratulations, you have won a crypto giveaway prize! Click here to claim your lottery "
     "reward. Casino bonus included.", "spam"),
    ("Very disappointed\nThis is unacceptable and my team is frustrated.", "complaint"),
    ("Invoice INV-2291 charged twice\nOur credit card was charged twice; please refund the payment.", "billing"),
    ("Great job\nThanks, we love the new dashboard. A small suggestion: dark mode.", "feedback"),
    ("Ending our contract\nPlease cancel and close my account at the end of the term.", "cancellation"),
])
def test_intent_with_the_most_keyword_hits_wins(text: str, intent: str) -> None:
    guess = classify_intent(text, S)
    assert guess.intent == intent
    assert guess.confidence == 0.9
    assert guess.hits[intent] == max(guess.hits.values()) >= 2
    assert set(guess.hits) == set(S.intents)


def test_no_keyword_gives_other_with_low_confidence() -> None:
    guess = classify_intent("Hello there, nice weather today.", S)
    assert (guess.intent, guess.confidence) == ("other", 0.35)
    assert not any(guess.hits.values())


def test_a_single_hit_with_a_clear_margin() -> None:
    guess = classify_intent("Please send me the invoice.", S)
    assert (guess.intent, guess.confidence) == ("billing", 0.75)


def test_a_tie_goes_to_the_first_listed_intent_with_low_confidence() -> None:
    # one billing hit ("refund") and one support hit ("bug"): billing is listed first
    guess = classify_intent("A refund for the bug", S)
    assert guess.hits["billing"] == guess.hits["support"] == 1
    assert (guess.intent, guess.confidence) == ("billing", 0.55)


def test_two_hits_tied_with_the_runner_up_is_still_low_confidence() -> None:
    guess = classify_intent("refund the invoice, the login has a bug", S)
    assert guess.hits["billing"] == guess.hits["support"] == 2
    assert (guess.intent, guess.confidence) == ("billing", 0.55)


def test_intents_follow_the_settings() -> None:
    settings = S.model_copy(update={"intents": {
        "other": IntentConfig(description="x"),
        "partnership": IntentConfig(description="p", keywords=["partner", "reseller"]),
    }})
    assert classify_intent("We want to become a reseller partner.", settings).intent == "partnership"


# -- urgency -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "level"), [
    ("Production down for everyone since 8am", "critical"),
    ("We have a security breach", "critical"),
    ("This is urgent, please answer ASAP", "high"),
    ("We are blocked until you reply", "high"),
    ("Can you follow up this week?", "medium"),
    ("I am still waiting", "medium"),
    ("Whenever you have a moment", "low"),
])
def test_urgency_levels(text: str, level: str) -> None:
    assert classify_urgency(text, S) == level


def test_the_highest_level_with_a_hit_wins() -> None:
    assert classify_urgency("Still waiting, urgent: production down!", S) == "critical"
    assert classify_urgency("Still waiting and it is urgent", S) == "high"


# -- task triggers -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "kinds"), [
    ("Please call me tomorrow.", ["call"]),
    ("Could we schedule a call next week?", ["meeting"]),
    ("Send us a quote, then give me a call.", ["call", "quote"]),
    ("Can we book a time to meet, and get a quotation?", ["meeting", "quote"]),
    ("No ask here, just thanks.", []),
])
def test_requested_task_kinds_in_config_order(text: str, kinds: list[str]) -> None:
    assert requested_task_kinds(text, S) == kinds

"""An opt-out follows the customer's own words: the unsubscribe intent's cues, in the message's language."""

from __future__ import annotations

import pytest

from crm_crew.triage.wording import says_unsubscribe
from tests.unit_fixtures import shipped_settings


@pytest.mark.parametrize(("text", "language"), [
    ("Could you remove my address from your mailing list?", "en"),
    ("Please unsubscribe me, thanks", "en"),
    ("Ich möchte keine Newsletter mehr bekommen", "de"),
    ("No quiero recibir más correos promocionales", "es"),
    ("Merci de me désinscrire de la lettre d'information", "fr"),
    ("Unsubscribe, por favor", "pt"),                   # the English word in mail of another language
])
def test_the_customers_own_words_ask_for_it(text: str, language: str) -> None:
    assert says_unsubscribe(text, shipped_settings(), language)


@pytest.mark.parametrize(("text", "language"), [
    ("Three new threads were posted in the bakers forum this week.", "en"),
    ("The pallet arrived damaged, please send a replacement.", "en"),
    ("Die Rechnung vom März ist doppelt abgebucht worden.", "de"),
])
def test_a_message_that_never_asks_is_no_opt_out(text: str, language: str) -> None:
    assert not says_unsubscribe(text, shipped_settings(), language)

"""Personal-data redaction (crm_crew.security.pii)."""

from __future__ import annotations

import pytest

from crm_crew.security.pii import find_phone, redact
from tests.security.pii_corpus import BENIGN, PII_CASES

ALL = ["email", "phone", "card", "iban", "ssn"]


# -- the corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "value", "sentence"), PII_CASES, ids=[v for _, v, _ in PII_CASES])
def test_personal_data_becomes_exactly_one_token(kind: str, value: str, sentence: str) -> None:
    assert redact(sentence.format(value), ALL) == (sentence.format(f"[{kind.upper()}]"), [kind])


@pytest.mark.parametrize("sentence", BENIGN)
def test_numbers_that_only_look_like_personal_data_stay(sentence: str) -> None:
    assert redact(sentence, ALL) == (sentence, [])


@pytest.mark.parametrize(("text", "expected"), [
    ("Zentrale: +49 (0)30 2345 6789.", "Zentrale: [PHONE]."),
    ("Konto AT61-1904-3002-3457-3201 bitte", "Konto [IBAN] bitte"),
    ("call +44 20 7946 0958/card 4111 1111 1111 1111", "call [PHONE]/card [CARD]"),
    ("IBAN de89 3704 0044 0532 0130 00, Tel +49 30 1234567", "IBAN [IBAN], Tel [PHONE]"),
])
def test_no_partial_redactions(text: str, expected: str) -> None:
    assert redact(text, ALL)[0] == expected


def test_a_phone_number_is_never_taken_for_a_card_when_only_cards_are_redacted() -> None:
    text = "Mobil +4915112345678, Karte 4111 1111 1111 1111"
    assert redact(text, ["card"]) == ("Mobil +4915112345678, Karte [CARD]", ["card"])


# -- each kind --------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "jane.doe@acme-corp.com",
    "Jane.Doe+news@Acme-Corp.COM",
    "obrien_x%y@mail.example.co.uk",
])
def test_email_is_redacted(address: str) -> None:
    text, kinds = redact(f"Write to {address} please.", ALL)
    assert text == "Write to [EMAIL] please."
    assert kinds == ["email"]


@pytest.mark.parametrize("number", [
    "+44 20 7946 0123",
    "+1 555 010 1234",
    "(020) 7946 0123",
    "555-010-1234",
    "555.010.1234",
    "+14155550123",
    "+4915112345679",
])
def test_phone_is_redacted(number: str) -> None:
    text, kinds = redact(f"Call me on {number} tomorrow.", ALL)
    assert text == "Call me on [PHONE] tomorrow."
    assert kinds == ["phone"]


@pytest.mark.parametrize("card", ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
                                  "5500 0000 0000 0004", "3782 822463 10005"])
def test_luhn_valid_card_is_redacted(card: str) -> None:
    text, kinds = redact(f"our card is {card}.", ALL)
    assert text == "our card is [CARD]."
    assert kinds == ["card"]


@pytest.mark.parametrize("digits", ["4111 1111 1111 1112", "1234 5678 9012 3456", "1234567890123456"])
def test_luhn_invalid_digits_are_not_a_card(digits: str) -> None:
    # 16 digits is also too long for a phone number, so the text is left alone.
    text, kinds = redact(f"reference {digits} attached", ALL)
    assert text == f"reference {digits} attached"
    assert kinds == []


@pytest.mark.parametrize("iban", ["DE89 3704 0044 0532 0130 00", "GB29NWBK60161331926819",
                                  "GB29 NWBK 6016 1331 9268 19", "FR14 2004 1010 0505 0001 3M02 606"])
def test_iban_is_redacted(iban: str) -> None:
    text, kinds = redact(f"Pay to IBAN {iban} by Friday.", ALL)
    assert text == "Pay to IBAN [IBAN] by Friday."
    assert kinds == ["iban"]


def test_luhn_valid_looking_phone_is_redacted_as_phone() -> None:
    # +49 151 12345678 (a German mobile number) is 13 digits and Luhn-valid by chance.
    assert redact("Call me on +4915112345678 tomorrow.", ALL) == ("Call me on [PHONE] tomorrow.", ["phone"])


def test_ssn_is_redacted_as_ssn_not_phone() -> None:
    text, kinds = redact("My SSN is 123-45-6789.", ALL)
    assert text == "My SSN is [SSN]."
    assert kinds == ["ssn"]


def test_several_kinds_are_reported_in_fixed_order() -> None:
    text, kinds = redact("ssn 123-45-6789, call +44 20 7946 0123, card 4111 1111 1111 1111, "
                         "mail a.b@example.com, iban DE89 3704 0044 0532 0130 00", ALL)
    assert text == "ssn [SSN], call [PHONE], card [CARD], mail [EMAIL], iban [IBAN]"
    assert kinds == ["email", "iban", "card", "ssn", "phone"]


def test_only_enabled_kinds_are_redacted() -> None:
    source = "mail a.b@example.com or call +44 20 7946 0123"
    assert redact(source, ["email"]) == ("mail [EMAIL] or call +44 20 7946 0123", ["email"])
    assert redact(source, ["phone"]) == ("mail a.b@example.com or call [PHONE]", ["phone"])
    assert redact(source, []) == (source, [])


def test_every_occurrence_is_redacted_and_kind_listed_once() -> None:
    text, kinds = redact("a@example.com, b@example.com and c@example.com", ALL)
    assert text == "[EMAIL], [EMAIL] and [EMAIL]"
    assert kinds == ["email"]


# -- not personal data -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "We met on 2024-05-01 and again on 01/05/2024.",
    "Delivery was due 20.11.2026, received 2026-11-20T08:12:00Z.",
    "Order #5521 and order 12345 are late.",
    "Invoice INV-2291 was charged twice.",
    "Ticket 12-34-56 from version 1.2.3.4 at 10:30.",
    "Our IP is 192.168.1.100 and the total 1,234,567.89 EUR.",
    "Plan for 50 licenses, 3 seats, 2 years.",
])
def test_dates_order_numbers_and_figures_are_not_redacted(text: str) -> None:
    assert redact(text, ALL) == (text, [])


@pytest.mark.parametrize("text", ["Invoice INV-2024-11-0042 is wrong.", "Order ORD-2024-001234 never arrived."])
def test_prefixed_order_numbers_are_not_redacted(text: str) -> None:
    assert redact(text, ALL) == (text, [])


# -- find_phone --------------------------------------------------------------------------


def test_find_phone_returns_first_plausible_number_as_written() -> None:
    block = "Daniel Okafor\nOrder 2024-05-01\nHead of Operations\n+44 20 7946 0123\n+1 555 010 1234"
    assert find_phone(block) == "+44 20 7946 0123"


def test_find_phone_skips_dates_and_short_numbers() -> None:
    assert find_phone("Seen 2024-05-01, ticket 5521, room 12-34") == ""
    assert find_phone("") == ""

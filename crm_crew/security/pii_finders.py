"""Where each kind of personal data sits in a text: (start, end) spans, each one validated.

A finder proposes generous candidates and keeps only what a validator accepts, trimming a
candidate from the end when it ran into the words after it. Numbers that only look like
personal data (dates, times, amounts, versions, order and ticket references, postcodes, IP
addresses) are not phone numbers; a card number must pass Luhn, an IBAN its mod-97 check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import phonenumbers
from stdnum import iban, luhn
from stdnum.exceptions import ValidationError
from stdnum.us import ssn

SpanFinder = Callable[[str], Iterator[tuple[int, int]]]

_SPACES = " \u00a0\u202f\u2009"          # space, no-break space, narrow no-break space, thin space
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
_IBAN = re.compile(rf"(?<![A-Za-z0-9])[A-Za-z]{{2}}\d{{2}}(?:[{_SPACES}\-.]?[A-Za-z0-9]){{11,32}}")
_CARD = re.compile(
    rf"(?<![\d.,/+-])(?:\d{{4,6}}(?P<sep>[{_SPACES}.\-/])\d{{3,6}}(?:(?P=sep)\d{{3,6}}){{1,4}}|\d{{13,19}})"
    r"(?!\d|[.,/-]\d)")
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_INTERNATIONAL = re.compile(rf"(?<![\w+])(?:\+|00)\d[\d{_SPACES}\-./()]{{4,24}}\d")
_NATIONAL = re.compile(rf"\(?\d[\d{_SPACES}\-./()]*\d")

# What a national-format number must not be.
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}(?!\d)|\d{1,2}[-/.]\d{1,2}[-/.]\d{2}$")
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d ?[-/] ?(?:19|20)\d\d$")
_ZIP_PLUS_FOUR = re.compile(r"\d{5}-\d{4}$")
_IP_ADDRESS = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}$")
_GROUPED_THOUSANDS = re.compile(rf"[1-9]\d{{0,2}}(?:[.{_SPACES}']\d{{3}})+$")
_CURRENCY = re.compile(r"[$€£¥₹]|\b(?:EUR|USD|GBP|CHF|JPY|SEK|NOK|DKK|PLN|CAD|AUD|INR|BRL|CNY)\b", re.IGNORECASE)
# Words after which a number is a reference, not a phone number ("order 12345678", "v2.14.3").
_REFERENCE_WORD = re.compile(
    r"(?:\b(?:order|orders|invoice|inv|ticket|case|ref|reference|po|tracking|serial|sn|sku|ean|gtin|upc|version|"
    r"ver|build|isbn|issn|room|account|acct|customer|contract|policy|claim|booking|confirmation|bestellung|"
    r"bestellnummer|rechnung|rechnungsnummer|auftrag|auftragsnummer|kundennummer|vertragsnummer|commande|"
    r"facture|dossier|pedido|factura|ordine|fattura|referencia|référence|riferimento)\b|#|\bno\.|\bnr\.?)"
    r"[\s:#.-]*$", re.IGNORECASE)
# Words after which a grouped number is a quantity ("12 345 678 units").
_QUANTITY_WORD = re.compile(
    r"\s*(?:units?|pcs|pieces|items|users|seats|licen[cs]es|customers|people|records|rows|orders|messages|"
    r"kg|km|tons?|tonnes|bytes|[kmgt]b|stück|einheiten|unités|unidades)\b", re.IGNORECASE)
_REFERENCE_LOOKBACK = 24


def find_emails(text: str) -> Iterator[tuple[int, int]]:
    for match in _EMAIL.finditer(text):
        yield match.span()


def find_ibans(text: str) -> Iterator[tuple[int, int]]:
    """IBANs in any case and grouping; the longest prefix that passes the checksum."""
    for match in _IBAN.finditer(text):
        candidate = match.group(0)
        for end in reversed(_group_ends(candidate, str.isalnum)):
            compact = "".join(ch for ch in candidate[:end] if ch.isalnum()).upper()
            if 15 <= len(compact) <= 34 and _valid_iban(compact):
                yield match.start(), match.start() + end
                break


def _valid_iban(compact: str) -> bool:
    """Country length and mod-97 check (not each country's own account checksum: redact near-misses too)."""
    try:
        iban.validate(compact, check_country=False)
    except ValidationError:
        return False
    return True


def find_cards(text: str) -> Iterator[tuple[int, int]]:
    """13 to 19 digits, ungrouped or in groups with one separator throughout, passing Luhn."""
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield match.span()


def find_ssns(text: str) -> Iterator[tuple[int, int]]:
    for match in _SSN.finditer(text):
        if ssn.is_valid(match.group(0)):
            yield match.span()


def find_phones(text: str) -> Iterator[tuple[int, int]]:
    yield from _international_phones(text)
    yield from _national_phones(text)


def _international_phones(text: str) -> Iterator[tuple[int, int]]:
    """`+` or `00` numbers that libphonenumber finds possible for their country code."""
    for match in _INTERNATIONAL.finditer(text):
        candidate = match.group(0)
        for end in reversed(_group_ends(candidate, str.isdigit)):
            if _possible_international(candidate[:end]):
                yield match.start(), match.start() + end
                break


def _possible_international(number: str) -> bool:
    normalized = "+" + number[2:] if number.startswith("00") else number
    try:
        parsed = phonenumbers.parse(normalized, None)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_possible_number(parsed))


def _national_phones(text: str) -> Iterator[tuple[int, int]]:
    for match in _NATIONAL.finditer(text):
        start, end = match.span()
        if _is_national_phone(text, start, end):
            yield start, end


def _is_national_phone(text: str, start: int, end: int) -> bool:
    candidate = text[start:end]
    digits = sum(ch.isdigit() for ch in candidate)
    before, after = text[start - 1:start], text[end:end + 2]
    if not 7 <= digits <= 15 or candidate.count("(") != candidate.count(")"):
        return False
    if before and (before.isalnum() or before in "+-/.,:_") or re.match(r"\w|%|[.,:]\d", after):
        return False  # part of a word, a code, a decimal, a time or a percentage
    if any(p.match(candidate) for p in (_DATE, _YEAR_RANGE, _ZIP_PLUS_FOUR, _IP_ADDRESS)):
        return False
    if _GROUPED_THOUSANDS.match(candidate) and (_CURRENCY.search(text[max(0, start - 4):end + 5])
                                                 or _QUANTITY_WORD.match(text, end)):
        return False
    if _REFERENCE_WORD.search(text[max(0, start - _REFERENCE_LOOKBACK):start]):
        return False
    # A bare run of digits is a phone number when it has a trunk prefix or a full national length.
    return not candidate.isdigit() or candidate.startswith("0") or digits >= 10


def _group_ends(candidate: str, is_part: Callable[[str], bool]) -> list[int]:
    """Offsets in `candidate` where a run of its characters (digits, or letters and digits) ends."""
    return [i + 1 for i, ch in enumerate(candidate)
            if is_part(ch) and (i + 1 == len(candidate) or not is_part(candidate[i + 1]))]


FINDERS: dict[str, SpanFinder] = {
    "email": find_emails,
    "iban": find_ibans,
    "card": find_cards,
    "ssn": find_ssns,
    "phone": find_phones,
}

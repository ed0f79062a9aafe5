"""The synthetic inbox's mixes and language-neutral values (crm_crew.testing.synthetic).

What the messages say lives in crm_crew.testing.phrasebooks, one module per language. Placeholders are filled
with str.format_map: from a phrasebook's `slots`, else from MAKERS below.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from random import Random
from typing import Any

from crm_crew.testing.phrasebooks import Phrasebook, de, en, es, fr, pt

PHRASEBOOKS: dict[str, Phrasebook] = {"en": en.PHRASES, "de": de.PHRASES, "es": es.PHRASES, "fr": fr.PHRASES,
                                      "pt": pt.PHRASES}
# Share of each language after the first records (English-heavy, like most inboxes that try the tool).
LANGUAGE_WEIGHTS: dict[str, int] = {"en": 48, "de": 13, "es": 13, "fr": 13, "pt": 13}

# -- the mix after the first records: intent: (weight, the urgency levels that make sense for it) --------------
INTENT_MIX: dict[str, tuple[int, tuple[str, ...]]] = {
    "spam": (8, ("low",)), "unsubscribe": (6, ("low", "medium")),
    "cancellation": (6, ("low", "medium", "high")), "complaint": (10, ("medium", "high", "critical")),
    "billing": (12, ("low", "medium", "high")), "sales_inquiry": (15, ("low", "medium", "high")),
    "support": (25, ("low", "medium", "high", "critical")), "feedback": (8, ("low",)), "other": (10, ("low", "medium")),
}
URGENCY_WEIGHTS: dict[str, int] = {"low": 45, "medium": 30, "high": 18, "critical": 7}
HOW_TO_RATE = 0.7        # of low-urgency support records: a how-to question rather than a fault

# -- features: sentences added at low rates (phrasebook `features`) ---------------------------------------------
CARDS: tuple[str, ...] = ("4111 1111 1111 1111", "5555 5555 5555 4444", "4012 8888 8888 1881", "3782 822463 10005")
IBANS: tuple[str, ...] = ("DE89 3704 0044 0532 0130 00", "GB29 NWBK 6016 1331 9268 19", "NL91 ABNA 0417 1643 00",
                          "FR14 2004 1010 0505 0001 3M02 606", "ES91 2100 0418 4502 0005 1332",
                          "PT50 0002 0123 1234 5678 9015 4")
_NOT_SPAM = ("unsubscribe", "cancellation", "complaint", "billing", "sales_inquiry", "support", "feedback", "other")
# Which intents each feature can plausibly ride on.
FEATURE_INTENTS: dict[str, tuple[str, ...]] = {
    "quote": ("sales_inquiry",),
    "legal": ("complaint", "billing", "cancellation"),
    "gdpr": ("unsubscribe", "cancellation", "complaint", "other"),
    "iban": ("billing", "cancellation", "other"),
    "card": ("billing", "cancellation", "support", "other"),
    "schedule_call": ("sales_inquiry", "support", "billing", "other"),
    "call_me": ("support", "complaint", "billing", "sales_inquiry", "cancellation", "other"),
    "injection": _NOT_SPAM,
    "phone": _NOT_SPAM,
}
# How often each feature rides on a record it fits, after the coverage window.
FEATURE_RATES: dict[str, float] = {
    "quote": 0.2, "legal": 0.03, "gdpr": 0.03, "iban": 0.03, "card": 0.04,
    "schedule_call": 0.05, "call_me": 0.05, "injection": 0.015, "phone": 0.06,
}
# A second, minor point in a message whose main intent stays clear: kind -> the main intents it can ride on.
ASIDE_FITS: dict[str, tuple[str, ...]] = {
    "negation": ("billing", "support", "complaint"),        # "no need to cancel": a negated other intent
    "praise": ("support", "billing", "cancellation", "other"),
    "upsell": ("support", "billing"),
}
ASIDE_RATE = 0.12

# -- how people write -------------------------------------------------------------------------------------------
CHANNEL_WEIGHTS: dict[str, int] = {"email": 70, "web_form": 15, "chat": 15}
GREETING_RATE = 0.85      # of emails open with a greeting line
REPLY_RATE = 0.07         # of emails are a reply that quotes our earlier message
TYPO_RATE = 0.2           # of human messages have one slip of the keyboard
CASUAL_RATE = 0.6         # of chats are typed casually: lower case, no final full stop, often no accents
SOME_DISPLAY_NAME = 0.9   # of human senders give a display name

COMPANY_STEMS: tuple[str, ...] = (
    "Northwind", "Bluepeak", "Harbor", "Silverline", "Redwood", "Brightwave", "Cobalt", "Evergreen",
    "Granite", "Lakeside", "Meridian", "Oakridge", "Pinecrest", "Riverbend", "Tidewater", "Vantage",
    "Westfield", "Zenith", "Alder", "Beacon", "Cedar", "Falcon", "Juniper", "Keystone", "Larkspur",
    "Orion", "Sterling", "Kestrel", "Atlas", "Solano", "Vela", "Mirante",
)
VENDORS: tuple[tuple[str, str], ...] = (("Tidely", "tidely.example"), ("Larkdesk", "larkdesk.example"))
EDITIONS: tuple[str, ...] = ("Team", "Business", "Enterprise", "Starter", "Pro")


# -- small text transforms -----------------------------------------------------------------------------------

_LONG_WORD = re.compile(r"[^\W\d_]{6,}")


def ascii_letters(text: str) -> str:
    """'Jürgen O'Brien' -> 'jurgenobrien': the letters of a name as an address's local part has them."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def strip_accents(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def typo(text: str, rng: Random) -> str:
    """One slip of the keyboard: two neighbouring letters swapped inside one longer word."""
    words = list(_LONG_WORD.finditer(text))
    if not words:
        return text
    word = rng.choice(words)
    i = rng.randint(word.start() + 1, word.end() - 3)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def casual(line: str, accents: bool) -> str:
    """A chat line as people type it: lower-case start, no final full stop, accents kept or not."""
    line = line[:1].lower() + line[1:]
    line = line[:-1] if line.endswith(".") else line
    return line if accents else strip_accents(line)


def phone(rng: Random, formats: tuple[str, ...]) -> str:
    """A made-up phone number in one of formats."""
    return rng.choice(formats).format(
        d1=rng.randint(0, 9), d2=f"{rng.randint(0, 99):02d}", d3=f"{rng.randint(0, 999):03d}"
    )


def _money(v: Any, r: Random, low: int, high: int) -> str:
    amount = f"{r.randint(low, high):,}".replace(",", v.book["thousands"])
    return r.choice(v.book["money_formats"]).format(amount=amount)


def _date(v: Any, r: Random) -> str:
    """A day in the weeks around the inbox's dates (November to January)."""
    months = v.book["months"]
    return v.book["date_format"].format(day=r.randint(1, 28), month=r.choice((months[10], months[11], months[0])))


# Placeholder values, made on first use from (the values so far, the generator's Random); `v.book` is the
# record's phrasebook; "other" (a made-up person in the record's language: a colleague) is made by the generator.
MAKERS: dict[str, Callable[[Any, Random], Any]] = {
    "first": lambda v, r: v["other"].first, "last": lambda v, r: v["other"].last,
    "company": lambda v, r: v["other"].company, "phone": lambda v, r: v["other"].phone,
    "colleague": lambda v, r: f"{v['other'].first} {v['other'].last}",
    "colleague_email": lambda v, r: v["other"].email,
    "title": lambda v, r: r.choice(v.book["people"]["titles"]),
    "phone2": lambda v, r: phone(r, v.book["people"]["phone_formats"]),
    "card": lambda v, r: r.choice(CARDS), "iban": lambda v, r: r.choice(IBANS),
    "seats": lambda v, r: r.randint(8, 400), "seats_small": lambda v, r: r.randint(2, 6),
    "size": lambda v, r: r.choice((12, 25, 40, 60, 150, 300, 1200)), "size_small": lambda v, r: r.randint(3, 9),
    "daily": lambda v, r: r.randint(2, v["size"]), "number": lambda v, r: r.randint(10000, 99999),
    "number_small": lambda v, r: r.randint(12, 400), "percent": lambda v, r: r.choice((10, 15, 20, 25)),
    "team": lambda v, r: r.choice(v.book["people"]["teams"]), "city": lambda v, r: r.choice(v.book["people"]["cities"]),
    "months": lambda v, r: r.randint(3, 30), "years": lambda v, r: r.randint(2, 9),
    "minutes": lambda v, r: r.choice((35, 40, 50, 65, 90)),
    "month": lambda v, r: r.choice(v.book["months"]), "weekday": lambda v, r: r.choice(v.book["weekdays"]),
    "date": _date, "time": lambda v, r: f"{r.randint(6, 11):02d}:{r.choice(('05', '20', '40', '55'))}",
    "reference": lambda v, r: r.choice(("INV-", "#", "No. ")) + str(r.randint(1000, 99999)),
    "money": lambda v, r: _money(v, r, 40, 900), "money2": lambda v, r: _money(v, r, 20, 400),
    "money_big": lambda v, r: _money(v, r, 250_000, 2_500_000),
    "address": lambda v, r: f"{r.choice(v.book['people']['streets'])}, {r.choice(v.book['people']['cities'])}",
    "plan": lambda v, r: r.choice(EDITIONS), "version": lambda v, r: f"{r.randint(3, 7)}.{r.randint(0, 12)}",
    "workspace": lambda v, r: f"ws-{r.randint(100000, 999999)}",
    "vendor": lambda v, r: v["vendor_pair"][0], "vendor_domain": lambda v, r: v["vendor_pair"][1],
    "vendor_pair": lambda v, r: r.choice(VENDORS),
    "subject_we_sent": lambda v, r: r.choice(v.book["auto_reply"]["subjects"]),
}

"""What the synthetic inbox says, per language: one Phrasebook per module (en, de, es, fr, pt).

A phrasebook holds sentence frames with {slots}. Slots are filled by crm_crew.testing.synthetic: from the
phrasebook's own `slots` first, then from the generator's makers (names, dates, amounts); `{name_cap}` is
`{name}` with a capital first letter. Frames paraphrase the way customers write; they deliberately do not lean on
the cue words of the shipped crm-crew.yaml, so the tests and the benchmark measure triage on wording it was
not written against.
"""

from __future__ import annotations

from typing import NamedTuple, TypedDict

Message = tuple[tuple[str, ...], str]          # (subjects that fit, the opening sentence or two)


class IntentText(TypedDict, total=False):
    messages: tuple[Message, ...]              # what the customer wants, in several sentence structures
    questions: tuple[Message, ...]             # how-to questions: a support request of low urgency
    details: tuple[str, ...]                   # an optional second paragraph that fits any of the messages


class Automated(NamedTuple):
    sender: str                                # the whole From line
    subjects: tuple[str, ...]
    text: str


class AutoReply(TypedDict):
    prefixes: tuple[str, ...]                  # "Automatic reply: " ...
    subjects: tuple[str, ...]                  # what we had sent them
    bodies: tuple[str, ...]


class People(TypedDict):
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    company_kinds: tuple[str, ...]
    tlds: tuple[str, ...]
    free_mail: tuple[str, ...]
    titles: tuple[str, ...]
    cities: tuple[str, ...]
    teams: tuple[str, ...]
    phone_formats: tuple[str, ...]             # {d1}, {d2}, {d3}: one, two and three random digits
    streets: tuple[str, ...]


class Phrasebook(TypedDict):
    people: People
    months: tuple[str, ...]
    weekdays: tuple[str, ...]
    date_format: str                           # {day} and {month}
    money_formats: tuple[str, ...]             # {amount}
    thousands: str                             # the thousands separator in amounts
    greetings: tuple[str, ...]
    sign_offs: tuple[str, ...]
    signatures: tuple[str, ...]
    chat_openers: tuple[str, ...]              # "" for none
    form: dict[str, str]                       # web-form field labels: name, company, message
    quote_header: str                          # a mail client's "On ..., X wrote:" line
    quoted: tuple[str, ...]                    # what our side had written before
    context: tuple[str, ...]                   # background that says nothing about the request
    intents: dict[str, IntentText]
    urgency: dict[str, dict[str, tuple[str, ...]]]   # level -> intent (or "any") -> sentences ("" for none)
    features: dict[str, tuple[str, ...]]
    asides: dict[str, tuple[str, ...]]         # a second, minor point (see synthetic_text.ASIDE_FITS)
    slots: dict[str, tuple[str, ...]]
    spam_senders: tuple[str, ...]
    automated: dict[str, tuple[Automated, ...]]
    auto_reply: AutoReply
    automated_footer: str

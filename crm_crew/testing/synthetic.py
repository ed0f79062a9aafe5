"""A seeded synthetic inbox: realistic customer interactions in five languages, reproducible from a seed.

    generate(n, seed) -> Iterator[dict]            records in crm-crew's JSON Lines input format
    generate_labeled(n, seed) -> Iterator[(dict, Labels)]   the same records with what they are meant to be
    write_inbox(path, n, seed) -> Path             generate(...) streamed to a .jsonl file (expected=True: with
                                                   each record's `expected` object, the input of `crm-crew eval`)

Records are made one at a time (constant memory) and record i is the same for any n > i with the same seed and
options. Every intent, urgency level, language and FEATURE (PII, prompt injection, legal and personal-data
requests, task requests, automated and repeat senders, web_form and chat) appears within the first
COVERAGE_WINDOW records for any seed; after that they are drawn at realistic rates.

The wording comes from crm_crew.testing.phrasebooks: several sentence structures per intent and language with
slots, paraphrases rather than the cue words of the shipped crm-crew.yaml, emails with greetings and signatures,
casual chat lines, web forms, quoted replies, typos and secondary points ("no need to cancel"). The labels say
what a careful reader would say the message is, whatever a classifier makes of it.
"""

from __future__ import annotations

import csv
import json
import random
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any

from crm_crew.config.shipped import default_config_dir
from crm_crew.testing import synthetic_text as txt
from crm_crew.testing.phrasebooks import Phrasebook

INTENTS: tuple[str, ...] = (
    "spam", "unsubscribe", "cancellation", "complaint", "billing", "sales_inquiry", "support", "feedback", "other",
)
URGENCIES: tuple[str, ...] = ("low", "medium", "high", "critical")
LANGUAGES: tuple[str, ...] = tuple(txt.PHRASEBOOKS)
CONTENT_FEATURES: tuple[str, ...] = tuple(txt.FEATURE_INTENTS)
FEATURES: tuple[str, ...] = CONTENT_FEATURES + ("automated", "repeat", "web_form", "chat")
ESCALATING_FEATURES: frozenset[str] = frozenset({"injection", "legal", "gdpr"})
COVERAGE_WINDOW = 50
START = datetime(2026, 11, 1, tzinfo=timezone.utc)

_CHANNELS = tuple(txt.CHANNEL_WEIGHTS)
_CHANNEL_CUM = list(accumulate(txt.CHANNEL_WEIGHTS.values()))
_INTENT_CUM = list(accumulate(txt.INTENT_MIX[i][0] for i in INTENTS))
_URGENCY_CUM = {i: list(accumulate(txt.URGENCY_WEIGHTS[u] for u in mix[1])) for i, mix in txt.INTENT_MIX.items()}
_FITTING = {i: tuple(f for f in CONTENT_FEATURES if i in txt.FEATURE_INTENTS[f]) for i in INTENTS}
_ASIDES = {i: tuple(kind for kind, fits in txt.ASIDE_FITS.items() if i in fits) for i in INTENTS}
_AUTOMATED_RATE = 0.1    # of low-urgency billing and other records
_AUTO_REPLY_SHARE = 0.5  # of automated "other" records: an out-of-office reply from a person
_REPEAT_RATE = 0.06      # of human records: a recent new sender writes again
_REPEAT_POOL = 64        # how many recent new senders can write again
_MAX_FORCED = 2          # pending features forced onto one record inside the coverage window


def _load_contacts() -> tuple[dict[str, str], ...]:
    path = default_config_dir() / "samples" / "contacts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(dict(row) for row in csv.DictReader(handle))


SAMPLE_CONTACTS: tuple[dict[str, str], ...] = _load_contacts()


@dataclass(frozen=True)
class Labels:
    """What a record is meant to be: intent, urgency, which FEATURES it carries, its language, and whether a
    careful ops person would hand it to a human (critical urgency, injection, legal threat, personal-data
    request, an enterprise customer's complaint)."""

    intent: str
    urgency: str
    features: frozenset[str]
    language: str = "en"
    escalate: bool = False

    def expected(self) -> dict[str, Any]:
        """The `expected` object of `crm-crew eval` input. Actions are left out: they depend on the CRM's state."""
        return {"intent": self.intent, "urgency": self.urgency, "escalate": self.escalate}


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    email: str
    company: str
    phone: str
    title: str
    tier: str = ""
    language: str = ""            # a new sender's language; a known contact's is the message's


def _new_person(rng: random.Random, book: Phrasebook, language: str = "") -> _Person:
    people = book["people"]
    first, last = rng.choice(people["first_names"]), rng.choice(people["last_names"])
    stem, kind = rng.choice(txt.COMPANY_STEMS), rng.choice(people["company_kinds"])
    local = f"{txt.ascii_letters(first)}.{txt.ascii_letters(last)}"
    if rng.random() < 0.15:
        email = f"{local}{rng.randint(1, 99)}@{rng.choice(people['free_mail'])}"
    else:
        email = f"{local}@{txt.ascii_letters(stem)}-{txt.ascii_letters(kind.split()[0])}.{rng.choice(people['tlds'])}"
    return _Person(first, last, email, f"{stem} {kind}", txt.phone(rng, people["phone_formats"]),
                   rng.choice(people["titles"]), language=language)


def _contact_person(row: dict[str, str], rng: random.Random, book: Phrasebook) -> _Person:
    titles = book["people"]["titles"]
    return _Person(row.get("first_name", ""), row.get("last_name", ""), row["email"], row.get("company", ""),
                   row.get("phone", "") or txt.phone(rng, book["people"]["phone_formats"]),
                   titles[sum(map(ord, row["email"])) % len(titles)], row.get("tier", ""))


class _Values(dict[str, Any]):
    """Placeholder values, each drawn on first use (a message needs only a few): the phrasebook's slots first,
    then txt.MAKERS; `{x_cap}` is `{x}` with a capital first letter."""

    def __init__(self, rng: random.Random, book: Phrasebook) -> None:
        super().__init__()
        self.rng = rng
        self.book = book

    def __missing__(self, key: str) -> Any:
        if key.endswith("_cap"):
            base = str(self[key[:-4]])
            value: Any = base[:1].upper() + base[1:]
        elif key in self.book["slots"]:
            value = self.rng.choice(self.book["slots"][key]).format_map(self)
        elif key == "other":
            value = _new_person(self.rng, self.book)
        else:
            value = txt.MAKERS[key](self, self.rng)
        self[key] = value
        return value


def _schedule(rng: random.Random, languages: Sequence[str]) -> list[tuple[str, str, str | None]]:
    """Every intent once, in a shuffled order, with every urgency level on a plausible intent and every language
    on one of the first records (None: drawn by weight).

    "other" is always low, so that an automated sender (low urgency only) has its slot.
    """
    intents = list(INTENTS)
    rng.shuffle(intents)
    urgency: dict[str, str] = {"other": "low"}
    for level in reversed(URGENCIES[1:]):  # most constrained level first; "low" has many takers
        urgency[rng.choice([i for i in intents if i not in urgency and level in txt.INTENT_MIX[i][1]])] = level
    langs: list[str | None] = list(languages)
    rng.shuffle(langs)
    langs += [None] * (len(intents) - len(langs))
    return [(i, urgency.get(i) or rng.choice(txt.INTENT_MIX[i][1]), lang) for i, lang in zip(intents, langs)]


class _Inbox:
    """The generator's state: O(1) in the number of records."""

    def __init__(self, seed: int, contacts: Sequence[dict[str, str]], known_ratio: float,
                 languages: Sequence[str]) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.contacts = contacts
        self.known_ratio = known_ratio
        self.languages = tuple(languages)
        self.language_cum = list(accumulate(txt.LANGUAGE_WEIGHTS[lang] for lang in self.languages))
        self.schedule = _schedule(self.rng, self.languages)
        self.pending: set[str] = set(FEATURES)
        self.recent: deque[_Person] = deque(maxlen=_REPEAT_POOL)
        self.clock = START

    def _due(self, feature: str, index: int) -> bool:
        return index < COVERAGE_WINDOW and feature in self.pending

    def _pick(self, index: int) -> tuple[str, str, str]:
        rng = self.rng
        if index < len(self.schedule):
            intent, urgency, language = self.schedule[index]
        else:
            intent = rng.choices(INTENTS, cum_weights=_INTENT_CUM)[0]
            urgency, language = rng.choices(txt.INTENT_MIX[intent][1], cum_weights=_URGENCY_CUM[intent])[0], None
        return intent, urgency, language or rng.choices(self.languages, cum_weights=self.language_cum)[0]

    def _known_or_new(self, language: str) -> _Person:
        """A known contact (known_ratio of the time) or a new person writing in `language`."""
        book = txt.PHRASEBOOKS[language]
        if self.contacts and self.rng.random() < self.known_ratio:
            return _contact_person(self.rng.choice(self.contacts), self.rng, book)
        return _new_person(self.rng, book, language)

    def _values(self, person: _Person | None, book: Phrasebook) -> _Values:
        values = _Values(self.rng, book)
        if person is not None:
            values.update(first=person.first, last=person.last, company=person.company, phone=person.phone,
                          title=person.title)
        return values

    def _automated(self, intent: str, urgency: str, index: int, language: str) -> tuple[str, str, str] | None:
        """(From line, subject, body) of an automated message (a system's notice or a person's out-of-office
        reply), or None for a message someone wrote."""
        rng, book = self.rng, txt.PHRASEBOOKS[language]
        if intent not in book["automated"] or urgency != "low" or not (
                self._due("automated", index) or rng.random() < _AUTOMATED_RATE):
            return None
        if intent == "other" and rng.random() < _AUTO_REPLY_SHARE:
            person = self._known_or_new(language)
            values, auto = self._values(person, book), book["auto_reply"]
            subject = rng.choice(auto["prefixes"]) + rng.choice(auto["subjects"])
            body = rng.choice(auto["bodies"]).format_map(values)
            return f"{person.first} {person.last} <{person.email}>", subject, body
        notice, values = rng.choice(book["automated"][intent]), self._values(None, book)
        body = f"{notice.text}\n\n{book['automated_footer']}".format_map(values)
        return notice.sender, rng.choice(notice.subjects).format_map(values), body

    def _sender(self, intent: str, index: int, features: set[str], language: str) -> _Person | str:
        """A _Person, or the whole From line of a spam sender. A repeat sender writes in the language of their
        first message when one of the recent senders did (inside the coverage window: any recent sender)."""
        rng, book = self.rng, txt.PHRASEBOOKS[language]
        if intent == "spam":
            return rng.choice(book["spam_senders"])
        due = self._due("repeat", index)
        if self.recent and (due or rng.random() < _REPEAT_RATE):
            same = [p for p in self.recent if p.language == language]
            if same or due:
                features.add("repeat")
                return rng.choice(same or self.recent)
        person = self._known_or_new(language)
        if person.language:           # a new sender, who may write again
            self.recent.append(person)
        return person

    def _channel(self, index: int, features: set[str]) -> str:
        due = [c for c in ("web_form", "chat") if self._due(c, index)]
        channel = due[0] if due else self.rng.choices(_CHANNELS, cum_weights=_CHANNEL_CUM)[0]
        features.update({channel} - {"email"})
        return channel

    def _content_features(self, intent: str, index: int) -> set[str]:
        fitting = _FITTING[intent]
        forced = set([f for f in fitting if self._due(f, index)][:_MAX_FORCED])
        return forced | {f for f in fitting if self.rng.random() < txt.FEATURE_RATES[f]}

    def _urgency_line(self, intent: str, urgency: str, book: Phrasebook, say_so: bool = False) -> str:
        """How pressing it is, in the customer's words ("" for nothing said, unless say_so)."""
        pools = book["urgency"][urgency]
        lines = pools.get(intent) or pools.get("any") or ("",)
        return self.rng.choice([line for line in lines if line] if say_so else lines)

    def _opening(self, intent: str, urgency: str, book: Phrasebook, values: _Values) -> tuple[str, str]:
        """(subject, the first paragraph's text): what the customer wants and how pressing it is."""
        rng = self.rng
        text = book["intents"][intent]
        if (intent, urgency) == ("support", "critical"):  # the situation is the message
            subject, opening = values["critical_subject"], rng.choice(book["urgency"]["critical"]["support"])
        else:
            how_to = intent == "support" and urgency == "low" and rng.random() < txt.HOW_TO_RATE
            subjects, opener = rng.choice(text["questions"] if how_to else text["messages"])
            subject = rng.choice(subjects)
            fault = intent == "support" and not how_to       # a fault says how much it hurts
            pressing = "" if intent in ("spam", "feedback") else self._urgency_line(intent, urgency, book, fault)
            opening = " ".join(s for s in (opener, pressing) if s)
        opening = opening.format_map(values)
        if intent != "spam" and rng.random() < txt.TYPO_RATE:
            opening = txt.typo(opening, rng)
        return subject.format_map(values), opening

    def _compose(self, intent: str, urgency: str, features: set[str], values: _Values, channel: str,
                 signer: str | None) -> tuple[str, str]:
        """(subject, body) of a message someone wrote; signer is a spam sender's display name."""
        rng, book = self.rng, values.book
        subject, opening = self._opening(intent, urgency, book, values)
        kinds = _ASIDES[intent] if urgency != "critical" else ()
        aside = rng.choice(book["asides"][rng.choice(kinds)]) if kinds and rng.random() < txt.ASIDE_RATE else ""
        details = rng.choice(book["intents"][intent]["details"]) if rng.random() < 0.5 else ""
        extras = [rng.choice(book["features"][f]) for f in CONTENT_FEATURES if f in features]
        more = [s.format_map(values) for s in (details, *extras) if s]
        first = " ".join(s for s in (opening, aside.format_map(values)) if s)
        if channel == "chat":
            lines = [rng.choice(book["chat_openers"]), first, *more]
            if rng.random() < txt.CASUAL_RATE:
                accents = book is txt.PHRASEBOOKS["en"] or rng.random() < 0.5
                lines = [txt.casual(line, accents) for line in lines]
            return f"Chat: {subject}", "\n".join(line for line in lines if line)
        if channel == "web_form":
            form = book["form"]
            lines = [f"{form['name']}: {values['first']} {values['last']}"]
            if rng.random() < 0.7:
                lines.append(f"{form['company']}: {values['company']}")
            lines.append(f"{form['message']}: " + " ".join([first, *more]))
            return f"Web form: {subject}", "\n".join(lines)
        paragraphs = [first] + ([" ".join(more)] if more else [])
        if signer is None and rng.random() < 0.3:
            paragraphs.insert(rng.randint(1, len(paragraphs)), rng.choice(book["context"]).format_map(values))
        greeting = [rng.choice(book["greetings"])] if rng.random() < txt.GREETING_RATE else []
        signature = signer or rng.choice(book["signatures"]).format_map(values)
        body = "\n\n".join([*greeting, *paragraphs, f"{rng.choice(book['sign_offs'])}\n{signature}"])
        if signer is None and rng.random() < txt.REPLY_RATE:
            quoted = rng.choice(book["quoted"])
            subject, body = f"Re: {subject}", f"{body}\n\n{book['quote_header'].format_map(values)}\n> {quoted}"
        return subject, body

    def record(self, index: int) -> tuple[dict[str, Any], Labels]:
        rng = self.rng
        intent, urgency, language = self._pick(index)
        book = txt.PHRASEBOOKS[language]
        features: set[str] = set()
        escalate = False
        channel = "email"
        automated = self._automated(intent, urgency, index, language)
        if automated is not None:
            features.add("automated")
            from_line, subject, body = automated
        else:
            sender = self._sender(intent, index, features, language)
            person = sender if isinstance(sender, _Person) else None
            values = self._values(person, book)
            if person is not None:
                channel = self._channel(index, features)
                features |= self._content_features(intent, index)
                named = rng.random() < txt.SOME_DISPLAY_NAME
                from_line = f"{person.first} {person.last} <{person.email}>" if named else person.email
                escalate = person.tier == "enterprise" and intent == "complaint"
            else:
                from_line = str(sender)
            signer = None if person is not None else from_line.split("<")[0].strip()
            subject, body = self._compose(intent, urgency, features, values, channel, signer)
            escalate = escalate or urgency == "critical" or bool(features & ESCALATING_FEATURES)
        self.pending -= features
        self.clock += timedelta(seconds=rng.randint(45, 600))
        record = {
            "id": f"syn-{self.seed}-{index:06d}", "channel": channel, "from": from_line,
            "subject": subject, "body": body, "received_at": self.clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return record, Labels(intent, urgency, frozenset(features), language, escalate)


def generate_labeled(n: int, seed: int = 0, *, known_contacts: Sequence[dict[str, str]] = SAMPLE_CONTACTS,
                     known_ratio: float = 0.5, languages: Sequence[str] = LANGUAGES
                     ) -> Iterator[tuple[dict[str, Any], Labels]]:
    """generate(...) with each record's Labels (for tests and benchmarks; never give them to a model)."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= known_ratio <= 1.0:
        raise ValueError(f"known_ratio must be between 0 and 1, got {known_ratio}")
    unknown = [lang for lang in languages if lang not in txt.PHRASEBOOKS]
    if not languages or unknown:
        raise ValueError(f"languages must be some of {', '.join(LANGUAGES)}; got {list(languages)}")
    inbox = _Inbox(seed, known_contacts, known_ratio, list(dict.fromkeys(languages)))
    for index in range(n):
        yield inbox.record(index)


def generate(n: int, seed: int = 0, *, known_contacts: Sequence[dict[str, str]] = SAMPLE_CONTACTS,
             known_ratio: float = 0.5, languages: Sequence[str] = LANGUAGES) -> Iterator[dict[str, Any]]:
    """n interaction records (the JSONL input format of crm-crew), deterministic for (n, seed),
    generated lazily (constant memory: never build the whole list)."""
    for record, _ in generate_labeled(n, seed, known_contacts=known_contacts, known_ratio=known_ratio,
                                      languages=languages):
        yield record


def write_inbox(path: Path, n: int, seed: int = 0, *, expected: bool = False, **kwargs: Any) -> Path:
    """Write generate(...) as JSON Lines to path (streamed); with expected=True each record carries its
    Labels.expected() as `expected` (the input format of `crm-crew eval`). Returns path."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record, labels in generate_labeled(n, seed, **kwargs):
            if expected:
                record = {**record, "expected": labels.expected()}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path

"""A seeded synthetic inbox: realistic customer interactions, reproducible from a seed.

    generate(n, seed) -> Iterator[dict]            records in crm-crew's JSON Lines input format
    generate_labeled(n, seed) -> Iterator[(dict, Labels)]   the same records with what they are meant to be
    write_inbox(path, n, seed) -> Path             generate(...) streamed to a .jsonl file

Records are made one at a time (constant memory) and record i is the same for any n > i with the
same seed and options. Every intent, urgency level and FEATURE (PII, prompt injection, legal and GDPR
messages, task triggers, automated and repeat senders, web_form and chat) appears within the first
COVERAGE_WINDOW records for any seed; after that they are drawn at realistic rates. The text follows
the keyword rules of the shipped crm-crew.yaml, so the offline model classifies records as labeled.
"""

from __future__ import annotations

import csv
import json
import random
import unicodedata
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any

from crm_crew.config.shipped import default_config_dir
from crm_crew.testing import synthetic_text as txt

INTENTS: tuple[str, ...] = (
    "spam", "unsubscribe", "cancellation", "complaint", "billing", "sales_inquiry", "support", "feedback", "other",
)
URGENCIES: tuple[str, ...] = ("low", "medium", "high", "critical")
CONTENT_FEATURES: tuple[str, ...] = tuple(txt.FEATURE_INTENTS)
FEATURES: tuple[str, ...] = CONTENT_FEATURES + ("automated", "repeat", "web_form", "chat")
COVERAGE_WINDOW = 50
START = datetime(2026, 11, 1, tzinfo=timezone.utc)

_CHANNELS, _CHANNEL_CUM = ("email", "web_form", "chat"), (70, 85, 100)
_INTENT_CUM = list(accumulate(txt.INTENT_MIX[i][0] for i in INTENTS))
_URGENCY_CUM = {i: list(accumulate(txt.URGENCY_WEIGHTS[u] for u in mix[1])) for i, mix in txt.INTENT_MIX.items()}
_FITTING = {i: tuple(f for f in CONTENT_FEATURES if i in txt.FEATURE_INTENTS[f]) for i in INTENTS}
_AUTOMATED_RATE = 0.1    # of low-urgency billing and other records
_REPEAT_RATE = 0.06      # of human records: a recent new sender writes again
_REPEAT_POOL = 64        # how many recent new senders can write again
_MIN_BODY = 200
_MAX_FORCED = 2          # pending features forced onto one record inside the coverage window


def _load_contacts() -> tuple[dict[str, str], ...]:
    path = default_config_dir() / "samples" / "contacts.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(dict(row) for row in csv.DictReader(handle))


SAMPLE_CONTACTS: tuple[dict[str, str], ...] = _load_contacts()


@dataclass(frozen=True)
class Labels:
    """What a record is meant to be: its intent, urgency and which FEATURES it carries."""

    intent: str
    urgency: str
    features: frozenset[str]


@dataclass(frozen=True)
class _Person:
    first: str
    last: str
    email: str
    company: str
    phone: str
    title: str


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _new_person(rng: random.Random) -> _Person:
    first, last = rng.choice(txt.FIRST_NAMES), rng.choice(txt.LAST_NAMES)
    stem, kind = rng.choice(txt.COMPANY_STEMS), rng.choice(txt.COMPANY_KINDS)
    local = f"{_ascii(first)}.{_ascii(last)}"
    if rng.random() < 0.15:
        email = f"{local}{rng.randint(1, 99)}@{rng.choice(txt.FREE_MAIL)}"
    else:
        email = f"{local}@{stem.lower()}-{kind.lower()}.{rng.choice(txt.TLDS)}"
    return _Person(first, last, email, f"{stem} {kind}", txt.phone(rng), rng.choice(txt.TITLES))


def _contact_person(row: dict[str, str], rng: random.Random) -> _Person:
    return _Person(row.get("first_name", ""), row.get("last_name", ""), row["email"], row.get("company", ""),
                   row.get("phone", "") or txt.phone(rng), txt.TITLES[sum(map(ord, row["email"])) % len(txt.TITLES)])


class _Values(dict[str, Any]):
    """Template placeholder values, each drawn on first use (a message needs only a few)."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> Any:
        value = self[key] = _new_person(self.rng) if key == "other" else txt.MAKERS[key](self, self.rng)
        return value


def _schedule(rng: random.Random) -> list[tuple[str, str]]:
    """Every intent once, in a shuffled order, with every urgency level on a plausible intent.

    "other" is always low, so that an automated sender (low urgency only) has its slot.
    """
    intents = list(INTENTS)
    rng.shuffle(intents)
    urgency: dict[str, str] = {"other": "low"}
    for level in reversed(URGENCIES[1:]):  # most constrained level first; "low" has many takers
        urgency[rng.choice([i for i in intents if i not in urgency and level in txt.INTENT_MIX[i][1]])] = level
    return [(i, urgency.get(i) or rng.choice(txt.INTENT_MIX[i][1])) for i in intents]


class _Inbox:
    """The generator's state: O(1) in the number of records."""

    def __init__(self, seed: int, contacts: Sequence[dict[str, str]], known_ratio: float) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.contacts = contacts
        self.known_ratio = known_ratio
        self.schedule = _schedule(self.rng)
        self.pending: set[str] = set(FEATURES)
        self.recent: deque[_Person] = deque(maxlen=_REPEAT_POOL)
        self.clock = START

    def _due(self, feature: str, index: int) -> bool:
        return index < COVERAGE_WINDOW and feature in self.pending

    def _pick(self, index: int) -> tuple[str, str]:
        if index < len(self.schedule):
            return self.schedule[index]
        intent = self.rng.choices(INTENTS, cum_weights=_INTENT_CUM)[0]
        return intent, self.rng.choices(txt.INTENT_MIX[intent][1], cum_weights=_URGENCY_CUM[intent])[0]

    def _values(self, person: _Person | None) -> _Values:
        values = _Values(self.rng)
        if person is not None:
            values.update(first=person.first, last=person.last, company=person.company, phone=person.phone,
                          title=person.title)
        return values

    def _automated(self, intent: str, urgency: str, index: int) -> tuple[str, tuple[str, ...], str] | None:
        """(From line, subjects, text) of an automated message, or None for a human one."""
        if intent in txt.AUTOMATED_TEXT and urgency == "low" and (
                self._due("automated", index) or self.rng.random() < _AUTOMATED_RATE):
            return self.rng.choice(txt.AUTOMATED_TEXT[intent])
        return None

    def _sender(self, intent: str, index: int, features: set[str]) -> _Person | str:
        """A _Person, or the whole From line of a spam sender."""
        rng = self.rng
        if intent == "spam":
            return rng.choice(txt.SPAM_SENDERS)
        if self.recent and (self._due("repeat", index) or rng.random() < _REPEAT_RATE):
            features.add("repeat")
            return rng.choice(self.recent)
        if self.contacts and rng.random() < self.known_ratio:
            return _contact_person(rng.choice(self.contacts), rng)
        person = _new_person(rng)
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

    def _urgency_line(self, intent: str, urgency: str) -> str:
        lines = (txt.SPAM_URGENCY if intent == "spam" else txt.URGENCY_TEXT)[urgency]
        extra = txt.SUPPORT_CRITICAL if (intent, urgency) == ("support", "critical") else ()
        return self.rng.choice(lines + extra)

    def _human_body(self, intent: str, urgency: str, features: set[str], values: _Values) -> tuple[str, str]:
        rng = self.rng
        text = txt.INTENT_TEXT[intent]
        subjects, opener = rng.choice(text["messages"])
        paragraphs = [" ".join(s for s in (opener, self._urgency_line(intent, urgency)) if s)]
        count = rng.randint(1, 3)
        if count >= 2:
            paragraphs.append(rng.choice(text["details"]))
        extra = [rng.choice(txt.FEATURE_TEXT[f]) for f in CONTENT_FEATURES if f in features]
        if extra:
            paragraphs[-1] = " ".join([paragraphs[-1], *extra])
        spam = intent == "spam"
        fillers = list(text["details"] if spam else txt.CONTEXT)
        rng.shuffle(fillers)
        fillers = [f for f in fillers if f not in paragraphs]
        if count >= 3 and not spam:
            paragraphs.append(fillers.pop())
        greeting = rng.choice(txt.SPAM_GREETINGS if spam else txt.GREETINGS)
        closing = f"{rng.choice(txt.SIGN_OFFS)}\n{rng.choice(txt.SPAM_SIGNATURES if spam else txt.SIGNATURES)}"
        while True:  # pad short messages to a realistic length with context
            body = "\n\n".join([greeting, *paragraphs, closing]).format_map(values)
            if len(body) >= _MIN_BODY or not fillers:
                return rng.choice(subjects).format_map(values), body
            if len(paragraphs) < 3:
                paragraphs.append(fillers.pop())
            else:
                paragraphs[-1] += " " + fillers.pop()

    def record(self, index: int) -> tuple[dict[str, Any], Labels]:
        rng = self.rng
        intent, urgency = self._pick(index)
        features: set[str] = set()
        automated = self._automated(intent, urgency, index)
        values: _Values
        if automated is not None:
            features.add("automated")
            from_line, subjects, opener = automated
            channel, values = "email", self._values(None)
            team = from_line.split("<")[0].strip()
            body = "\n\n".join(["Hello,", opener, txt.AUTOMATED_FOOTER, f"-- \nThe {team} team"]).format_map(values)
            subject = rng.choice(subjects).format_map(values)
        else:
            sender = self._sender(intent, index, features)
            person = sender if isinstance(sender, _Person) else None
            values = self._values(person)
            channel = "email" if person is None else self._channel(index, features)
            if intent != "spam":
                features |= self._content_features(intent, index)
            subject, body = self._human_body(intent, urgency, features, values)
            if isinstance(sender, str):
                from_line = sender
            else:  # a few senders give no display name
                from_line = sender.email if rng.random() < 0.1 else f"{sender.first} {sender.last} <{sender.email}>"
        prefix = {"web_form": "Web form: ", "chat": "Chat: "}.get(channel, "")
        self.pending -= features
        self.clock += timedelta(seconds=rng.randint(45, 600))
        record = {
            "id": f"syn-{self.seed}-{index:06d}", "channel": channel, "from": from_line,
            "subject": prefix + subject, "body": body, "received_at": self.clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        return record, Labels(intent, urgency, frozenset(features))


def generate_labeled(n: int, seed: int = 0, *, known_contacts: Sequence[dict[str, str]] = SAMPLE_CONTACTS,
                     known_ratio: float = 0.5) -> Iterator[tuple[dict[str, Any], Labels]]:
    """generate(...) with each record's Labels (for tests and benchmarks; never give them to a model)."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= known_ratio <= 1.0:
        raise ValueError(f"known_ratio must be between 0 and 1, got {known_ratio}")
    inbox = _Inbox(seed, known_contacts, known_ratio)
    for index in range(n):
        yield inbox.record(index)


def generate(n: int, seed: int = 0, *, known_contacts: Sequence[dict[str, str]] = SAMPLE_CONTACTS,
             known_ratio: float = 0.5) -> Iterator[dict[str, Any]]:
    """n interaction records (the JSONL input format of crm-crew), deterministic for (n, seed),
    generated lazily (constant memory: never build the whole list)."""
    for record, _ in generate_labeled(n, seed, known_contacts=known_contacts, known_ratio=known_ratio):
        yield record


def write_inbox(path: Path, n: int, seed: int = 0, **kwargs: Any) -> Path:
    """Write generate(...) as JSON Lines to path (streamed); returns path."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in generate(n, seed, **kwargs):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path

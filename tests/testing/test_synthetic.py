"""The seeded synthetic inbox (crm_crew.testing.synthetic): reproducible, accepted by the real reader, written in
five languages and varied wording that does not lean on the config's cue words, labelled honestly, and lazy.

Whether a classifier gets these messages right is a measurement (scripts/bench.py, `crm-crew eval`), not a
property of the generator, so nothing here runs the triage."""

from __future__ import annotations

import json
import re
import string
import tracemalloc
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from random import Random
from typing import Any

import pytest

from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers import read_interactions
from crm_crew.security.screen import screen
from crm_crew.testing import synthetic_text as txt
from crm_crew.testing.synthetic import (
    COVERAGE_WINDOW,
    FEATURES,
    INTENTS,
    LANGUAGES,
    SAMPLE_CONTACTS,
    URGENCIES,
    Labels,
    _Values,
    generate,
    generate_labeled,
    write_inbox,
)
from tests.cue_words import cue_regex, fold, intent_cues, says_own_cue
from tests.unit_fixtures import shipped_settings

SEEDS = [0, 1, 7, 42, 2026]
Pair = tuple[dict[str, Any], Labels]


@lru_cache(maxsize=None)
def _sample(seed: int, n: int = 3000) -> tuple[Pair, ...]:
    return tuple(generate_labeled(n, seed))


def _read(path: Path) -> list[Interaction]:
    items = list(read_interactions(path))
    assert [item for item in items if isinstance(item, Reject)] == []
    return [item for item in items if isinstance(item, Interaction)]


def _human(pairs: Iterable[Pair]) -> list[Pair]:
    return [(r, lb) for r, lb in pairs if "automated" not in lb.features and lb.intent != "spam"]


# -- reproducible ------------------------------------------------------------------------------------------------


def test_same_seed_same_records_and_a_longer_run_extends_a_shorter_one() -> None:
    first = list(generate(200, seed=5))
    assert first == list(generate(200, seed=5))
    assert list(generate(60, seed=5)) == first[:60]


def test_different_seeds_differ() -> None:
    bodies = {seed: [r["body"] for r in generate(50, seed)] for seed in SEEDS}
    assert len({tuple(b) for b in bodies.values()}) == len(SEEDS)


@pytest.mark.parametrize("seed", SEEDS)
def test_ids_are_unique_and_stable(seed: int) -> None:
    ids = [r["id"] for r in generate(500, seed)]
    assert ids == [f"syn-{seed}-{i:06d}" for i in range(500)]


def test_labels_go_with_the_same_records() -> None:
    assert [r for r, _ in generate_labeled(80, 3)] == list(generate(80, 3))


# -- the input format --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 42])
def test_the_real_reader_accepts_every_record(tmp_path: Path, seed: int) -> None:
    path = write_inbox(tmp_path / "inbox.jsonl", 300, seed)
    records = list(generate(300, seed))
    interactions = _read(path)
    assert [i.id for i in interactions] == [r["id"] for r in records]
    assert all(set(r) == {"id", "channel", "from", "subject", "body", "received_at"} for r in records)
    assert {i.channel for i in interactions} == {"email", "web_form", "chat"}
    assert all(20 <= len(r["body"]) <= 1500 for r in records)
    assert all(">" not in line[:1] for i in interactions for line in i.body.splitlines())  # quotes were removed
    times = [datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")) for r in records]
    assert times[0] > datetime.fromisoformat("2026-11-01T00:00:00+00:00")
    assert all(0 < (b - a).total_seconds() <= 600 for a, b in zip(times, times[1:]))


def test_each_channel_has_its_own_shape() -> None:
    """Emails end with a signature naming the sender, chats are short lines without one, web forms are fields."""
    shapes: Counter[str] = Counter()
    for record, labels in _human(_sample(11)):
        lines, book = record["body"].split("\n"), txt.PHRASEBOOKS[labels.language]
        first_name = record["from"].split("<")[0].split()[0] if "<" in record["from"] else ""
        if record["channel"] == "chat":
            assert record["subject"].startswith("Chat: ") and len(lines) <= 8
            assert not any(line in book["sign_offs"] for line in lines)
        elif record["channel"] == "web_form":
            assert record["subject"].startswith("Web form: ")
            assert lines[0].startswith(book["form"]["name"] + ": ") and lines[-1].startswith(book["form"]["message"])
        else:
            reply = record["subject"].startswith("Re: ")
            body = record["body"].rsplit("\n\n", 1)[0] if reply else record["body"]    # without the quote
            assert not reply or record["body"].endswith("\n> " + record["body"].rsplit("\n> ", 1)[-1])
            assert not first_name or first_name in "\n".join(body.split("\n")[-5:]), record["body"]
            shapes["reply" if reply else "email"] += 1
        shapes[record["channel"]] += 1
    assert min(shapes.values()) > 50, shapes


def test_write_inbox_can_carry_the_expected_labels_for_eval(tmp_path: Path) -> None:
    path = write_inbox(tmp_path / "labelled.jsonl", 120, 4, expected=True)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["expected"] for line in lines] == [lb.expected() for _, lb in generate_labeled(120, 4)]
    assert {"intent", "urgency", "escalate"} == set(lines[0]["expected"])
    assert [i.id for i in _read(path)] == [line["id"] for line in lines]


# -- languages ---------------------------------------------------------------------------------------------------

# Short function words that tell the five languages apart (no word is in two lists).
_MARKERS = {
    "en": {"the", "and", "is", "we", "you", "our", "with", "of", "it", "this", "for", "have"},
    "de": {"und", "der", "die", "das", "ist", "nicht", "wir", "sie", "ich", "mit", "uns", "bitte", "auf", "ihre",
           "ihr", "eine", "einer", "für", "noch", "nur", "zu", "den", "dem"},
    "es": {"el", "los", "y", "por", "es", "nos", "una", "lo", "muy", "pero", "del", "está"},
    "fr": {"le", "les", "et", "est", "nous", "vous", "pour", "pas", "une", "je", "avec", "dans"},
    "pt": {"o", "os", "e", "não", "é", "com", "um", "uma", "você", "vocês", "nosso", "nossa", "isso"},
}


def _language_of(text: str) -> tuple[str, int]:
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(w in markers for w in words) for lang, markers in _MARKERS.items()}
    return max(scores, key=lambda lang: scores[lang]), len(words)


def test_records_are_written_in_the_language_their_labels_say() -> None:
    checked = agree = 0
    for record, labels in _sample(12):
        language, words = _language_of(record["subject"] + " " + record["body"])
        if words >= 15:
            checked += 1
            agree += language == labels.language
    assert checked > 2000 and agree / checked > 0.9, (agree, checked)


def test_the_language_mix_is_mostly_english_with_every_other_language_well_represented() -> None:
    shares = Counter(labels.language for _, labels in _sample(11))
    total = sum(shares.values())
    assert set(shares) == set(LANGUAGES) == {"en", "de", "es", "fr", "pt"}
    assert 0.4 < shares["en"] / total < 0.56
    assert all(0.08 < shares[lang] / total < 0.2 for lang in ("de", "es", "fr", "pt")), shares


def test_languages_can_be_chosen() -> None:
    german = list(generate_labeled(200, 6, languages=["de"]))
    assert {labels.language for _, labels in german} == {"de"}
    assert all(_language_of(r["body"])[0] == "de" for r, _ in german if _language_of(r["body"])[1] >= 15)
    two = {labels.language for _, labels in generate_labeled(60, 6, languages=("en", "pt"))}
    assert two == {"en", "pt"}


# -- labels ------------------------------------------------------------------------------------------------------


def test_taxonomy_matches_the_shipped_config() -> None:
    settings = shipped_settings()
    assert list(INTENTS) == list(settings.intents)
    assert list(URGENCIES) == list(settings.urgency.levels)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_intent_urgency_feature_and_language_appears_in_the_first_records(seed: int) -> None:
    labels = [lb for _, lb in generate_labeled(COVERAGE_WINDOW, seed)]
    assert {lb.intent for lb in labels} == set(INTENTS)
    assert {lb.urgency for lb in labels} == set(URGENCIES)
    assert {lb.language for lb in labels} == set(LANGUAGES)
    assert set().union(*(lb.features for lb in labels)) == set(FEATURES)


def test_urgency_is_only_what_makes_sense_for_the_intent() -> None:
    seen = {(lb.intent, lb.urgency) for _, lb in _sample(11)}
    assert {u for i, u in seen if i in ("spam", "feedback")} == {"low"}
    assert {i for i, u in seen if u == "critical"} == {"support", "complaint"}
    assert {u for i, u in seen if i == "support"} == set(URGENCIES)


def test_escalation_follows_the_ops_rules() -> None:
    """Critical urgency, an injection, a legal threat, a personal-data request or an enterprise customer's
    complaint is escalated; nothing else is (low confidence is not a label)."""
    enterprise = {c["email"] for c in SAMPLE_CONTACTS if c.get("tier") == "enterprise"}
    reasons: Counter[str] = Counter()
    for record, labels in _sample(11):
        why: list[str] = [f for f in ("injection", "legal", "gdpr") if f in labels.features]
        why += ["critical"] if labels.urgency == "critical" else []
        why += ["enterprise"] if labels.intent == "complaint" and any(a in record["from"] for a in enterprise) else []
        assert labels.escalate == bool(why), (labels, record["from"])
        reasons.update(why)
    assert set(reasons) == {"injection", "legal", "gdpr", "critical", "enterprise"}


def test_what_the_screen_finds_is_in_the_labels(tmp_path: Path) -> None:
    """Card numbers and IBANs are there exactly when labelled; any injection, legal or personal-data flag the
    screen raises comes from a record labelled so (the surrounding text never trips it)."""
    settings = shipped_settings()
    path = write_inbox(tmp_path / "inbox.jsonl", 600, 3)
    flagged: Counter[str] = Counter()
    for interaction, (_, labels) in zip(_read(path), generate_labeled(600, 3)):
        result = screen(interaction, settings.security, settings.limits)
        assert ("card" in result.pii_redacted) == ("card" in labels.features), interaction.body
        assert ("iban" in result.pii_redacted) == ("iban" in labels.features), interaction.body
        for flag, feature in (("prompt_injection", "injection"), ("legal_action", "legal"),
                              ("personal_data_request", "gdpr")):
            if flag in result.flags:
                assert feature in labels.features, interaction.body
                flagged[flag] += 1
    assert flagged["prompt_injection"] > 0


# -- wording: varied, and not the config's cue words ------------------------------------------------------------


def test_cue_matcher_follows_the_config_syntax() -> None:
    pattern = cue_regex(["cancel*", "close .. account", "opt out"])
    assert pattern is not None
    hits = [t for t in ("Cancelling now", "close my old account", "please opt-out", "cancer", "closed account")
            if pattern.search(fold(t))]
    assert hits == ["Cancelling now", "close my old account", "please opt-out"]


def test_wording_does_not_lean_on_the_configs_cue_words() -> None:
    """Most messages say what they want in other words; some use the everyday words people do use."""
    said: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for record, labels in _human(_sample(11)):
        total[labels.intent] += 1
        said[labels.intent] += says_own_cue(record["subject"] + " " + record["body"], labels.intent, labels.language)
    share = sum(said.values()) / sum(total.values())
    # The config's cue lists are broad (everyday words in five languages), so some overlap is natural; the
    # bound keeps the generator from leaning on them.
    assert 0.05 < share < 0.45, share
    # Unsubscribe requests have few ways of being said ("stop sending", "newsletter"): a looser bound per intent.
    assert all(said[i] / total[i] < 0.7 for i in total), {i: said[i] / total[i] for i in total}


def test_frame_text_names_no_intent() -> None:
    """Greetings, sign-offs, signatures, chat openers, quoted replies, background and names carry no intent's cue,
    so the label rests on what the customer asks."""
    hits = []
    for language, book in txt.PHRASEBOOKS.items():
        people = book["people"]
        # Quoted replies are left out: the readers cut them off before triage sees the message.
        frame = [*book["greetings"], *book["sign_offs"], *book["signatures"], *book["chat_openers"],
                 book["quote_header"], *book["context"], *book["form"].values(),
                 *people["first_names"], *people["last_names"], *people["company_kinds"], *people["titles"],
                 *people["cities"], *people["teams"], *people["streets"], *txt.COMPANY_STEMS]
        for intent in INTENTS:
            pattern = intent_cues(intent, language)
            hits += [(language, intent, t) for t in frame if pattern and pattern.search(fold(t))]
    assert hits == []


def test_messages_are_varied() -> None:
    pairs = _sample(11)
    bodies = [r["body"] for r, _ in pairs]
    assert len(set(bodies)) / len(bodies) > 0.99
    subjects: dict[tuple[str, str], set[str]] = {}
    for record, labels in _human(pairs):
        subject = re.sub(r"^(Re|Chat|Web form): ", "", re.sub(r"\d", "#", record["subject"]))
        subjects.setdefault((labels.intent, labels.language), set()).add(subject)
    assert len(subjects) == (len(INTENTS) - 1) * len(LANGUAGES)       # every intent but spam, in every language
    assert min(len(s) for s in subjects.values()) >= 4, {k: len(s) for k, s in subjects.items() if len(s) < 4}


def test_every_language_has_several_sentence_structures_per_intent_and_every_slot_resolves() -> None:
    person = {"first": "Ada", "last": "Lovelace", "company": "Engines Ltd", "phone": "+44 20 7946 0000",
              "title": "Founder"}
    for language, book in txt.PHRASEBOOKS.items():
        assert set(book["intents"]) == set(INTENTS)
        assert set(book["features"]) == set(txt.FEATURE_INTENTS)
        assert set(book["asides"]) == set(txt.ASIDE_FITS)
        for intent, text in book["intents"].items():
            assert len(text["messages"]) >= (6 if language == "en" else 5) - (intent == "spam"), (language, intent)
        for template in _templates(book):
            values = _Values(Random(1), book)
            values.update(person)
            filled = template.format_map(values)
            assert "{" not in filled and "}" not in filled, (language, template)


def _templates(book: Any) -> Iterable[str]:
    """Every string in a phrasebook that is formatted with slots."""
    def walk(node: Any) -> Iterable[str]:
        if isinstance(node, str):
            if any(field for _, field, _, _ in string.Formatter().parse(node) if field):
                yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, (tuple, list)):
            for value in node:
                yield from walk(value)
    yield from walk({k: v for k, v in book.items() if k not in ("people", "date_format", "money_formats")})


# -- senders ----------------------------------------------------------------------------------------------------


def test_senders_known_new_repeat_automated_and_free_mail() -> None:
    settings = shipped_settings()
    known = {c["email"] for c in SAMPLE_CONTACTS}
    prefixes = tuple(p for book in txt.PHRASEBOOKS.values() for p in book["auto_reply"]["prefixes"])
    free = {d for book in txt.PHRASEBOOKS.values() for d in book["people"]["free_mail"]}
    seen_new: set[str] = set()
    kinds: Counter[str] = Counter()
    for record, labels in _sample(11):
        address = record["from"].rsplit("<", 1)[-1].rstrip(">")
        local, domain = address.split("@")
        if "automated" in labels.features:
            system = any(word in local for word in settings.matching.non_human_senders)
            assert system or record["subject"].startswith(prefixes), record
            kinds["automated" if system else "auto_reply"] += 1
        elif labels.intent == "spam":
            kinds["spam"] += 1
        elif "repeat" in labels.features:
            assert address in seen_new and address not in known
            kinds["repeat"] += 1
        elif address in known:
            kinds["known"] += 1
        else:
            seen_new.add(address)
            kinds["free_mail" if domain in free else "new"] += 1
    human = kinds["known"] + kinds["new"] + kinds["free_mail"] + kinds["repeat"]
    assert 0.35 < kinds["known"] / human < 0.65
    assert min(kinds.values()) > 5, kinds
    assert len(seen_new) > 500  # a wide variety of new people


def test_known_contacts_and_ratio_are_options() -> None:
    known = {c["email"] for c in SAMPLE_CONTACTS}
    assert len(SAMPLE_CONTACTS) >= 10 and all(c["email"] and c["first_name"] for c in SAMPLE_CONTACTS)
    nobody = [r["from"] for r in generate(300, 4, known_contacts=())]
    assert not any(email in sender for sender in nobody for email in known)
    mine = [{"email": "ada@lovelace.dev", "first_name": "Ada", "last_name": "Lovelace", "company": "Engines Ltd"}]
    everyone = list(generate_labeled(300, 4, known_contacts=mine, known_ratio=1.0))
    humans = [r["from"] for r, lb in everyone if lb.intent != "spam" and not lb.features & {"automated", "repeat"}]
    assert humans and all("ada@lovelace.dev" in sender for sender in humans)


@pytest.mark.parametrize(("n", "ratio", "languages"), [(-1, 0.5, ("en",)), (10, 1.5, ("en",)), (10, -0.1, ("en",)),
                                                       (10, 0.5, ()), (10, 0.5, ("en", "nl"))])
def test_bad_arguments_are_refused(n: int, ratio: float, languages: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        next(generate(n, known_ratio=ratio, languages=languages))


# -- lazy ----------------------------------------------------------------------------------------------------------


def test_generate_is_lazy_and_constant_memory() -> None:
    assert next(generate(10**9, 1))["id"] == "syn-1-000000"  # nothing is built up front
    tracemalloc.start()
    try:
        count = 0
        for _ in generate(2_000, 1):
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2_000
    assert peak < 512 * 1024, peak  # a built list of 2,000 records would take ~2 MB


def test_write_inbox_streams_json_lines(tmp_path: Path) -> None:
    path = write_inbox(tmp_path / "big.jsonl", 2_000, 9)
    with path.open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 2_000
    first = next(islice(read_interactions(path), 1))
    assert isinstance(first, Interaction) and first.id == "syn-9-000000"

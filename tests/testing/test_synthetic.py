"""The seeded synthetic inbox (crm_crew.testing.synthetic): reproducible, accepted by the real reader,
classified as intended by the offline model's keyword rules, and lazy."""

from __future__ import annotations

import tracemalloc
from collections import Counter
from datetime import datetime
from itertools import islice
from pathlib import Path

import pytest

from crm_crew.config.models import Settings
from crm_crew.models import Interaction, Reject
from crm_crew.pipeline.readers import read_interactions
from crm_crew.security.screen import screen
from crm_crew.testing import synthetic_text as txt
from crm_crew.testing.synthetic import (
    COVERAGE_WINDOW,
    FEATURES,
    INTENTS,
    SAMPLE_CONTACTS,
    URGENCIES,
    Labels,
    generate,
    generate_labeled,
    write_inbox,
)
from tests.unit_fixtures import shipped_settings

SEEDS = [0, 1, 7, 42, 2026]
TASK_FEATURES = {"call_me": "call", "schedule_call": "meeting", "quote": "quote"}


def _read(path: Path) -> list[Interaction]:
    items = list(read_interactions(path))
    rejects = [item for item in items if isinstance(item, Reject)]
    assert rejects == []
    return [item for item in items if isinstance(item, Interaction)]


def _model_text(interaction: Interaction, settings: Settings) -> tuple[str, list[str], list[str]]:
    """(what the offline model classifies: redacted subject + body, screen flags, redacted PII kinds)."""
    result = screen(interaction, settings.security, settings.limits)
    return f"{result.subject}\n{result.body}", result.flags, result.pii_redacted


# -- reproducible --------------------------------------------------------------------------------


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


# -- the input format ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 42])
def test_the_real_reader_accepts_every_record(tmp_path: Path, seed: int) -> None:
    path = write_inbox(tmp_path / "inbox.jsonl", 300, seed)
    records = list(generate(300, seed))
    interactions = _read(path)
    assert [i.id for i in interactions] == [r["id"] for r in records]
    assert all(set(r) == {"id", "channel", "from", "subject", "body", "received_at"} for r in records)
    assert {i.channel for i in interactions} == {"email", "web_form", "chat"}
    assert all(200 <= len(r["body"]) <= 1500 for r in records)
    times = [datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")) for r in records]
    assert times[0] > datetime.fromisoformat("2026-11-01T00:00:00+00:00")
    assert all(0 < (b - a).total_seconds() <= 600 for a, b in zip(times, times[1:]))
    assert all(i.received_at for i in interactions)


def test_bodies_read_like_messages() -> None:
    for record in generate(300, 11):
        greeting = record["body"].split("\n")[0]
        assert greeting.endswith(",") and len(greeting) > 1, greeting
        assert 1 <= record["body"].count("\n\n") - 1 <= 3  # 1-3 paragraphs between greeting and sign-off
        assert not record["body"].endswith("\n")


# -- classified as intended ------------------------------------------------------------------------


def test_taxonomy_matches_the_shipped_config() -> None:
    settings = shipped_settings()
    assert list(INTENTS) == list(settings.intents)
    assert list(URGENCIES) == list(settings.urgency.levels)


def _keywords(settings: Settings) -> list[str]:
    words = [k for intent in settings.intents.values() for k in intent.keywords]
    words += [k for level in settings.urgency.keywords.values() for k in level]
    words += [k for kind in settings.actions.task_triggers.values() for k in kind]
    words += [k for flag in settings.security.flag_patterns.values() for k in flag]
    return words


@pytest.mark.parametrize("seed", SEEDS)
def test_every_feature_appears_in_the_first_records(seed: int) -> None:
    seen = set().union(*(labels.features for _, labels in generate_labeled(COVERAGE_WINDOW, seed)))
    assert seen == set(FEATURES)


def test_senders_known_new_repeat_automated_and_free_mail() -> None:
    settings = shipped_settings()
    known = {c["email"] for c in SAMPLE_CONTACTS}
    pairs: list[tuple[dict[str, str], Labels]] = list(generate_labeled(1000, 8))
    seen_new: set[str] = set()
    kinds: Counter[str] = Counter()
    for record, labels in pairs:
        address = record["from"].rsplit("<", 1)[-1].rstrip(">")
        local, domain = address.split("@")
        if "automated" in labels.features:
            assert any(word in local for word in settings.matching.non_human_senders), address
            kinds["automated"] += 1
        elif labels.intent == "spam":
            kinds["spam"] += 1
        elif "repeat" in labels.features:
            assert address in seen_new and address not in known
            kinds["repeat"] += 1
        elif address in known:
            kinds["known"] += 1
        else:
            seen_new.add(address)
            kinds["free_mail" if domain in settings.matching.free_mail_domains else "new"] += 1
    human = kinds["known"] + kinds["new"] + kinds["free_mail"] + kinds["repeat"]
    assert 0.35 < kinds["known"] / human < 0.65
    assert min(kinds.values()) > 5, kinds
    assert len(seen_new) > 200  # a wide variety of new people


def test_known_contacts_and_ratio_are_options() -> None:
    known = {c["email"] for c in SAMPLE_CONTACTS}
    assert len(SAMPLE_CONTACTS) >= 10 and all(c["email"] and c["first_name"] for c in SAMPLE_CONTACTS)
    nobody = [r["from"] for r in generate(300, 4, known_contacts=())]
    assert not any(email in sender for sender in nobody for email in known)
    mine = [{"email": "ada@lovelace.dev", "first_name": "Ada", "last_name": "Lovelace", "company": "Engines Ltd"}]
    everyone = list(generate_labeled(300, 4, known_contacts=mine, known_ratio=1.0))
    humans = [r["from"] for r, lb in everyone if lb.intent != "spam" and not lb.features & {"automated", "repeat"}]
    assert humans and all("ada@lovelace.dev" in sender for sender in humans)


@pytest.mark.parametrize(("n", "ratio"), [(-1, 0.5), (10, 1.5), (10, -0.1)])
def test_bad_arguments_are_refused(n: int, ratio: float) -> None:
    with pytest.raises(ValueError):
        next(generate(n, known_ratio=ratio))


# -- lazy ------------------------------------------------------------------------------------------


def test_generate_is_lazy_and_constant_memory() -> None:
    assert next(generate(10**9, 1))["id"] == "syn-1-000000"  # nothing is built up front
    tracemalloc.start()
    try:
        count = 0
        for _ in generate(5_000, 1):
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 5_000
    assert peak < 2 * 1024 * 1024, peak  # a built list of 5,000 records would take ~5 MB


def test_write_inbox_streams_json_lines(tmp_path: Path) -> None:
    path = write_inbox(tmp_path / "big.jsonl", 2_000, 9)
    with path.open(encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == 2_000
    first = next(islice(read_interactions(path), 1))
    assert isinstance(first, Interaction) and first.id == "syn-9-000000"

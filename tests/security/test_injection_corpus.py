"""The injection screen on its labelled corpus: detection and false-positive rates at the targets.

tests/security/data/injection holds attempts.jsonl (every record an injection attempt, in the subject,
body, signature, display name, sender address or record id; five languages and Chinese; disguised with
zero-width characters, look-alike letters, fullwidth text, base64, rot13, broken lines, spacing,
leetspeak) and benign.jsonl (ordinary customer mail, much of it saying "ignore", "system", "admin",
"delete my account", "export", carrying base64, JSON or quoted earlier mail). Both are read by crm-crew's
own JSONL reader and screened with the shipped settings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from crm_crew.models import Interaction
from crm_crew.pipeline.readers.common import Limits
from crm_crew.pipeline.readers.jsonl import read_jsonl
from crm_crew.security.screen import ScreenResult, screen
from tests.unit_fixtures import REPO, shipped_settings

CORPUS = Path(__file__).parent / "data" / "injection"
MIN_DETECTION = 0.95
MAX_FALSE_POSITIVES = 0.02


def _screened(name: str) -> list[tuple[Interaction, ScreenResult]]:
    items = list(read_jsonl(CORPUS / f"{name}.jsonl", Limits()))
    assert all(isinstance(item, Interaction) for item in items), [i for i in items if not isinstance(i, Interaction)]
    s = shipped_settings()
    return [(item, screen(item, s.security, s.limits)) for item in items if isinstance(item, Interaction)]


@pytest.fixture(scope="module")
def attempts() -> list[tuple[Interaction, ScreenResult]]:
    return _screened("attempts")


@pytest.fixture(scope="module")
def benign() -> list[tuple[Interaction, ScreenResult]]:
    return _screened("benign")


def _corpus(interaction: Interaction, key: str) -> str:
    return str(interaction.metadata["corpus"][key])


def test_the_corpus_is_big_and_varied_enough_to_measure(attempts: list, benign: list) -> None:
    assert len(attempts) >= 80 and len(benign) >= 150
    languages = Counter(_corpus(it, "lang") for it, _ in attempts)
    assert all(languages[lang] >= 10 for lang in ("en", "de", "es", "fr", "pt")), languages
    assert {_corpus(it, "where") for it, _ in attempts} == {"subject", "body", "signature", "sender_name",
                                                            "sender_email", "id"}
    techniques = {_corpus(it, "technique") for it, _ in attempts}
    assert {"override", "roleplay", "fake_system", "bulk", "fake_answer", "base64", "rot13", "zero_width",
            "homoglyph", "fullwidth", "line_breaks", "letter_spacing", "leetspeak"} <= techniques
    assert len({it.id for it, _ in attempts} | {it.id for it, _ in benign}) == len(attempts) + len(benign)


def test_at_least_95_percent_of_attempts_are_flagged(attempts: list) -> None:
    missed = [it.id for it, result in attempts if not result.injection]
    rate = 1 - len(missed) / len(attempts)
    assert rate >= MIN_DETECTION, f"detection {rate:.1%}; missed: {missed}"


def test_at_most_2_percent_of_benign_messages_are_flagged(benign: list) -> None:
    flagged = {it.id: result.injection_signals for it, result in benign if result.injection}
    rate = len(flagged) / len(benign)
    assert rate <= MAX_FALSE_POSITIVES, f"false positives {rate:.1%}: {flagged}"


def test_each_attempt_is_flagged_in_the_field_that_carries_it(attempts: list) -> None:
    wrong = [(it.id, _corpus(it, "where"), result.injected_fields) for it, result in attempts
             if result.injection and _corpus(it, "where") not in result.injected_fields]
    assert wrong == []


def test_the_rates_script_reports_the_same_figures(attempts: list, benign: list) -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "injection_rates.py"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    assert figures["attempts"]["flagged"] == sum(r.injection for _, r in attempts)
    assert figures["benign"]["flagged"] == sum(r.injection for _, r in benign)
    assert figures["attempts"]["total"] == len(attempts) and figures["benign"]["total"] == len(benign)
    assert [m["id"] for m in figures["attempts"]["missed"]] == [it.id for it, r in attempts if not r.injection]

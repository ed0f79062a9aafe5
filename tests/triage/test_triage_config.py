"""`crm-crew validate` checks the triage config: cue syntax and languages, urgency default, examples."""

from __future__ import annotations

import shutil
from pathlib import Path

from crm_crew.config.shipped import default_config_dir
from tests.e2e.clihelp import cli


def _config(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(default_config_dir(), folder)
    path = folder / "crm-crew.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def test_an_example_triaged_as_another_intent_is_reported_where_it_is(tmp_path: Path) -> None:
    folder = _config(tmp_path, "    examples:\n      - \"Just wanted to say your support team was fantastic",
                     "    examples:\n      - \"Please refund the double charge on my last invoice.\"\n"
                     "      - \"Just wanted to say your support team was fantastic")
    result = cli("validate", "--config", str(folder), home=tmp_path / "state")
    assert result.code == 1
    assert "crm-crew.yaml:" in result.err and "intents.feedback.examples[0]: this example of 'feedback' is " \
                                                "triaged as 'billing'" in result.err


def test_cues_that_can_never_match_and_unknown_languages_are_reported(tmp_path: Path) -> None:
    folder = _config(tmp_path, "      en: [call me,", "      xx: [nope]\n      en: [p*, .. call, call me,")
    result = cli("validate", "--config", str(folder), home=tmp_path / "state")
    assert result.code == 1
    assert "unknown language 'xx'" in result.err
    assert "cue 'p*' can never match: 'p*': a wildcard needs at least 3 letters before '*'" in result.err
    assert "cue '.. call' can never match: '..' stands between two words, not at an end" in result.err


def test_the_shipped_config_passes(tmp_path: Path) -> None:
    assert cli("validate", home=tmp_path / "state").code == 0

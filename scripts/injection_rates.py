#!/usr/bin/env python3
"""Detection and false-positive rates of the prompt-injection screen on a labelled corpus.

The corpus is two JSONL files of interactions in crm-crew's input format: attempts.jsonl (every record
is an injection attempt) and benign.jsonl (none is). Each record is read by crm-crew's own reader and
screened with the settings of a config folder, as `crm-crew run` would.

    python scripts/injection_rates.py                          # the shipped config, tests/security/data/injection
    python scripts/injection_rates.py --config my-config --corpus my-corpus --json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crm_crew.config.loader import load_config  # noqa: E402
from crm_crew.models import Interaction  # noqa: E402
from crm_crew.pipeline.readers.common import Limits  # noqa: E402
from crm_crew.pipeline.readers.jsonl import read_jsonl  # noqa: E402
from crm_crew.security.screen import screen  # noqa: E402

DEFAULT_CORPUS = REPO / "tests" / "security" / "data" / "injection"


def _label(interaction: Interaction, key: str) -> str:
    corpus = interaction.metadata.get("corpus")
    return str(corpus.get(key, "?")) if isinstance(corpus, dict) else "?"


def _screen_file(path: Path, settings: Any) -> list[tuple[Interaction, Any]]:
    items = list(read_jsonl(path, Limits()))
    rejects = [item for item in items if not isinstance(item, Interaction)]
    if rejects:
        raise SystemExit(f"{path}: {rejects[0].position}: {rejects[0].reason}")
    return [(item, screen(item, settings.security, settings.limits)) for item in items if isinstance(item, Interaction)]


def _summary(screened: list[tuple[Interaction, Any]]) -> dict[str, Any]:
    total, flagged = Counter[str](), Counter[str]()
    for interaction, result in screened:
        total[_label(interaction, "lang")] += 1
        flagged[_label(interaction, "lang")] += result.injection
    count = sum(flagged.values())
    return {"total": len(screened), "flagged": count, "rate": round(count / len(screened), 4) if screened else 0.0,
            "by_language": {lang: f"{flagged[lang]}/{n}" for lang, n in sorted(total.items())}}


def measure(config_dir: Path, corpus: Path) -> dict[str, Any]:
    settings = load_config(config_dir).settings
    attempts = _screen_file(corpus / "attempts.jsonl", settings)
    benign = _screen_file(corpus / "benign.jsonl", settings)
    missed = [{"id": it.id, "technique": _label(it, "technique"), "where": _label(it, "where")}
              for it, result in attempts if not result.injection]
    false_positives = [{"id": it.id, "signals": result.injection_signals} for it, result in benign if result.injection]
    return {"detection_rate": _summary(attempts)["rate"], "false_positive_rate": _summary(benign)["rate"],
            "attempts": {**_summary(attempts), "missed": missed},
            "benign": {**_summary(benign), "false_positives": false_positives}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=REPO / "config", help="config folder (default: shipped)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder with attempts.jsonl, benign.jsonl")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(args.config, args.corpus)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return 0
    attempts, benign = figures["attempts"], figures["benign"]
    print(f"attempts flagged: {attempts['flagged']}/{attempts['total']} ({attempts['rate']:.1%})  "
          f"by language: {attempts['by_language']}")
    print(f"benign flagged:   {benign['flagged']}/{benign['total']} ({benign['rate']:.1%})  "
          f"by language: {benign['by_language']}")
    for miss in attempts["missed"]:
        print(f"  missed {miss['id']} ({miss['technique']}, in {miss['where']})")
    for hit in benign["false_positives"]:
        print(f"  false positive {hit['id']}: {'; '.join(hit['signals'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The `expected` labels of an eval input: JSON Lines or JSON records, keyed as the readers key them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crm_crew.errors import UserError


@dataclass(frozen=True)
class Expected:
    intent: str
    also_acceptable: tuple[str, ...] = ()
    urgency: str | None = None
    escalate: bool | None = None
    actions: tuple[str, ...] | None = None

    def accepts(self, intent: str | None) -> bool:
        return intent == self.intent or (intent is not None and intent in self.also_acceptable)


@dataclass
class Labels:
    by_position: dict[tuple[str, str], Expected] = field(default_factory=dict)   # (source, "line 3") -> label
    problems: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.by_position)


def read_labels(paths: list[Path], intents: set[str], levels: list[str]) -> Labels:
    labels = Labels()
    for path in paths:
        source = str(path.absolute())
        if path.suffix.lower() == ".jsonl":
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
                if line.strip():
                    _add(labels, source, f"line {number}", _loads(line), intents, levels)
        elif path.suffix.lower() == ".json":
            data = _loads(path.read_text(encoding="utf-8", errors="replace"))
            records = data if isinstance(data, list) else [data]
            for index, record in enumerate(records):
                _add(labels, source, f"index {index}", record, intents, levels)
        else:
            raise UserError(f"{path}: eval reads labels from .jsonl or .json files (an `expected` object per record)")
    return labels


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None          # the run's reader rejects it with its reason; it is simply not scored


def _add(labels: Labels, source: str, position: str, record: Any, intents: set[str], levels: list[str]) -> None:
    where = f"{source} {position}"
    if not isinstance(record, dict) or "expected" not in record:
        return
    raw = record["expected"]
    if not isinstance(raw, dict) or not isinstance(raw.get("intent"), str):
        labels.problems.append(f"{where}: `expected` needs an `intent` string")
        return
    named = [raw["intent"], *(raw.get("also_acceptable") or [])]
    unknown = [i for i in named if i not in intents]
    if unknown:
        labels.problems.append(f"{where}: intent {unknown[0]!r} is not in the taxonomy ({', '.join(sorted(intents))})")
        return
    urgency = raw.get("urgency")
    if urgency is not None and urgency not in levels:
        labels.problems.append(f"{where}: urgency {urgency!r} is not one of {', '.join(levels)}")
        return
    actions = raw.get("actions")
    escalate = raw.get("escalate")
    labels.by_position[(source, position)] = Expected(
        raw["intent"], tuple(raw.get("also_acceptable") or ()), urgency,
        bool(escalate) if isinstance(escalate, bool) else None,
        tuple(str(a) for a in actions) if isinstance(actions, list) else None)

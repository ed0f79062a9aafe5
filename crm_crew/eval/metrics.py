"""Scores of a labelled shadow run: accuracy, F1, confusion, urgency, escalation, actions, calibration."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from crm_crew.eval.labels import Expected
from crm_crew.triage.calibration import expected_calibration_error, reliability

NONE = "(none)"          # no intent: the record was rejected or failed


@dataclass(frozen=True)
class Scored:
    record: dict[str, Any]
    expected: Expected

    @property
    def predicted(self) -> str:
        return self.record.get("intent") or NONE

    @property
    def correct(self) -> bool:
        return self.expected.accepts(self.record.get("intent"))

    @property
    def credited(self) -> str:
        """The prediction as scored: an acceptable alternative counts as the expected intent."""
        return self.expected.intent if self.correct else self.predicted


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def intent_figures(items: list[Scored]) -> dict[str, Any]:
    n = len(items)
    gold = Counter(s.expected.intent for s in items)
    predicted = Counter(s.credited for s in items)
    hits = Counter(s.expected.intent for s in items if s.correct)
    per_intent = {}
    for intent in sorted(set(gold) | set(predicted) - {NONE}):
        p, r = _ratio(hits[intent], predicted[intent]), _ratio(hits[intent], gold[intent])
        per_intent[intent] = {"precision": p, "recall": r, "f1": _f1(p, r), "support": gold[intent]}
    labelled = [i for i in per_intent if gold[i]]
    return {
        "messages": n,
        "accuracy_strict": _ratio(sum(s.predicted == s.expected.intent for s in items), n),
        "accuracy": _ratio(sum(s.correct for s in items), n),
        "macro_f1": round(sum(per_intent[i]["f1"] for i in labelled) / len(labelled), 4) if labelled else 0.0,
        "other_rate": _ratio(sum(s.predicted == "other" for s in items), n),
        "per_intent": per_intent,
    }


def confusion(items: list[Scored]) -> dict[str, dict[str, int]]:
    """Expected intent -> credited prediction -> count."""
    matrix: dict[str, Counter[str]] = defaultdict(Counter)
    for s in items:
        matrix[s.expected.intent][s.credited] += 1
    return {gold: dict(row) for gold, row in sorted(matrix.items())}


def urgency_figures(items: list[Scored], levels: list[str]) -> dict[str, Any]:
    pairs = [(s.expected.urgency, s.record.get("urgency")) for s in items if s.expected.urgency]
    scored = [(e, p) for e, p in pairs if p in levels]
    exact = sum(e == p for e, p in scored)
    within = sum(abs(levels.index(e) - levels.index(p)) <= 1 for e, p in scored)
    return {"messages": len(pairs), "exact": _ratio(exact, len(pairs)), "within_one": _ratio(within, len(pairs))}


def escalation_figures(items: list[Scored]) -> dict[str, Any] | None:
    pairs = [(s.expected.escalate, s.record.get("status") == "escalated") for s in items if s.expected.escalate is not None]
    if not pairs:
        return None
    tp = sum(e and p for e, p in pairs)
    return {"messages": len(pairs), "precision": _ratio(tp, sum(p for _, p in pairs)),
            "recall": _ratio(tp, sum(e for e, _ in pairs)), "escalated": _ratio(sum(p for _, p in pairs), len(pairs))}


def action_figures(items: list[Scored]) -> dict[str, Any] | None:
    labelled = [s for s in items if s.expected.actions is not None]
    if not labelled:
        return None
    tp = fp = fn = 0
    for s in labelled:
        got = {a.get("type") for a in s.record.get("actions") or []}
        want = set(s.expected.actions or ())
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    return {"messages": len(labelled), "precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn)}


def calibration_figures(items: list[Scored]) -> dict[str, Any]:
    rated = [s for s in items if isinstance(s.record.get("confidence"), (int, float))]
    conf = [float(s.record["confidence"]) for s in rated]
    right = [s.correct for s in rated]
    return {"messages": len(rated), "ece": round(expected_calibration_error(conf, right), 4),
            "reliability": [{"bin": f"{b.low:.1f}-{b.high:.1f}", "count": b.count,
                             "mean_confidence": round(b.mean_confidence, 3), "accuracy": round(b.accuracy, 3)}
                            for b in reliability(conf, right)]}


def route_shares(records: Iterable[dict[str, Any]]) -> dict[str, float]:
    routes = Counter(r.get("route") or "none" for r in records)
    total = sum(routes.values())
    return {route: _ratio(count, total) for route, count in sorted(routes.items())}


def evaluate(items: list[Scored], levels: list[str]) -> dict[str, Any]:
    figures: dict[str, Any] = {**intent_figures(items), "confusion": confusion(items),
                               "urgency": urgency_figures(items, levels),
                               "calibration": calibration_figures(items),
                               "routes": route_shares(s.record for s in items)}
    escalation, actions = escalation_figures(items), action_figures(items)
    if escalation is not None:
        figures["escalation"] = escalation
    if actions is not None:
        figures["actions"] = actions
    figures["escalated"] = _ratio(sum(s.record.get("status") == "escalated" for s in items), len(items))
    return figures


def by_language(items: list[Scored], levels: list[str]) -> dict[str, Any]:
    groups: dict[str, list[Scored]] = defaultdict(list)
    for s in items:
        groups[s.record.get("language") or "unknown"].append(s)
    if len(groups) < 2:
        return {}
    out = {}
    for language, group in sorted(groups.items()):
        f = intent_figures(group)
        out[language] = {"messages": f["messages"], "accuracy": f["accuracy"], "macro_f1": f["macro_f1"],
                         "other_rate": f["other_rate"], "urgency_exact": urgency_figures(group, levels)["exact"],
                         "ece": calibration_figures(group)["ece"]}
    return out

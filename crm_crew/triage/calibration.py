"""Confidence that means what it says, and the figures that check it (expected calibration error)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


MARGIN_CAP, SCORE_CAP = 4.0, 6.0
FEATURES = ("bias", "margin", "score", "cues")     # the coefficients of `triage.calibration`, in this order


def features(score: float, margin: float, cues: bool) -> tuple[float, ...]:
    """What the confidence curve reads: the winner's score and margin over the runner-up (capped), and
    whether any cue phrase backs the winner (a win on example likeness alone is right far less often)."""
    return 1.0, min(margin, MARGIN_CAP), min(score, SCORE_CAP), 1.0 if cues else 0.0


def calibrated_confidence(score: float, margin: float, cues: bool, tuning: Any) -> float:
    """P(right): a logistic curve over `features` whose coefficients (`triage.calibration`) were fitted on
    labelled messages; refit them on your own with `crm-crew eval --fit-calibration`."""
    c = tuning.calibration
    z = sum(getattr(c, name) * x for name, x in zip(FEATURES, features(score, margin, cues)))
    return round(1.0 / (1.0 + math.exp(-z)), 3)


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    mean_confidence: float
    accuracy: float


def reliability(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> list[Bin]:
    """Equal-width bins over [0, 1]; a confidence of exactly 1.0 falls in the last bin."""
    table: list[Bin] = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [i for i, c in enumerate(confidences) if low <= c < high or (b == bins - 1 and c == high)]
        if members:
            table.append(Bin(low, high, len(members), sum(confidences[i] for i in members) / len(members),
                             sum(correct[i] for i in members) / len(members)))
        else:
            table.append(Bin(low, high, 0, 0.0, 0.0))
    return table


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[bool], bins: int = 10) -> float:
    """Sum over bins of (bin share) x |accuracy - mean confidence|."""
    n = len(confidences)
    if n == 0:
        return 0.0
    return sum(b.count / n * abs(b.accuracy - b.mean_confidence) for b in reliability(confidences, correct, bins))


def fit_logistic(rows: Sequence[Sequence[float]], correct: Sequence[bool], iterations: int = 50,
                 ridge: float = 1e-3) -> tuple[float, ...]:
    """Coefficients maximizing the likelihood of `correct` given the feature rows (the first feature is the
    constant 1), by Newton's method with a small ridge penalty."""
    n = len(rows[0]) if rows else 0
    w = [0.0] * n
    for _ in range(iterations):
        grad = [0.0] * n
        hess = [[ridge if i == j else 0.0 for j in range(n)] for i in range(n)]
        for x, y in zip(rows, correct):
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, sum(wi * xi for wi, xi in zip(w, x))))))
            for i in range(n):
                grad[i] += (p - float(y)) * x[i]
                for j in range(n):
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        step = _solve(hess, [g + ridge * wi for g, wi in zip(grad, w)])
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(si) for si in step) < 1e-6:
            break
    return tuple(round(wi, 3) for wi in w)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting for the Newton step."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            return [0.0] * n
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            m[r] = [x - f * y for x, y in zip(m[r], m[col])]
    out = [0.0] * n
    for r in range(n - 1, -1, -1):
        out[r] = (m[r][n] - sum(m[r][c] * out[c] for c in range(r + 1, n))) / m[r][r]
    return out


def refit(confidences: Sequence[float], correct: Sequence[bool], current: Any) -> dict[str, float]:
    """New `triage.calibration` coefficients for labelled results: Platt scaling of the current curve,
    z' = a z + b, fitted on the logit of the confidences the offline model gave."""
    eps = 1e-4
    clipped = [max(eps, min(1 - eps, c)) for c in confidences]
    b, a = fit_logistic([(1.0, math.log(c / (1 - c))) for c in clipped], correct)
    return {name: round(a * getattr(current, name) + (b if name == "bias" else 0.0), 3) for name in FEATURES}

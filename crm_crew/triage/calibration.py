"""Confidence that means what it says, and the figures that check it (expected calibration error)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def calibrated_confidence(score: float, margin: float, tuning: Any) -> float:
    """P(right) from the winner's score and its margin over the runner-up: a logistic curve whose three
    coefficients (`triage.calibration`) were fitted on labelled messages; refit them on your own with
    `crm-crew eval --fit-calibration`."""
    c = tuning.calibration
    z = c.bias + c.margin * min(margin, 4.0) + c.score * min(score, 6.0)
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


def fit_logistic(features: Sequence[tuple[float, float]], correct: Sequence[bool], capped: bool = True,
                 iterations: int = 50, ridge: float = 1e-3) -> tuple[float, float, float]:
    """(bias, margin, score) maximizing the likelihood of `correct` given (score, margin) features, by
    Newton's method with a small ridge penalty; the features are capped as `calibrated_confidence` caps them."""
    rows = [(1.0, min(m, 4.0), min(s, 6.0)) if capped else (1.0, m, s) for s, m in features]
    w = [0.0, 0.0, 0.0]
    for _ in range(iterations):
        grad = [0.0, 0.0, 0.0]
        hess = [[ridge if i == j else 0.0 for j in range(3)] for i in range(3)]
        for x, y in zip(rows, correct):
            p = 1.0 / (1.0 + math.exp(-sum(wi * xi for wi, xi in zip(w, x))))
            for i in range(3):
                grad[i] += (p - float(y)) * x[i]
                for j in range(3):
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        step = _solve(hess, [g + ridge * wi for g, wi in zip(grad, w)])
        w = [wi - si for wi, si in zip(w, step)]
        if max(abs(si) for si in step) < 1e-6:
            break
    return round(w[0], 3), round(w[1], 3), round(w[2], 3)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting for the 3x3 Newton step."""
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


def refit(confidences: Sequence[float], correct: Sequence[bool], current: Any) -> tuple[float, float, float]:
    """New `triage.calibration` coefficients (bias, margin, score) for labelled results: Platt scaling of the
    current curve, z' = a z + b, fitted on the logit of the confidences the offline model gave."""
    eps = 1e-4
    logits = [math.log(max(eps, min(1 - eps, c)) / (1 - max(eps, min(1 - eps, c)))) for c in confidences]
    b, a, _ = fit_logistic([(0.0, z) for z in logits], correct, capped=False)   # the margin slot carries the logit
    return round(a * current.bias + b, 3), round(a * current.margin, 3), round(a * current.score, 3)

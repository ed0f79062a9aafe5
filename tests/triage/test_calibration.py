"""Calibration figures, checked against values computed by hand."""

from __future__ import annotations

import math

import pytest

from crm_crew.triage.calibration import expected_calibration_error, fit_logistic, reliability


def test_ece_by_hand() -> None:
    # bin 0.9-1.0: 0.95, 0.95 (1 right of 2: |0.5-0.95| = 0.45); bin 0.2-0.3: 0.25 (wrong: |0-0.25| = 0.25)
    conf, right = [0.95, 0.95, 0.25], [True, False, False]
    assert expected_calibration_error(conf, right) == pytest.approx(2 / 3 * 0.45 + 1 / 3 * 0.25)
    assert expected_calibration_error([1.0, 0.05], [True, False]) == pytest.approx(0.025)   # 1.0 in the last bin


def test_reliability_table_has_ten_bins_and_counts_each_message_once() -> None:
    table = reliability([0.0, 0.1, 0.55, 0.99, 1.0], [False, True, True, True, True])
    assert len(table) == 10 and sum(b.count for b in table) == 5
    assert table[9].count == 2 and table[9].accuracy == 1.0


def test_logistic_fit_recovers_a_known_curve() -> None:
    features, labels = [], []
    for i in range(200):
        margin = i / 50
        p = 1 / (1 + math.exp(-(-1.0 + 2.0 * margin)))
        for j in range(10):
            features.append((1.0, margin))
            labels.append(j < round(p * 10))
    bias, margin = fit_logistic(features, labels)
    assert bias == pytest.approx(-1.0, abs=0.3) and margin == pytest.approx(2.0, abs=0.4)

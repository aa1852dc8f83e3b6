"""Fleiss' kappa and ICC(2,1) (tracking.evaluation.interrater) against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from tracking.evaluation.interrater import fleiss_kappa_units, icc_2_1

# Fleiss' worked example (Wikipedia "Fleiss' kappa"): 10 subjects, 14 raters, 5 categories; kappa 0.210.
FLEISS_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
# Shrout & Fleiss (1979), Table 2: 6 targets, 4 judges; ICC(2,1) = 0.29.
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]


def test_fleiss_kappa_of_the_worked_example() -> None:
    ratings = np.array([np.repeat(np.arange(1, 6), row) for row in FLEISS_COUNTS])
    estimate = fleiss_kappa_units([ratings], "subjects")
    assert estimate.value == pytest.approx(0.210, abs=5e-4)
    assert np.isnan(estimate.ci).all()  # one unit: no interval


def test_fleiss_kappa_by_hand_on_two_raters_and_as_statsmodels_computes_it() -> None:
    # 4 frames, 2 raters: agree on frames 1-3 (1,1), (0,0), (1,1); disagree on frame 4.
    # P_i = 1, 1, 1, 0 -> mean 0.75; p(1) = 5/8, p(0) = 3/8 -> chance 34/64; kappa (0.75 - 34/64) / (30/64).
    ratings = np.array([[1, 1], [0, 0], [1, 1], [1, 0]])
    assert fleiss_kappa_units([ratings], "frames").value == pytest.approx((0.75 - 34 / 64) / (30 / 64))
    rng = np.random.default_rng(1)
    units = [(rng.random((500, 4)) < 0.2 + 0.1 * i).astype(int) for i in range(4)]
    pooled = fleiss_kappa(aggregate_raters(np.concatenate(units))[0])
    estimate = fleiss_kappa_units(units, "videos")
    assert estimate.value == pytest.approx(pooled)
    assert estimate.method == "bootstrap over 4 videos"
    assert estimate.ci[0] < estimate.value < estimate.ci[1]
    assert fleiss_kappa_units(units, "videos").ci == estimate.ci  # a fixed seed: the same interval


def test_icc_2_1_of_shrout_and_fleiss_table_2() -> None:
    estimate = icc_2_1(np.array(SHROUT_FLEISS, dtype=float))
    assert estimate.value == pytest.approx(0.290, abs=5e-4)
    # The F-based interval (McGraw & Wong 1996), as pingouin reports it for this table: 0.02 to 0.76.
    assert estimate.ci == pytest.approx((0.019, 0.761), abs=1e-3)


def test_icc_2_1_counts_a_constant_offset_as_disagreement() -> None:
    truth = np.array([10.0, 40.0, 80.0, 120.0, 150.0])
    alike = icc_2_1(np.column_stack([truth, truth + np.array([1, -1, 2, 0, -2])]))
    offset = icc_2_1(np.column_stack([truth, truth + 40 + np.array([1, -1, 2, 0, -2])]))
    assert alike.value > 0.99 and offset.value < alike.value - 0.05
    assert np.isnan(icc_2_1(np.array([[1.0, 2.0]])).value)  # one video

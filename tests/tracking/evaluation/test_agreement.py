"""Tests of agreement statistics (tracking.evaluation.agreement) against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracking.evaluation.agreement import (
    cohen_kappa,
    frame_agreement,
    plot_agreement,
    seconds_agreement,
    transition_mask,
)


def test_kappa_of_a_textbook_confusion_table() -> None:
    # 20 both immobile, 5 only the second, 10 only the reference, 15 both mobile (n = 50):
    # observed 35/50 = 0.7; chance (30*25 + 20*25) / 2500 = 0.5; kappa (0.7 - 0.5) / 0.5 = 0.4.
    assert cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)
    assert cohen_kappa(10, 0, 0, 10) == pytest.approx(1.0)
    assert np.isnan(cohen_kappa(5, 0, 0, 0))  # both constant: chance agreement 1


def test_frame_agreement_counts_and_statistics() -> None:
    reference = np.array([1, 1, 1, 1, 0, 0, 0, 0, 1, 0], dtype=bool)
    other = np.array([1, 1, 1, 0, 0, 0, 1, 0, 1, 0], dtype=bool)
    agreement = frame_agreement(reference, other)
    assert (agreement.true_positive, agreement.false_positive) == (4, 1)
    assert (agreement.false_negative, agreement.true_negative) == (1, 4)
    assert agreement.accuracy == pytest.approx(0.8)
    assert agreement.precision == pytest.approx(0.8) and agreement.recall == pytest.approx(0.8)
    assert agreement.f1 == pytest.approx(0.8)
    assert agreement.kappa == pytest.approx(0.6)  # (0.8 - 0.5) / 0.5
    pooled = agreement + agreement
    assert pooled.n_frames == 20 and pooled.kappa == pytest.approx(0.6)


def test_tolerance_ignores_frames_around_reference_transitions() -> None:
    reference = np.array([0] * 10 + [1] * 10, dtype=bool)
    late = np.array([0] * 13 + [1] * 7, dtype=bool)  # the second rater pressed 0.3 s late
    assert frame_agreement(reference, late, fps=10).accuracy == pytest.approx(17 / 20)
    lenient = frame_agreement(reference, late, fps=10, tolerance_s=0.5)
    assert lenient.n_ignored == 11 and lenient.accuracy == 1.0  # frames 0.5-1.5 s
    assert transition_mask(reference, np.arange(20) / 10, 0.1).nonzero()[0].tolist() == [9, 10, 11]
    with pytest.raises(ValueError, match="needs timestamps or fps"):
        frame_agreement(reference, late, tolerance_s=0.5)


def test_bland_altman_and_pearson_on_known_numbers() -> None:
    human = [100.0, 120.0, 140.0, 160.0]
    machine = [102.0, 124.0, 140.0, 166.0]  # differences 2, 4, 0, 6: mean 3, SD sqrt(20/3)
    stats = seconds_agreement(human, machine)
    sd = np.sqrt(20 / 3)
    assert stats.n == 4 and stats.bias == pytest.approx(3.0) and stats.sd_difference == pytest.approx(sd)
    assert stats.lower_limit == pytest.approx(3 - 1.96 * sd) and stats.upper_limit == pytest.approx(
        3 + 1.96 * sd
    )
    assert stats.pearson_r == pytest.approx(np.corrcoef(human, machine)[0, 1])
    assert np.isnan(seconds_agreement([1.0, 2.0], [3.0, 3.0]).pearson_r)  # a constant scoring
    with pytest.raises(ValueError, match="finite"):
        seconds_agreement([1.0, np.nan], [1.0, 2.0])


def test_agreement_png(tmp_path: Path) -> None:
    path = plot_agreement(
        [100, 120, 140], [105, 118, 150], tmp_path / "agreement.png", labels=("human", "pose")
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000

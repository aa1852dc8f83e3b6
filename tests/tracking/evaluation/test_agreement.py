"""Tests of agreement statistics (tracking.evaluation.agreement) against hand-computed values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracking.evaluation.agreement import (
    agreement_with_intervals,
    cohen_kappa,
    frame_agreement,
    frame_agreement_by_block,
    seconds_agreement,
    transition_mask,
)
from tracking.evaluation.agreement_plot import plot_agreement


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


def test_per_video_statistics_need_three_videos_and_carry_intervals() -> None:
    two = seconds_agreement([10.0, 50.0], [12.0, 49.0])
    assert two.n == 2 and not two.enough_videos
    assert np.isnan(two.pearson_r) and np.isnan(two.bias) and two.pearson_ci is None  # not +-1.000
    three = seconds_agreement([10.0, 50.0, 90.0], [12.0, 49.0, 95.0])
    assert three.enough_videos and np.isfinite(three.pearson_r) and three.pearson_ci is None  # Fisher: n >= 4
    human = [100.0, 120.0, 140.0, 160.0, 90.0]
    machine = [102.0, 124.0, 140.0, 166.0, 93.0]
    stats = seconds_agreement(human, machine)
    z, half = np.arctanh(stats.pearson_r), 1.959964 / np.sqrt(5 - 3)
    assert stats.pearson_ci == pytest.approx((np.tanh(z - half), np.tanh(z + half)), abs=1e-5)
    t = 2.776445  # Student's t, 4 degrees of freedom, 97.5%
    se = stats.sd_difference / np.sqrt(5)
    assert stats.bias_ci == pytest.approx((stats.bias - t * se, stats.bias + t * se), abs=1e-5)
    limit_se = stats.sd_difference * np.sqrt(3 / 5)  # Bland & Altman 1999
    assert stats.upper_limit_ci == pytest.approx(
        (stats.upper_limit - t * limit_se, stats.upper_limit + t * limit_se), abs=1e-5
    )


def test_intervals_resample_videos_from_three_else_contiguous_blocks() -> None:
    rng = np.random.default_rng(0)
    reference = np.repeat(rng.random(40) < 0.5, 30)  # 40 bouts of 1 s at 30 fps
    other = reference.copy()
    other[rng.choice(reference.size, 120, replace=False)] ^= True
    times = np.arange(reference.size) / 30
    _, blocks = frame_agreement_by_block(reference, other, timestamps=times)
    assert len(blocks) == 2 and sum(b.n_frames for b in blocks) == reference.size  # 40 s in 20-s blocks
    videos = [frame_agreement(reference[i::3], other[i::3]) for i in range(3)]
    by_video = agreement_with_intervals(videos, blocks)
    assert by_video.ci_method == "bootstrap over 3 videos" and by_video.kappa_ci is not None
    assert agreement_with_intervals(videos[:2], blocks).kappa_ci is None  # 2 videos, 2 blocks: too few
    long_reference, long_other = np.tile(reference, 3), np.tile(other, 3)  # 120 s: six 20-s blocks
    whole = frame_agreement(long_reference, long_other)
    _, long_blocks = frame_agreement_by_block(long_reference, long_other, timestamps=np.arange(3600) / 30)
    one = agreement_with_intervals([whole], long_blocks)
    again = agreement_with_intervals([whole], long_blocks)
    assert one.ci_method == "bootstrap over 6 20-s blocks" and one.kappa_ci == again.kappa_ci
    assert one.n_frames == whole.n_frames and one.kappa == pytest.approx(whole.kappa)


def test_the_whole_and_its_blocks_come_from_one_comparison() -> None:
    rng = np.random.default_rng(3)
    reference = np.repeat(rng.random(50) < 0.5, 30)  # 50 s at 30 fps
    other = np.roll(reference, 9)
    times = np.arange(reference.size) / 30
    valid = times >= 5.0
    whole, blocks = frame_agreement_by_block(reference, other, timestamps=times, tolerance_s=0.5, valid=valid)
    assert whole == frame_agreement(reference, other, timestamps=times, tolerance_s=0.5, valid=valid)
    assert whole.n_ignored > 150  # the first 5 s and the frames near transitions
    assert [b.counts for b in blocks] == [
        frame_agreement(
            reference,
            other,
            timestamps=times,
            tolerance_s=0.5,
            valid=valid & (times >= low) & (times < low + 20),
        ).counts
        for low in (5.0, 25.0, 45.0)
    ]
    assert tuple(map(sum, zip(*(b.counts for b in blocks), strict=True))) == whole.counts

"""tracking.evaluation.comparison: pairing two sources, their agreement, and calibration inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.tracking.result_folders import FPS, two_state_signal, window_params, write_result
from tracking.evaluation.comparison import calibration_inputs, compare_scorings, pair_scorings
from tracking.evaluation.labels import LabelFileError
from tracking.evaluation.scorings import Scoring, read_scorings


def frames(video: str, immobile: range, n: int = 100, animal: str = "", source: str = "a.csv") -> Scoring:
    """Bare per-frame labels (no frame times): immobile on the frames of ``immobile``."""
    mask = np.zeros(n, dtype=bool)
    mask[list(immobile)] = True
    return Scoring(video, animal, source, frames=mask)


def test_pairing_matches_by_video_stem_and_animal() -> None:
    first = [frames("m1", range(0)), frames("m2", range(0), animal="tank1"), frames("m3", range(0))]
    second = [
        frames("m1.rater2", range(0), source="b.csv"),
        frames("m2", range(0), animal="tank1", source="b.csv"),
        frames("m2", range(0), animal="tank2", source="b.csv"),
        frames("m4", range(0), source="b.csv"),
    ]
    pairing = pair_scorings(first, second)
    assert [(a.key, b.key) for a, b in pairing.pairs] == [("m1", "m1.rater2"), ("m2/tank1", "m2/tank1")]
    assert [s.key for s in pairing.only_first] == ["m3"]
    assert [s.key for s in pairing.only_second] == ["m2/tank2", "m4"]


def test_an_exact_match_wins_and_one_animal_each_side_pairs_whatever_its_name() -> None:
    exact = pair_scorings([frames("m1", range(0))], [frames("m1.x", range(0)), frames("m1", range(0))])
    assert [b.video for _, b in exact.pairs] == ["m1"]
    alone = pair_scorings([frames("m1", range(0), animal="frame")], [frames("m1", range(0), animal="animal")])
    assert [(a.animal, b.animal) for a, b in alone.pairs] == [("frame", "animal")]


def test_ambiguous_and_twice_claimed_partners_are_refused() -> None:
    with pytest.raises(LabelFileError, match=r"a\.csv: m1 matches 2 scorings of the other source"):
        pair_scorings([frames("m1", range(0))], [frames("m1.x", range(0)), frames("m1.y", range(0))])
    with pytest.raises(LabelFileError, match=r"b\.csv: m1 matches both m1 and m1/tank1"):
        pair_scorings(
            [frames("m1", range(0)), frames("m1", range(0), animal="tank1")],
            [frames("m1", range(0), source="b.csv")],
        )


def test_compare_counts_frames_in_the_window_and_seconds_by_hand() -> None:
    # 100 bare frames on a 10-fps grid; window 2-8 s holds frames 20-79. The reference is immobile on
    # frames 30-59 (3 s), the other on 40-59 (2 s): tp 20, fp 0, fn 10, tn 30.
    comparison = compare_scorings(
        [frames("m1", range(30, 60))],
        [frames("m1", range(40, 60), source="b.csv")],
        window_start_s=2.0,
        window_end_s=8.0,
        grid_fps=10.0,
    )
    agreement = comparison.frames
    assert agreement is not None
    counts = (
        agreement.true_positive,
        agreement.false_positive,
        agreement.false_negative,
        agreement.true_negative,
    )
    assert counts == (20, 0, 10, 30)
    assert agreement.accuracy == pytest.approx(50 / 60) and agreement.f1 == pytest.approx(0.8)
    assert agreement.kappa == pytest.approx((50 / 60 - 0.5) / 0.5)
    row = comparison.rows.iloc[0]
    assert (row["first_s"], row["second_s"], row["difference_s"]) == pytest.approx((3.0, 2.0, -1.0))
    assert comparison.window == (2.0, 8.0) and comparison.params["grid_fps"] == 10.0


def test_tolerance_ignores_frames_near_reference_transitions() -> None:
    comparison = compare_scorings(
        [frames("m1", range(30, 60))],
        [frames("m1", range(32, 60), source="b.csv")],
        window_start_s=0.0,
        window_end_s=None,
        tolerance_s=0.2,
        grid_fps=10.0,
    )
    agreement = comparison.frames
    assert agreement is not None
    # Frames 28-32 and 58-62 lie within 0.2 s of the transitions at 3.0 s and 6.0 s.
    assert agreement.n_ignored == 10 and agreement.accuracy == 1.0


def test_seconds_tables_compare_as_they_stand_with_a_note_for_another_window() -> None:
    first = [Scoring("m1", "", "a.csv", seconds=30.0), Scoring("m2", "", "a.csv", seconds=50.0)]
    second = [
        Scoring("m1", "", "b.csv", seconds=36.0, seconds_window=(0.0, 360.0)),
        Scoring("m2", "", "b.csv", seconds=52.0, seconds_window=(120.0, 360.0)),
    ]
    comparison = compare_scorings(first, second)
    assert comparison.frames is None
    assert comparison.rows["difference_s"].tolist() == [6.0, 2.0]
    assert comparison.rows["note"].tolist() == ["m1 in b.csv covers 0-360 s", ""]
    assert comparison.seconds.n == 2 and not comparison.seconds.enough_videos
    assert np.isnan(comparison.seconds.bias) and np.isnan(comparison.seconds.pearson_r)  # below 3 videos


def test_no_common_animal_is_an_error_naming_both_sources() -> None:
    with pytest.raises(
        LabelFileError, match=r"a\.csv: no video and animal in common.*first: m1, m3; second: m2, m4"
    ):
        compare_scorings(
            [frames("m1", range(0)), frames("m3", range(0))],
            [frames("m2", range(0), source="b.csv"), frames("m4", range(0), source="b.csv")],
        )


def test_the_only_recording_on_each_side_pairs_whatever_the_names_with_a_note() -> None:
    human = frames("demo2.labels", range(20, 60), n=3000)
    machine = frames("demo2_tracking", range(22, 60), n=3000, animal="animal", source="out")
    comparison = compare_scorings([human], [machine], window_start_s=0, window_end_s=None)
    assert comparison.pairing.notes == (
        "paired the only recording on each side: demo2.labels with demo2_tracking/animal",
    )
    assert comparison.frames is not None and comparison.frames.n_frames == 3000


def test_one_recording_gets_intervals_from_contiguous_blocks_the_same_every_time() -> None:
    rng = np.random.default_rng(3)
    human = np.repeat(rng.random(60) < 0.5, 50)  # 60 bouts of 50 frames at 30 fps: 100 s
    machine = human.copy()
    machine[rng.choice(human.size, 300, replace=False)] ^= True
    first = [Scoring("m1", "", "a.csv", frames=human)]
    second = [Scoring("m1", "", "b.csv", frames=machine)]
    result = compare_scorings(first, second, window_start_s=0, window_end_s=None)
    again = compare_scorings(first, second, window_start_s=0, window_end_s=None)
    assert result.frames is not None and again.frames is not None
    assert result.frames.ci_method == "bootstrap over 5 20-s blocks"
    assert result.frames.kappa_ci == again.frames.kappa_ci
    assert result.frames.kappa_ci is not None
    low, high = result.frames.kappa_ci
    assert low < result.frames.kappa < high


def test_calibration_inputs_put_human_labels_on_the_machine_frames(tmp_path: Path) -> None:
    params = window_params(threshold=0.01)
    write_result(tmp_path, "K7Q1", {"tank1": two_state_signal(0)}, params)
    write_result(tmp_path, "K7Q2", {"tank1": two_state_signal(1)}, params)
    machine = read_scorings(tmp_path)
    labels = [
        Scoring("K7Q1", "tank1", "h.csv", bouts=np.array([[20.0, 40.0]])),
        Scoring("K7Q2", "tank1", "h.csv", seconds=18.0),
    ]
    inputs = calibration_inputs(labels, machine)
    assert inputs.method == "motion" and inputs.params == params
    assert inputs.signal_options == {"pixel_cutoff": 10.0}
    by_bouts, by_seconds = inputs.videos
    assert by_bouts.name == "K7Q1/tank1" and by_bouts.fps == FPS
    assert by_bouts.labels is not None and by_bouts.labels.sum() == 200
    assert by_seconds.labels is None and by_seconds.human_s == 18.0


def test_calibration_inputs_refuse_pixel_signals_and_signals_scored_unlike(tmp_path: Path) -> None:
    signal = two_state_signal(0)
    times = np.arange(signal.size) / FPS
    label = Scoring("m1", "", "h.csv", seconds=10.0)
    in_pixels = Scoring("m1", "", "m.json", signal=signal, timestamps=times, fps=FPS, units="px/s")
    with pytest.raises(
        LabelFileError, match=r"m\.json: m1: the pose signal is in px/s; score it with a pixel"
    ):
        calibration_inputs([label], [in_pixels])
    one = Scoring("m1", "", "m.json", signal=signal, timestamps=times, fps=FPS, params=window_params())
    other = Scoring(
        "m2", "", "n.json", signal=signal, timestamps=times, fps=FPS, params=window_params(min_bout_s=2.0)
    )
    with pytest.raises(LabelFileError, match=r"n\.json: m2 was scored with other scoring parameters than m1"):
        calibration_inputs([label, Scoring("m2", "", "h.csv", seconds=10.0)], [one, other])
    without = Scoring("m1", "", "m.json", seconds=3.0)
    with pytest.raises(LabelFileError, match=r"m\.json: m1 has no per-frame signal to calibrate on"):
        calibration_inputs([label], [without])


def test_no_frame_in_common_is_refused_naming_both_files_and_what_they_cover() -> None:
    # The machine knows the state from 0 to 9.9 s only; the window is 20-30 s: no frame is compared.
    times = np.arange(300) / 10.0
    machine = Scoring(
        "m1", "", "m1.json", frames=np.ones(300, dtype=bool), timestamps=times, fps=10.0, known=times < 10
    )
    labels = Scoring("m1", "", "labels.csv", bouts=np.array([[21.0, 25.0]]))
    with pytest.raises(LabelFileError, match="no frame compared") as refused:
        compare_scorings([labels], [machine], window_start_s=20.0, window_end_s=30.0)
    message = str(refused.value)
    assert "m1 (labels.csv) covers bouts 21-25 s, m1 (m1.json) 0-9.9 s; the window is 20 s to 30 s" in message


def test_each_pair_is_compared_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracking.evaluation import agreement

    calls = []
    mask = agreement.transition_mask
    monkeypatch.setattr(agreement, "transition_mask", lambda *args: calls.append(1) or mask(*args))
    compare_scorings(
        [frames("m1", range(30, 60))],
        [frames("m1", range(40, 60), source="b.csv")],
        window_start_s=0.0,
        window_end_s=None,
        tolerance_s=0.5,
        grid_fps=10.0,
    )
    assert len(calls) == 1

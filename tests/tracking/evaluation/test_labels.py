"""Tests of reading human labels (tracking.evaluation.labels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracking.evaluation.labels import (
    LabelFileError,
    bouts_to_mask,
    label_kind,
    read_bout_labels,
    read_frame_labels,
    read_seconds_labels,
)
from tracking.evaluation.scorings import read_scorings

# Columns of a BORIS "aggregated events" export (one row per state-event bout).
BORIS_HEADER = (
    "Observation id,Observation date,Description,Observation duration,Observation type,Source,"
    "Media duration (s),FPS,Subject,Behavior,Behavioral category,Behavior type,Start (s),Stop (s),"
    "Duration (s),Media file name,Image index start,Image index stop,Comment start,Comment stop"
)


def _boris_row(video: str, subject: str, behavior: str, start: float, stop: float) -> str:
    return (
        f"{video},2026-11-25,,360,Media file(s),player #1:/data/{video}.mp4,360,30,{subject},{behavior},,"
        f"STATE,{start},{stop},{stop - start},/data/{video}.mp4,NA,NA,,"
    )


def test_per_frame_labels_in_several_spellings(tmp_path: Path) -> None:
    path = tmp_path / "m1.labels.csv"
    path.write_text("frame,time_s,immobile\n0,0.0,0\n1,0.1,1\n2,0.2,yes\n3,0.3,Mobile\n")
    labels = read_frame_labels(path)
    assert labels.video == "m1.labels" and labels.frames.tolist() == [False, True, True, False]
    assert labels.to_frames(4, fps=10).tolist() == [False, True, True, False]
    assert labels.immobility_s(0.0, 0.25, fps=10) == pytest.approx(0.2)
    with pytest.raises(LabelFileError, match="4 labelled frames for a signal of 5 frames"):
        labels.to_frames(5, fps=10)


def test_behavlab_per_frame_output_reads_as_labels(tmp_path: Path) -> None:
    path = tmp_path / "m1.animal.frames.csv"
    path.write_text("frame,time_s,signal,immobile,state\n0,0.0,0.3,0,mobile\n1,0.03,0.001,1,immobile\n")
    assert read_frame_labels(path, video="m1").frames.tolist() == [False, True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("frame,immobile\n0,1\n1,maybe\n", r"row 3, field 'immobile': 'maybe' is not a label"),
        ("frame,immobile\n0,1\n2,0\n", r"row 3, field 'frame': frame 2 where 1 was expected"),
        ("frame,score\n0,7\n", r"no per-frame label column: expected one 0/1 column besides the frame"),
        (
            "frame,human_freezing,bd_freezing\n0,1,0\n",
            r"several 0/1 columns could be the label "
            r"\(human_freezing, bd_freezing\); choose one with --label-column NAME",
        ),
    ],
)
def test_per_frame_label_errors_name_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(LabelFileError, match=message) as caught:
        read_frame_labels(path)
    assert str(path) in str(caught.value)


def test_any_single_zero_one_column_or_the_one_named_is_the_label(tmp_path: Path) -> None:
    behaviordepot = tmp_path / "demo.csv"
    behaviordepot.write_text("frame,human_freezing\n0,0\n1,1\n2,1\n")
    assert read_frame_labels(behaviordepot).frames.tolist() == [False, True, True]
    assert label_kind(behaviordepot) == "frames"
    two = tmp_path / "two.csv"
    two.write_text("frame,time_s,human_freezing,behaviordepot_freezing\n0,0.0,0,1\n1,0.1,1,1\n")
    assert read_frame_labels(two, column="Human_Freezing").frames.tolist() == [False, True]
    assert read_frame_labels(two, column="behaviordepot_freezing").frames.tolist() == [True, True]
    [scoring] = read_scorings(two, label_column="human_freezing")
    assert scoring.frames is not None and scoring.frames.tolist() == [False, True]
    with pytest.raises(LabelFileError, match=r"two\.csv: several 0/1 columns could be the label"):
        read_scorings(two)
    with pytest.raises(
        LabelFileError, match=r"no column 'freezing' \(the label column asked for\); found: frame"
    ):
        read_frame_labels(two, column="freezing")
    bad = tmp_path / "bad.csv"
    bad.write_text("frame,human_freezing,note\n0,0,a\n1,2,b\n")
    with pytest.raises(LabelFileError, match=r"bad\.csv, row 3, field 'human_freezing': '2' is not a label"):
        read_frame_labels(bad, column="human_freezing")


def test_boris_aggregated_events_grouped_by_video_and_subject(tmp_path: Path) -> None:
    path = tmp_path / "boris.csv"
    rows = [
        _boris_row("m1", "mouse", "Immobility", 130.0, 140.5),
        _boris_row("m1", "mouse", "Swimming", 140.5, 150.0),
        _boris_row("m1", "mouse", "Immobility", 100.0, 110.0),
        _boris_row("m2", "mouse", "immobility", 200.0, 260.0),
    ]
    path.write_text("\n".join([BORIS_HEADER, *rows]) + "\n")
    labels = read_bout_labels(path)
    assert sorted(labels) == ["m1/mouse", "m2/mouse"]
    m1 = labels["m1/mouse"]
    assert m1.video == "m1" and m1.animal == "mouse"
    np.testing.assert_allclose(m1.bouts, [[100.0, 110.0], [130.0, 140.5]])
    assert m1.immobility_s(120.0, 360.0, fps=30) == pytest.approx(10.5)
    frames = m1.to_frames(360 * 30, fps=30)
    assert frames.sum() == (10 + 10.5) * 30 and frames[100 * 30] and not frames[110 * 30]


def test_plain_bout_table_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "rater2_m3.csv"
    path.write_text("start_s,end_s\n1.0,2.5\n4,5\n")
    [(key, labels)] = read_bout_labels(path).items()
    assert key == "rater2_m3" and labels.to_frames(60, fps=10).sum() == 25
    path.write_text("start_s,end_s\n1.0,2.5\n5,4\n")
    with pytest.raises(LabelFileError, match=r"row 3, field 'end_s': bout from 5 s to 4 s"):
        read_bout_labels(path)
    path.write_text("start_s,end_s\n1.0,soon\n")
    with pytest.raises(LabelFileError, match=r"row 2, field 'end_s': 'soon' is not a finite number"):
        read_bout_labels(path)
    path.write_text("begin,finish\n1,2\n")
    with pytest.raises(LabelFileError, match="no bout start"):
        read_bout_labels(path)
    path.write_text("Behavior,Start (s),Stop (s)\nSwimming,1,2\n")
    with pytest.raises(
        LabelFileError, match="no bout of a behaviour matching 'immobil'; behaviours: Swimming"
    ):
        read_bout_labels(path)


def test_per_video_seconds(tmp_path: Path) -> None:
    path = tmp_path / "totals.tsv"
    path.write_text("video\tanimal\timmobility_s\n/data/m1.mp4\tA\t150.5\nm2\tA\t98\n")
    table = read_seconds_labels(path)
    assert table["video"].tolist() == ["m1", "m2"] and table["immobility_s"].tolist() == [150.5, 98.0]
    path.write_text("video\timmobility_s\nm1\t-3\n")
    with pytest.raises(LabelFileError, match=r"row 2, field 'immobility_s': -3 s is negative"):
        read_seconds_labels(path)


def test_bouts_to_mask_uses_frame_start_times() -> None:
    times = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    assert bouts_to_mask(np.array([[0.5, 1.5]]), times).tolist() == [False, True, True, False, False]

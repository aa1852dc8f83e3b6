"""tracking.evaluation.raters: one table of several raters, each aligned on their own start marker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tracking.evaluation.labels import LabelFileError
from tracking.evaluation.multirater import compare_sources
from tracking.evaluation.raters import rater_column, read_rater_bouts

HEADER = '"file";"Experimenter";"from";"to";"type";"ID"\n'


def _write(path: Path, rows: list[tuple[str, str, float, float, str, str]]) -> Path:
    lines = [f'"{f}";"{who}";{start};{end};"{kind}";"{video}"' for f, who, start, end, kind, video in rows]
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return path


def test_every_marker_spelling_and_default_rows(tmp_path: Path) -> None:
    table = _write(
        tmp_path / "labels.csv",
        [
            ("v1_a.json", "Ann", 10.0, 11.0, "Start_End", "v1"),
            ("v1_a.json", "Ann", 10.0, 11.0, "_DEFAULT", "v1"),
            ("v1_a.json", "Ann", 150.0, 160.0, "Floating", "v1"),
            ("v1_a.json", "Ann", 370.0, 371.0, "Start_End", "v1"),
            ("v1_b.csv", "Ben", 12.0, 13.0, "StartEnd", "v1"),
            ("v1_b.csv", "Ben", 152.0, 162.0, "Floating", "v1"),
            ("v1_c.csv", "Cy", 0.0, 1.0, "Start/End", "v1"),
            ("v1_c.csv", "Cy", 8.0, 9.0, "Start/End", "v1"),
            ("v1_c.csv", "Cy", 148.0, 158.0, "Floating", "v1"),
            ("v1_d.csv", "Di", 9.0, 10.0, "Start", "v1"),
            ("v1_d.csv", "Di", 369.0, 370.0, "End", "v1"),
            ("v1_d.csv", "Di", 149.0, 159.0, "Floating", "v1"),
            ("v1_e.csv", "Ed", 140.0, 150.0, "Floating", "v1"),
        ],
    )
    assert rater_column(table) == "Experimenter"
    assert rater_column(table, "ID") == "ID" and rater_column(table, "judge") is None
    read = read_rater_bouts(table, "Experimenter")
    bouts = {name: np.asarray(scorings[0].bouts).tolist() for name, scorings in read.raters.items()}
    # Each rater's start marker is 0: the same bout, 140-150 s of the test, whenever each pressed the key.
    assert bouts == {name: [[140.0, 150.0]] for name in ("Ann", "Ben", "Cy", "Di", "Ed")}
    assert [s.video for s in read.raters["Ann"]] == ["v1"]
    assert "left out 1 '_DEFAULT' row(s): the scoring tool's default event, not a bout" in read.notes
    assert "Ed on v1: no start marker; aligned on the video start" in read.notes
    assert any(note.startswith("took the 'Floating' rows as the bouts") for note in read.notes)


def test_a_stray_marker_before_the_first_bout_does_not_move_the_test_start(tmp_path: Path) -> None:
    table = _write(
        tmp_path / "labels.csv",
        [
            ("f", "Ann", 0.0, 1.0, "StartEnd", "v1"),
            ("f", "Ann", 9.7, 10.7, "StartEnd", "v1"),
            ("f", "Ann", 62.5, 64.0, "Floating", "v1"),
            ("f", "Ann", 371.7, 372.7, "StartEnd", "v1"),
        ],
    )
    read = read_rater_bouts(table, "Experimenter")
    assert np.asarray(read.raters["Ann"][0].bouts).ravel().tolist() == pytest.approx([52.8, 54.3])
    assert "Ann on v1: 3 markers (0.0, 9.7, 371.7 s); the test starts at 9.7 s" in read.notes


def test_several_raters_pairwise_and_overall(tmp_path: Path) -> None:
    rows = []
    rng = np.random.default_rng(2)
    for video in ("v1", "v2", "v3", "v4"):
        bouts = np.sort(rng.uniform(120, 350, 6))
        for who, shift, start in (("Ann", 0.0, 10.0), ("Ben", 0.5, 12.0), ("Odd", 40.0, 11.0)):
            rows.append((video, who, start, start + 1, "Start_End", video))
            rows += [(video, who, start + b + shift, start + b + shift + 5, "Floating", video) for b in bouts]
    read = read_rater_bouts(_write(tmp_path / "labels.csv", rows), "Experimenter")
    result = compare_sources(read.raters, reference="Ben")
    assert [(p.first, p.second) for p in result.pairs] == [("Ben", "Ann"), ("Ann", "Odd"), ("Ben", "Odd")]
    assert min(result.mean_kappa, key=result.mean_kappa.__getitem__) == "Odd"
    assert result.fleiss is not None and result.fleiss.method == "bootstrap over 4 videos"
    assert result.n_videos == 4 and np.isfinite(result.icc.value)
    ann_ben = result.pairs[0]
    assert ann_ben.comparison.frames is not None and ann_ben.comparison.frames.kappa > 0.85
    assert ann_ben.icc.value > 0.99 and np.isfinite(ann_ben.comparison.seconds.pearson_r)


def test_a_bout_ending_before_it_starts_is_refused_naming_its_row(tmp_path: Path) -> None:
    table = _write(
        tmp_path / "labels.csv",
        [
            ("f", "Ann", 10.0, 11.0, "Start_End", "v1"),
            ("f", "Ann", 150.0, 160.0, "Floating", "v1"),
            ("f", "Ann", 200.0, 190.0, "Floating", "v1"),
        ],
    )
    with pytest.raises(LabelFileError, match=r"labels\.csv, row 4, field 'to': bout from 200 s to 190 s"):
        read_rater_bouts(table, "Experimenter")

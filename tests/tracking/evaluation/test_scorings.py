"""tracking.evaluation.scorings: every source read into one Scoring form, errors naming the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.tracking.result_folders import FPS, IMMOBILE_S, two_state_signal, window_params, write_result
from tracking.evaluation.labels import LabelFileError
from tracking.evaluation.scorings import read_output_folder, read_scorings


def test_a_seconds_table_gives_seconds_with_the_window_of_each_row(tmp_path: Path) -> None:
    table = tmp_path / "results.csv"
    pd.DataFrame(
        {
            "video": ["m1.mp4", "m2.mp4"],
            "animal": ["tank1", "tank2"],
            "immobility_s": [100.5, 80.0],
            "window_start_s": [120.0, 0.0],
            "window_end_s": [360.0, None],
        }
    ).to_csv(table, index=False)
    first, second = read_scorings(table)
    assert (first.video, first.animal, first.seconds, first.seconds_window) == (
        "m1",
        "tank1",
        100.5,
        (120.0, 360.0),
    )
    assert (second.key, second.seconds_window) == ("m2/tank2", (0.0, None))
    assert first.frames is None and first.seconds_in(0.0, None) == 100.5 and first.source == str(table)


def test_a_per_frame_output_gives_frames_times_and_what_is_known(tmp_path: Path) -> None:
    path = tmp_path / "m1.tank2.frames.csv"
    pd.DataFrame(
        {
            "frame": range(6),
            "time_s": np.arange(6) / 2.0,
            "signal": [np.nan, 0.1, 0.0, 0.0, 0.2, 0.3],
            "immobile": [0, 0, 1, 1, 0, 0],
            "state": ["missing", "mobile", "immobile", "immobile", "mobile", "mobile"],
        }
    ).to_csv(path, index=False)
    (scoring,) = read_scorings(path)
    assert (scoring.video, scoring.animal, scoring.fps) == ("m1", "tank2", 2.0)
    assert scoring.frames is not None and scoring.frames.tolist() == [False, False, True, True, False, False]
    assert scoring.known is not None and scoring.known.tolist() == [False, True, True, True, True, True]
    assert scoring.seconds_in(0.0, None) == 1.0 and np.isnan(scoring.seconds_in(0.0, 0.5))


def test_an_output_folder_gives_each_animal_recomputed_from_its_signal_cache(tmp_path: Path) -> None:
    params = window_params(threshold=0.01)
    write_result(tmp_path, "K7Q1", {"tank1": two_state_signal(0), "tank2": two_state_signal(1)}, params)
    write_result(tmp_path, "K7Q2", {"tank1": two_state_signal(2)}, params)
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    scorings = read_scorings(tmp_path)
    assert [s.key for s in scorings] == ["K7Q1/tank1", "K7Q1/tank2", "K7Q2/tank1"]
    first = scorings[0]
    assert first.method == "motion" and first.params == params and first.fps == FPS
    assert first.signal_options == {"pixel_cutoff": 10.0} and first.units is None
    assert first.signal is not None and np.allclose(
        first.signal, two_state_signal(0), rtol=1e-6
    )  # float32 cache
    assert first.seconds_in(*IMMOBILE_S) == pytest.approx(20.0)
    (alone,) = read_scorings(tmp_path / "K7Q2.json")
    assert alone.key == "K7Q2/tank1" and alone.source == str(tmp_path / "K7Q2.json")


def test_a_folder_with_only_a_results_table_gives_its_seconds(tmp_path: Path) -> None:
    pd.DataFrame({"video": ["m1.mp4"], "immobility_s": [12.0]}).to_csv(tmp_path / "results.csv", index=False)
    (scoring,) = read_output_folder(tmp_path)
    assert (scoring.video, scoring.seconds) == ("m1", 12.0)


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(LabelFileError, match=r"nowhere\.csv: no such file or folder"):
        read_scorings(tmp_path / "nowhere.csv")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(LabelFileError, match=r"empty: no scored videos here"):
        read_scorings(empty)
    frames = tmp_path / "m1.tank1.frames.csv"
    pd.DataFrame({"frame": [0, 1, 2], "time_s": [0.0, 0.5, 0.5], "signal": 0.0, "immobile": 0}).to_csv(
        frames, index=False
    )
    with pytest.raises(LabelFileError, match=r"m1\.tank1\.frames\.csv, field 'time_s': time_s must increase"):
        read_scorings(frames)
    write_result(tmp_path / "out", "K7Q1", {"tank1": two_state_signal(0)}, window_params(threshold=0.01))
    (tmp_path / "out" / "K7Q1.signal.npz").unlink()
    with pytest.raises(
        LabelFileError, match=r"K7Q1\.json: cannot recompute the scoring from its signal cache"
    ):
        read_scorings(tmp_path / "out")


def test_reading_scorings_does_not_load_the_runner(tmp_path: Path) -> None:
    write_result(tmp_path, "K7Q1", {"tank1": two_state_signal(0)}, window_params(threshold=0.01))
    code = (
        "import sys; from tracking.evaluation.scorings import read_scorings; "
        f"read_scorings({str(tmp_path)!r}); "
        "print(sorted(m for m in sys.modules if m.startswith('tracking.batch.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.strip() == "['tracking.batch.cache', 'tracking.batch.documents']"

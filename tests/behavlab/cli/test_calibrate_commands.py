"""`behavlab calibrate` on a real labelled recording: one recording, time-blocked folds, --label-column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from behavlab.cli.main import app
from tests.shared_data import SHARED_DATA

DEMO2 = SHARED_DATA / "behaviordepot_demo2"
needs_demo2 = pytest.mark.skipif(
    not (DEMO2 / "demo2_tracking.csv").is_file(), reason=f"no BehaviorDEPOT demo2 recording at {DEMO2}"
)


def run(*args: str | Path) -> Result:
    """Invoke `behavlab ARGS...` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo2_scored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """demo2's tracks scored per frame with the freezing preset (30 fps, 23 px/cm)."""
    out = tmp_path_factory.mktemp("demo2") / "scored"
    result = run(
        "score", DEMO2 / "demo2_tracking.csv", "--method", "pose", "--preset", "freezing", "--fps", "30",
        "--px-per-cm", "23", "--per-frame", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def _assert_blocks_hold_out_their_own_frames(folds: list[dict[str, float]], tolerance_s: float) -> None:
    """Each fold counts the person's freezing frames of its own 24 s, those near a transition left out.

    Interleaved or shuffled folds would each count a share of the whole recording's instead.
    """
    person = pd.read_csv(DEMO2 / "demo2.labels.csv")["freezing"].to_numpy().astype(bool)
    times = np.arange(person.size) / 30.0
    changes = times[1:][person[1:] != person[:-1]]
    near = (np.abs(times[:, None] - changes[None, :]) <= tolerance_s + 1e-9).any(axis=1)
    assert len(folds) == 5
    for fold in folds:
        inside = (times >= fold["start_s"]) & (times < fold["end_s"])
        assert fold["n_ignored"] == (inside & near).sum() and inside.sum() == 24 * 30
        assert fold["true_positive"] + fold["false_negative"] == (inside & person & ~near).sum()


@needs_demo2
def test_calibrate_on_the_one_demo2_recording_uses_contiguous_time_blocks(
    demo2_scored: Path, tmp_path: Path
) -> None:
    result = run(
        "calibrate", demo2_scored, "--labels", DEMO2 / "demo2.labels.csv", "--name", "lab_demo2",
        "--tolerance-s", "0.5", "--out", tmp_path / "cal",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = _one_line(result.stdout)
    assert "time-blocked (5 contiguous blocks per video)" in text
    printed = [(float(a), float(b)) for a, b in re.findall(r"block \d │ ([0-9.]+)-([0-9.]+)", text)]
    assert printed == [(24.0 * k, 24.0 * (k + 1)) for k in range(5)]  # the 120 s recording in five
    assert re.search(r"accuracy \(95% CI [0-9.]+ to [0-9.]+\), kappa \(95% CI [0-9.]+ to [0-9.]+\)", text)
    assert "bootstrap over 5 time blocks" in text
    assert "needs >= 3 videos, got 1" in text and not re.search(r"Pearson r [-0-9]", text)
    assert "fitted on all 1 video (kappa)" in text
    record = json.loads((tmp_path / "cal" / "lab_demo2.calibration.json").read_text())
    assert record["fit"]["cross_validation"]["n_blocks"] == 5
    assert record["fit"]["time_base"]["fps"] == pytest.approx(30.0)
    assert record["cross_validated"]["seconds"] is None
    _assert_blocks_hold_out_their_own_frames(record["cross_validated"]["folds"], 0.5)
    assert "paired the only recording on each side" in _one_line(result.stderr)
    assert any("paired the only recording" in note for note in record["pairing_notes"])


@needs_demo2
def test_label_column_picks_one_of_several_zero_one_columns(demo2_scored: Path, tmp_path: Path) -> None:
    person = pd.read_csv(DEMO2 / "demo2.labels.csv")["freezing"]
    labels = tmp_path / "demo2_tracking.raters.csv"
    pd.DataFrame(
        {
            "frame": range(person.size),
            "human_freezing": person,
            "program_freezing": person.shift(15).fillna(0),
        }
    ).astype(int).to_csv(labels, index=False)
    ambiguous = run("calibrate", demo2_scored, "--labels", labels, "--name", "lab_x", "--out", tmp_path / "a")
    assert ambiguous.exit_code == 1
    message = _one_line(ambiguous.stderr)
    assert f"{labels}: several 0/1 columns could be the label (human_freezing, program_freezing)" in message
    assert "--label-column NAME" in message
    chosen = run(
        "calibrate", demo2_scored, "--labels", labels, "--label-column", "human_freezing", "--name", "lab_x",
        "--out", tmp_path / "b",
    )  # fmt: skip
    assert chosen.exit_code == 0, chosen.output
    missing = run(
        "calibrate", demo2_scored, "--labels", labels, "--label-column", "rater3", "--name", "lab_y",
        "--out", tmp_path / "c",
    )  # fmt: skip
    assert missing.exit_code == 1
    assert "no column 'rater3' (the label column asked for); found: frame" in _one_line(missing.stderr)

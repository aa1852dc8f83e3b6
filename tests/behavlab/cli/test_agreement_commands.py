"""`behavlab agreement`: several raters at once, the Sturman FST labels, one recording on each side."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from behavlab.cli.main import app
from tests.shared_data import SHARED_DATA

STURMAN = SHARED_DATA / "sturman2020_fst_labels" / "AllFSTLables.csv"
DEMO2 = SHARED_DATA / "behaviordepot_demo2"
needs_sturman = pytest.mark.skipif(not STURMAN.is_file(), reason=f"no Sturman FST labels at {STURMAN}")
needs_demo2 = pytest.mark.skipif(
    not (DEMO2 / "demo2_tracking.csv").is_file(), reason=f"no BehaviorDEPOT demo2 recording at {DEMO2}"
)


def run(*args: str | Path) -> Result:
    """Invoke `behavlab ARGS...` in-process."""
    return CliRunner().invoke(app, [str(a) for a in args], env={"COLUMNS": "220"})


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _bouts(path: Path, bouts: dict[str, list[tuple[float, float]]]) -> Path:
    """A bout table of one rater (video, start_s, end_s, behavior)."""
    rows = [f"{video},{start},{end},immobile" for video, spans in bouts.items() for start, end in spans]
    path.write_text("video,start_s,end_s,behavior\n" + "\n".join(rows) + "\n")
    return path


@needs_sturman
def test_the_sturman_labels_as_they_are_show_every_pair_fleiss_kappa_and_jin_apart() -> None:
    result = run("agreement", STURMAN)
    assert result.exit_code == 0, result.output
    text = _one_line(result.stdout)
    raters = ("Jin", "Oliver", "Rebecca", "Schlappi")
    for first, second in itertools.combinations(raters, 2):
        assert f"{first} vs {second}" in text
    assert "aligned on that rater's own start marker" in text
    assert "left out 2 '_DEFAULT' row(s)" in result.output
    assert re.search(r"Fleiss' kappa per frame \d\.\d{3} \(95% CI", text)
    assert re.search(r"ICC\(2,1\) of seconds per video .* \d\.\d{3} \(95% CI", text)
    means = {
        name: float(value)
        for name, value in re.findall(
            r"(\w+) \(rater\): mean Cohen's kappa with the \(other\) raters ([0-9.]+)", text
        )
    }
    assert set(means) == set(raters) and min(means, key=means.__getitem__) == "Jin"


def test_several_sources_none_privileged_and_a_named_reference(tmp_path: Path) -> None:
    spans = {f"m{i}": [(130.0 + 10 * i, 170.0 + 10 * i), (250.0, 250.0 + 20 * i)] for i in range(1, 5)}
    late = {video: [(s + 0.5, e + 0.5) for s, e in pairs] for video, pairs in spans.items()}
    far = {video: [(s + 30, e + 40) for s, e in pairs] for video, pairs in spans.items()}
    paths = [_bouts(tmp_path / f"{n}.csv", b) for n, b in (("ann", spans), ("ben", late), ("cy", far))]
    result = run("agreement", *paths)
    assert result.exit_code == 0, result.output
    text = _one_line(result.stdout)
    assert "ann.csv vs ben.csv" in text and "ann.csv vs cy.csv" in text and "ben.csv vs cy.csv" in text
    assert "Fleiss' kappa per frame" in text
    named = _one_line(run("agreement", *paths, "--reference", "cy.csv").stdout)
    assert "cy.csv vs ann.csv" in named and "cy.csv vs ben.csv" in named
    unknown = run("agreement", *paths, "--reference", "dan.csv")
    assert unknown.exit_code != 0 and "--reference 'dan.csv' is none of the sources" in _one_line(
        unknown.output
    )
    figure = run("agreement", *paths, "--png", tmp_path / "x.png")
    assert figure.exit_code != 0 and "--png draws two scorings" in _one_line(figure.output)


def test_two_videos_print_no_pearson_r(tmp_path: Path) -> None:
    first = _bouts(tmp_path / "a.csv", {"m1": [(130.0, 170.0)], "m2": [(200.0, 260.0)]})
    second = _bouts(tmp_path / "b.csv", {"m1": [(131.0, 172.0)], "m2": [(199.0, 250.0)]})
    result = run("agreement", first, second)
    assert result.exit_code == 0, result.output
    text = _one_line(result.stdout)
    assert "Pearson r and Bland-Altman not computed: needs >= 3 videos, got 2" in text
    assert "Pearson r 1.000" not in text and "Pearson r -1.000" not in text
    assert re.search(r"kappa \(95% CI [0-9.]+ to [0-9.]+\), bootstrap over \d+ 20-s blocks", text)


def _rater_table(path: Path, start_marker_s: dict[str, float]) -> Path:
    """Three judges of three videos, each pressing Start at ``start_marker_s`` and scoring from there."""
    rows = ["video,judge,start_s,end_s,behavior"]
    for video, judge in itertools.product(("m1", "m2", "m3"), ("p", "q", "r")):
        late = {"p": 0.0, "q": 1.0, "r": 3.0}[judge] + {"m1": 0.0, "m2": 20.0, "m3": 45.0}[video]
        zero = start_marker_s[judge]
        rows += [f"{video},{judge},{zero},{zero + 1},Start"]
        rows += [f"{video},{judge},{zero + 140 + late},{zero + 200 + late},immobile"]
    path.write_text("\n".join(rows) + "\n")
    return path


def _figures(output: str) -> list[str]:
    """The numbers printed, in order (the table and the overall lines)."""
    return re.findall(r"-?\d+\.\d+", _one_line(output))


def test_a_rater_column_named_by_the_user_and_each_judge_on_their_own_start(tmp_path: Path) -> None:
    together = _rater_table(tmp_path / "together.csv", {"p": 0.0, "q": 0.0, "r": 0.0})
    apart = _rater_table(tmp_path / "apart.csv", {"p": 0.0, "q": 12.5, "r": 31.0})
    result = run("agreement", together, "--rater-column", "judge")
    assert result.exit_code == 0, result.output
    assert "p vs q" in _one_line(result.stdout) and "q vs r" in _one_line(result.stdout)
    shifted = run("agreement", apart, "--rater-column", "judge")
    assert shifted.exit_code == 0, shifted.output
    # Judges who pressed Start 12.5 and 31 s late agree exactly as if they had pressed it together.
    assert _figures(result.stdout) and _figures(shifted.stdout) == _figures(result.stdout)
    missing = run("agreement", together, together, "--rater-column", "observer_id")
    assert missing.exit_code != 0 and "no source has such a column" in _one_line(missing.output)


def _frames_table(path: Path, human: list[int], program: list[int]) -> Path:
    """A per-frame table with two 0/1 columns: a person's and a program's."""
    rows = [f"{i},{h},{p}" for i, (h, p) in enumerate(zip(human, program, strict=True))]
    path.write_text("frame,human_freezing,program_freezing\n" + "\n".join(rows) + "\n")
    return path


def test_label_column_picks_the_column_of_per_frame_tables(tmp_path: Path) -> None:
    human = ([0] * 150 + [1] * 150) * 2
    first = _frames_table(tmp_path / "first.csv", human, [0] * 600)
    second = _frames_table(tmp_path / "second.csv", human[15:] + [1] * 15, [1] * 600)
    window = ("--fps", "10", "--window-start-s", "0", "--window-end-s", "none")
    ambiguous = run("agreement", first, second, *window)
    assert ambiguous.exit_code != 0 and "--label-column NAME" in _one_line(ambiguous.output)
    chosen = run("agreement", first, second, *window, "--label-column", "human_freezing")
    assert chosen.exit_code == 0, chosen.output
    assert re.search(r"accuracy 0\.9\d*, .* over 600 frames", _one_line(chosen.stdout))


def test_no_frame_in_the_window_is_refused_naming_the_files(tmp_path: Path) -> None:
    human = ([0] * 150 + [1] * 150) * 2  # 60 s at 10 fps: nothing in the default 120-360 s window
    first = _frames_table(tmp_path / "first.csv", human, human)
    second = _frames_table(tmp_path / "second.csv", human, human)
    result = run("agreement", first, second, "--fps", "10", "--label-column", "human_freezing")
    assert result.exit_code != 0
    message = _one_line(result.output)
    assert "no frame compared" in message and "per frame" not in message
    assert f"first ({first}) covers 600 frames (0-60 s at 10 fps), second ({second}) 600 frames" in message
    assert "the window is 120 s to 360 s" in message


@needs_demo2
def test_the_only_recording_on_each_side_pairs_with_a_note(tmp_path: Path) -> None:
    out = tmp_path / "out"
    scored = run(
        "score", DEMO2 / "demo2_tracking.csv", "--method", "pose", "--preset", "freezing", "--fps", "30",
        "--px-per-cm", "23", "--per-frame", "--out", out,
    )  # fmt: skip
    assert scored.exit_code == 0, scored.output
    result = run(
        "agreement", DEMO2 / "demo2.labels.csv", out, "--window-start-s", "0", "--window-end-s", "none"
    )
    assert result.exit_code == 0, result.output
    text = _one_line(result.output)
    assert "paired the only recording on each side: demo2.labels with demo2_tracking/animal" in text
    assert re.search(r"agreement per frame: accuracy 0\.\d{3}, .* over 3600 frames", text)
    assert "needs >= 3 videos, got 1" in text

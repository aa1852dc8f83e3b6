"""BORIS in and out: a rater's export stored as manual scores (all or none), the machine's bouts exported."""

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from behavlab.errors import InvalidInputError
from behavlab.services import Workspace, add_fst_session, score_study
from behavlab.services.boris_export import export_boris_project
from behavlab.services.boris_import import import_boris_scores
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.randomized_study import two_animals_in_one_video as film_two_animals
from tests.tracking.evaluation.test_boris import aggregated
from tracking.evaluation.boris import read_boris_project
from tracking.evaluation.labels import bouts_to_mask
from tracking.evaluation.scorings import read_output_folder
from tracking.synth.videos import write_fst_video


def _manual(workspace: Workspace) -> list[float]:
    with workspace.engine.connect() as connection:
        rows = connection.execute(text("SELECT immobility_s FROM immobilityscore WHERE method = 'manual'"))
        return sorted(row[0] for row in rows)


def test_a_boris_export_is_stored_as_the_seconds_its_bouts_hold_in_the_window(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    video = tmp_path / "day1.mp4"
    write_fst_video(video, duration_s=2.0, fps=15, size=(160, 120), n_tanks=1, seed=3)
    code = randomized.code_in_arm(0)
    add_fst_session(workspace, randomized.name, code, video, start_s=1.5)
    bouts = [(100.0, 125.0), (200.0, 250.5), (350.0, 370.0)]
    rows = [(code, "", "immobility", "STATE", start, stop) for start, stop in bouts]
    path = aggregated(tmp_path / "rater.tsv", rows, length=400.0)
    imported = import_boris_scores(workspace, randomized.name, path, "Rater One")
    window = (121.5, 361.5)
    expected = sum(max(0.0, min(stop, window[1]) - max(start, window[0])) for start, stop in bouts)
    assert imported.scores == ((code, round(expected, 1), 3),)
    assert _manual(workspace) == [round(expected, 1)]


def test_nothing_is_stored_when_any_row_is_wrong_and_every_problem_is_listed(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    video = tmp_path / "day1.mp4"
    write_fst_video(video, duration_s=2.0, fps=15, size=(160, 120), n_tanks=1, seed=3)
    code = randomized.code_in_arm(0)
    add_fst_session(workspace, randomized.name, code, video, start_s=1.5)
    rows = [
        (code, "", "immobility", "STATE", 130.0, 140.0),
        ("ZZ99", "", "immobility", "STATE", 130.0, 140.0),
        (code, "", "immobility", "POINT", 150.0, 150.0),
    ]
    with pytest.raises(InvalidInputError) as refused:
        import_boris_scores(workspace, randomized.name, aggregated(tmp_path / "r.tsv", rows), "Rater One")
    message = str(refused.value)
    assert "nothing imported" in message and "2 problem(s)" in message
    assert "row 4" in message and "accepted: STATE" in message and "rows 3: 'ZZ99'" in message
    assert _manual(workspace) == []


def test_the_machine_bouts_export_reads_back_through_behavlab_and_carries_no_arm(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    codes, _ = film_two_animals(workspace, randomized, tmp_path)
    window = {"window_start_s": 0.0, "window_end_s": 60.0, "test_duration_s": 60.0}
    score_study(workspace, randomized.name, jobs=1, overrides=window, out_dir=tmp_path / "scores")
    written = export_boris_project(workspace, randomized.name, tmp_path / "out", tmp_path / "scores")
    assert sorted(written.codes) == sorted(codes) and written.missing == ()
    back = read_boris_project(written.path, "immobility")
    machine = {s.animal: s for s in read_output_folder(tmp_path / "scores")}
    for code in codes:
        frames, times = machine[code].frames, machine[code].timestamps
        assert frames is not None and times is not None
        read = back[code].bouts if code in back else None
        bouts = read if read is not None else np.empty((0, 2))
        assert np.array_equal(bouts_to_mask(bouts, times), frames)
    content = written.path.read_text(encoding="utf-8")
    assert "M001" not in content and "day1" not in content
    assert not any(word in content.lower() for word in ("vehicle", "fluoxetine", "arm", "drug"))

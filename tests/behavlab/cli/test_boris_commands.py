"""`fst manual --boris` and `export boris` on the command line."""

import json
from pathlib import Path

from behavlab.services import Workspace, add_fst_session, score_study
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.floating_pair import WINDOW, film_floating_pair
from tests.behavlab.randomized_study import RandomizedStudy
from tests.tracking.evaluation.test_boris import aggregated, fst_length_video


def test_fst_manual_reads_a_boris_export_and_export_boris_writes_a_project(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    video = fst_length_video(tmp_path / "day1.mp4")
    code = randomized.code_in_arm(1)
    add_fst_session(workspace, randomized.name, code, video, start_s=0.0)
    export = aggregated(tmp_path / "rater.tsv", [(code, "", "Immobility", "STATE", 110.0, 150.25)])

    both = cli("fst", "manual", randomized.name, code, "--boris", str(export), "--scorer", "r")
    assert both.exit_code == 1 and "give no code or score" in both.output

    result = cli("fst", "manual", randomized.name, "--boris", str(export), "--scorer", "r")
    assert result.exit_code == 0, result.output
    assert f"manual score recorded for {code}: 30.2 s immobile (1 bouts)" in result.output

    nothing = cli("export", "boris", randomized.name, "--out", str(tmp_path / "out"))
    assert nothing.exit_code != 0 and "wrote" not in nothing.output
    assert "study 'blind' has no machine-scored FST sessions to export" in nothing.output
    assert not (tmp_path / "out").exists()  # not even the folder


def test_export_boris_writes_each_scored_session_with_its_bouts(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    codes, _ = film_floating_pair(workspace, randomized, tmp_path / "videos")
    score_study(workspace, randomized.name, jobs=1, overrides=WINDOW)
    written = cli("export", "boris", randomized.name, "--out", str(tmp_path / "out"))
    assert written.exit_code == 0, written.output
    assert "wrote 2 observations" in written.output and "left out" not in written.output
    project = json.loads((tmp_path / "out" / "blind.boris").read_text(encoding="utf-8"))
    assert sorted(project["observations"]) == sorted(f"{code}-fst1" for code in codes)
    for code in codes:
        observation = project["observations"][f"{code}-fst1"]
        assert observation["events"] and {event[1] for event in observation["events"]} == {code}
        assert "M001" not in observation["file"]["1"][0]

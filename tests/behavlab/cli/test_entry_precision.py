"""Weights and hand scores are kept to their precision on the command line too: a value with more decimals
than the balance (0.1 g) or the score (0.1 s) gives is refused naming the field, and nothing is stored."""

from pathlib import Path

from behavlab.services import Workspace, add_fst_session, list_animals
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import write_csv
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.synth.videos import write_fst_video


def test_a_weight_sheet_with_a_weight_finer_than_a_tenth_of_a_gram_is_refused(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    sheet = write_csv(
        tmp_path / "w.csv",
        [{"animal_id": "F001", "weight_g": "18.5205195"}, {"animal_id": "F002", "weight_g": "20.5"}],
    )
    before = {animal.label: animal.last_weight_g for animal in list_animals(workspace, randomized.name)}
    result = cli("animals", "weigh", randomized.name, str(sheet))
    assert result.exit_code != 0
    assert "weight_g" in result.output and "18.5205195" in result.output
    assert "finer than 0.1 g" in result.output and "a number to the nearest 0.1 g" in result.output
    after = {animal.label: animal.last_weight_g for animal in list_animals(workspace, randomized.name)}
    assert after == before


def test_manual_seconds_or_latency_finer_than_a_tenth_of_a_second_are_refused(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    video = tmp_path / "swim.mp4"
    write_fst_video(video, duration_s=4, fps=5, size=(48, 32), seed=1, latency_s=(1.0, 2.0))
    add_fst_session(workspace, randomized.name, code, video)
    manual = ("fst", "manual", randomized.name, code, "--scorer", "ana")
    seconds = cli(*manual, "--immobility-s", "30.512")
    assert (
        seconds.exit_code != 0 and "--immobility-s" in seconds.output and "finer than 0.1 s" in seconds.output
    )
    latency = cli(*manual, "--immobility-s", "30.5", "--latency-s", "12.04")
    assert latency.exit_code != 0 and "--latency-s" in latency.output and "finer than 0.1 s" in latency.output
    recorded = cli(*manual, "--immobility-s", "30.5", "--latency-s", "12")
    assert recorded.exit_code == 0, recorded.output
    assert "30.5 s immobile" in recorded.output

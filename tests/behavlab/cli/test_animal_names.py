"""Sessions and timelines take an animal's lab ID or its blind code and show the code; scoring takes codes."""

from pathlib import Path

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.synth.videos import write_fst_video


def _videos(folder: Path, count: int) -> list[Path]:
    """Distinct small videos (one session each: a video is recorded once per ROI)."""
    videos = []
    for index in range(count):
        video = folder / f"swim{index}.avi"
        write_fst_video(video, duration_s=1.0, fps=10, size=(96, 64), seed=index + 1)
        videos.append(video)
    return videos


def test_sessions_and_the_timeline_take_a_lab_id_and_show_the_code(
    cli: Invoke, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    study, (first, second) = randomized.name, sorted(randomized.codes)[:2]
    video, day_video = _videos(tmp_path, 2)
    added = cli("fst", "add", study, first.lower(), "--video", str(video))
    assert added.exit_code == 0, added.output
    assert f"{randomized.codes[first]} in {video.name}" in added.stdout and first not in added.stdout
    sheet = tmp_path / "day.csv"
    sheet.write_text(f"code,video,tested_at\n{second},{day_video.name},2024-01-01T09:00+00:00\n")
    imported = cli("fst", "import", study, str(sheet))
    assert imported.exit_code == 0, imported.output
    listed = cli("fst", "list", study).stdout
    assert randomized.codes[first] in listed and randomized.codes[second] in listed
    timeline = cli("animals", "timeline", study, second)
    assert timeline.exit_code == 0, timeline.output
    assert f"{randomized.codes[second]} in {study}" in timeline.stdout and second not in timeline.stdout
    assert "fst" in timeline.stdout


def test_scoring_takes_codes_only_and_says_so(cli: Invoke, randomized: RandomizedStudy) -> None:
    label = sorted(randomized.codes)[0]
    refused = cli("fst", "manual", randomized.name, label, "--immobility-s", "100", "--scorer", "ana")
    assert refused.exit_code != 0
    assert f"{label!r} is an animal ID, not a blind code; expected the animal's blind code" in refused.output


def test_an_unknown_name_says_what_is_accepted(cli: Invoke, randomized: RandomizedStudy) -> None:
    refused = cli("animals", "timeline", randomized.name, "nobody")
    assert refused.exit_code != 0
    assert "expected an animal ID of the roster or its blind code" in refused.output

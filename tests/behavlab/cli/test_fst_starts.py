"""`behavlab fst add --start-s` and `fst list`: a session's entered test start, checked against its video."""

from pathlib import Path

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import sheet_rows, write_roster
from tracking.synth.videos import write_fst_video

ENV = {"BEHAVLAB_PASSPHRASE": "tundra lantern quiver mosaic"}


def test_an_entered_start_is_listed_and_one_past_the_video_end_is_refused(
    cli: Invoke, tmp_path: Path
) -> None:
    def ok(*args: str) -> str:
        result = cli(*args, env=ENV)
        assert result.exit_code == 0, result.output
        return result.output

    ok("study", "create", "st")
    ok("animals", "import", "st", str(write_roster(tmp_path / "r.csv", 2)))
    sheet = tmp_path / "prep.csv"
    ok("randomize", "st", "--no-protocol", "--yes", "--seed", "3", "--preparer-sheet", str(sheet))
    first = sheet_rows(sheet)[0]["code"]
    video = tmp_path / "v.avi"
    write_fst_video(video, duration_s=2.0, fps=10, size=(96, 64), seed=2)
    late = cli("fst", "add", "st", first, "--video", str(video), "--start-s", "3", env=ENV)
    assert late.exit_code == 1
    assert "test start 3 s is not within video v.avi, which is 2.0 s long" in " ".join(late.stderr.split())
    negative = cli("fst", "add", "st", first, "--video", str(video), "--start-s", "-1", env=ENV)
    assert negative.exit_code == 2
    ok("fst", "add", "st", first, "--video", str(video), "--start-s", "1.5")
    listed = ok("fst", "list", "st")
    assert "test start" in listed and "1.5 s entered" in listed

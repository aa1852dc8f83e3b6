"""The session commands end to end: fst add/list/manual, spt period/bottles/results, timeline, unmask."""

from datetime import datetime, time, timedelta
from pathlib import Path

from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.factories import baseline_weights, sheet_rows, write_roster, write_weights
from tracking.synth.videos import write_fst_video

ENV = {"BEHAVLAB_PASSPHRASE": "tundra lantern quiver mosaic"}


def test_a_small_study_from_sessions_to_unmasking(cli: Invoke, tmp_path: Path) -> None:
    def ok(*args: str) -> str:
        result = cli(*args, env=ENV)
        assert result.exit_code == 0, result.output
        return result.output

    ok("study", "create", "s", "--test-hours-post-dose", "1")
    ok("animals", "import", "s", str(write_roster(tmp_path / "r.csv", 4, with_weights=False)))
    yesterday = datetime.now().astimezone() - timedelta(days=1)
    morning = datetime.combine(yesterday.date(), time(8, 0), yesterday.tzinfo)
    ok("animals", "weigh", "s", str(write_weights(tmp_path / "w.csv", baseline_weights(4), morning)))
    sheet = tmp_path / "prep.csv"
    ok("randomize", "s", "--no-protocol", "--yes", "--seed", "5", "--preparer-sheet", str(sheet))
    codes = [row["code"] for row in sheet_rows(sheet)]
    video = tmp_path / "v.avi"
    write_fst_video(video, duration_s=1.0, fps=10, size=(96, 64), seed=1)
    for index, code in enumerate(codes):
        dosed = morning + timedelta(hours=1, minutes=index)
        ok("dose", "s", code, "--at", dosed.isoformat())
        copy = tmp_path / f"v{index}.avi"
        copy.write_bytes(video.read_bytes() + bytes([index]))
        added = cli(
            "fst",
            "add",
            "s",
            code,
            "--video",
            str(copy),
            "--at",
            (dosed + timedelta(hours=1)).isoformat(),
            "--water-temp-c",
            "26",
            env=ENV,
        )
        assert added.exit_code == 0 and "water 26 C is outside 23-25 C" in added.stderr
        ok("fst", "manual", "s", code, "--immobility-s", str(100 + index), "--scorer", "ana")
    listed = ok("fst", "list", "s")
    assert all(code in listed for code in codes) and "manual" in listed
    start, end = morning + timedelta(hours=3), morning + timedelta(hours=9)
    ok("spt", "period", "s", "--label", "d1", "--start", start.isoformat(), "--end", end.isoformat())
    bottles = tmp_path / "b.csv"
    bottles.write_text(
        "code,sucrose_side,sucrose_start_g,sucrose_end_g,water_start_g,water_end_g\n"
        + "".join(f"{code},L,200,195,200,199\n" for code in codes)
    )
    ok("spt", "bottles", "s", "d1", str(bottles))
    assert "83.3" in ok("spt", "results", "s")
    timeline = ok("animals", "timeline", "s", codes[0])
    for kind in ("weight", "dose", "fst", "score", "spt"):
        assert kind in timeline
    assert "vehicle" not in timeline and "ketamine" not in timeline
    unmasked = ok("unmask", "s", "--yes")
    arms = {row["code"]: row["arm"] for row in sheet_rows(sheet)}
    for code, arm in arms.items():
        assert f"{code} │ {arm}" in unmasked
    again = cli("unmask", "s", "--yes", env=ENV)
    assert again.exit_code == 1 and "already unmasked" in again.stderr


def test_fst_manual_takes_a_time_sampling_sheet(cli: Invoke, tmp_path: Path) -> None:
    def ok(*args: str) -> str:
        result = cli(*args, env=ENV)
        assert result.exit_code == 0, result.output
        return result.output

    ok("study", "create", "ts")
    ok("animals", "import", "ts", str(write_roster(tmp_path / "r.csv", 2)))
    sheet = tmp_path / "prep.csv"
    ok("randomize", "ts", "--no-protocol", "--yes", "--seed", "3", "--preparer-sheet", str(sheet))
    code = sheet_rows(sheet)[0]["code"]
    video = tmp_path / "v.avi"
    write_fst_video(video, duration_s=1.0, fps=10, size=(96, 64), seed=2)
    ok("fst", "add", "ts", code, "--video", str(video))
    sampling = tmp_path / "sampling.csv"
    sampling.write_text("bin,behavior\n" + "".join(f"{n},{'I' if n > 8 else 'C'}\n" for n in range(1, 47)))
    refused = cli("fst", "manual", "ts", code, "--sheet", str(sampling), "--scorer", "ana", env=ENV)
    assert refused.exit_code == 1
    assert "sampling.csv refused, nothing was recorded" in refused.stderr and "'47, 48'" in refused.stderr
    sampling.write_text(sampling.read_text() + "47,swimming\n48,s\n")
    recorded = ok("fst", "manual", "ts", code, "--sheet", str(sampling), "--scorer", "ana")
    assert f"{code}: 190 s immobile (38 immobile, 2 swimming, 8 climbing bins)" in recorded
    assert "manual" in ok("fst", "list", "ts")
    neither = cli("fst", "manual", "ts", code, "--scorer", "ana", env=ENV)
    assert neither.exit_code == 1 and "--sheet" in neither.stderr

"""A job run where its input or output folder does not exist fails naming the path and where it ran."""

from __future__ import annotations

from pathlib import Path

from tracking.batch.jobs import BatchSettings, make_job
from tracking.batch.run import SHARED_FILESYSTEM_HINT, run_job
from tracking.rules.presets import get_preset


def test_a_job_that_cannot_see_its_video_or_output_folder_names_the_path(tmp_path: Path) -> None:
    video = tmp_path / "elsewhere" / "D0.mp4"
    out = tmp_path / "out"
    out.mkdir()
    job = make_job(video, "motion", BatchSettings(out_dir=out, params=get_preset("fst")))
    outcome = run_job(job)
    assert outcome.error == f"this process: cannot see {video}: {SHARED_FILESYSTEM_HINT}"
    video.parent.mkdir()
    video.write_bytes(b"")
    out.rmdir()
    assert run_job(job).error == f"this process: cannot see {out}: {SHARED_FILESYSTEM_HINT}"

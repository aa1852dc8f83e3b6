"""A job run where its input or output folder does not exist fails naming the path and where it ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracking.batch import run
from tracking.batch.jobs import BatchSettings, VideoJob, make_job
from tracking.batch.run import SHARED_FILESYSTEM_HINT, run_job
from tracking.rules.presets import get_preset


def missing_video_job(tmp_path: Path) -> tuple[VideoJob, Path, Path]:
    """A job whose video does not exist, its video and its (existing) output folder."""
    video = tmp_path / "elsewhere" / "D0.mp4"
    out = tmp_path / "out"
    out.mkdir()
    return make_job(video, "motion", BatchSettings(out_dir=out, params=get_preset("fst"))), video, out


def test_a_local_job_that_cannot_see_its_video_or_output_folder_names_the_path_only(tmp_path: Path) -> None:
    job, video, out = missing_video_job(tmp_path)
    assert run_job(job).error == f"this process: cannot see {video}"
    video.parent.mkdir()
    video.write_bytes(b"")
    out.rmdir()
    assert run_job(job).error == f"this process: cannot see {out}"


def test_a_dask_worker_that_cannot_see_a_path_says_it_must_be_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job, video, _ = missing_video_job(tmp_path)
    monkeypatch.setattr(run, "dask_worker_address", lambda: "tcp://127.0.0.1:40000")
    assert run_job(job).error == f"worker tcp://127.0.0.1:40000: cannot see {video}: {SHARED_FILESYSTEM_HINT}"

"""The batch's runners: jobs handed out longest first, workers started while probing and always stopped."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import pytest

import tracking.batch.run as batch_run
from tracking.batch.jobs import BatchSettings, VideoJob, longest_first, make_job
from tracking.batch.preflight import preflight
from tracking.batch.run import run_batch
from tracking.batch.runners import DaskRunner, LocalRunner, Runner
from tracking.batch.starts import StartRequest
from tracking.rules.presets import get_preset
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video
from tracking.video.probe import VideoHeader

#: Seconds of each video, in input order: neither sorted nor reverse-sorted.
LENGTHS_S = (12.0, 20.0, 14.0, 18.0)


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> list[SynthTruth]:
    """Four small one-tank videos of different lengths."""
    folder = tmp_path_factory.mktemp("lengths")
    return [
        write_fst_video(
            folder / f"L{i}.mp4", duration_s=length, fps=10.0, size=(160, 120), seed=i, latency_s=(1.0, 2.0)
        )
        for i, length in enumerate(LENGTHS_S)
    ]


def settings(out_dir: Path, videos: list[SynthTruth]) -> BatchSettings:
    """The videos' tank as their ROI, tests starting with the video, a window every video holds."""
    return BatchSettings(
        out_dir,
        get_preset("fst", window_start_s=0.0, window_end_s=10.0, test_duration_s=10.0),
        rois=tuple(tank.roi for tank in videos[0].tanks),
        starts=StartRequest(every_s=0.0),
    )


class RecordingRunner:
    """Runs the jobs in this process, recording the order they were handed out in."""

    workers = 1

    def __init__(self) -> None:
        self.handed_out: list[Path] = []

    def started(self, function: Callable[[Any], Any], expected_jobs: int) -> AbstractContextManager[None]:
        return nullcontext()

    def map_unordered(self, function: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[Any, Any]]:
        for job in jobs:
            self.handed_out.append(job.video)
            yield job, function(job)


def test_longest_first_puts_unknown_lengths_first_and_keeps_ties_in_input_order(tmp_path: Path) -> None:
    batch = BatchSettings(tmp_path, get_preset("fst"))
    jobs = [make_job(tmp_path / f"{name}.mp4", "motion", batch) for name in "abcde"]
    lengths = {
        tmp_path / "a.mp4": 60.0,
        tmp_path / "b.mp4": 360.0,
        tmp_path / "c.mp4": None,
        tmp_path / "d.mp4": 60.0,
        tmp_path / "e.mp4": 0.0,
    }
    assert [job.video.stem for job in longest_first(jobs, lengths)] == ["c", "b", "a", "d", "e"]


def test_jobs_go_out_longest_first_and_the_report_stays_in_input_order(
    videos: list[SynthTruth], tmp_path: Path
) -> None:
    paths = [v.video for v in videos]
    runner = RecordingRunner()
    report = run_batch(paths, settings(tmp_path, videos), runner=runner)
    assert not report.failed
    by_length = sorted(zip(LENGTHS_S, paths, strict=True), reverse=True)
    assert runner.handed_out == [path for _, path in by_length]
    assert [o.video for o in report.outcomes] == paths


def test_a_probe_that_fails_unexpectedly_refuses_its_video_alone(
    videos: list[SynthTruth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = videos[1].video

    def probe(job: VideoJob) -> VideoHeader | None:
        if job.video == broken:
            raise RuntimeError("the decoder crashed")
        return preflight(job)

    monkeypatch.setattr(batch_run, "preflight", probe)
    paths = [v.video for v in videos]
    report = run_batch(paths, settings(tmp_path, videos), runner=LocalRunner(1))
    assert [o.video for o in report.failed] == [broken]
    assert report.failed[0].error == "RuntimeError: the decoder crashed"
    assert [o.video for o in report.outcomes if o.ok] == [p for p in paths if p != broken]


def interrupted_while_probing(
    runner: Runner, videos: list[SynthTruth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """Run a batch whose first probe is interrupted (Ctrl-C); how many new child processes that probe saw."""
    before = set(multiprocessing.active_children())
    seen: list[int] = []

    def probe(job: VideoJob) -> None:
        seen.append(len(set(multiprocessing.active_children()) - before))
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_run, "preflight", probe)
    with pytest.raises(KeyboardInterrupt):
        run_batch([v.video for v in videos], settings(tmp_path, videos), runner=runner)
    return seen


def test_the_pool_starts_before_probing_and_stops_when_probing_is_interrupted(
    videos: list[SynthTruth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = set(multiprocessing.active_children())
    seen = interrupted_while_probing(LocalRunner(2), videos, tmp_path, monkeypatch)
    assert seen == [2]
    assert set(multiprocessing.active_children()) <= before


@pytest.mark.slow
def test_the_dask_cluster_stops_when_probing_is_interrupted(
    videos: list[SynthTruth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("distributed")
    before = set(multiprocessing.active_children())
    interrupted_while_probing(DaskRunner("local", 2), videos, tmp_path, monkeypatch)
    assert set(multiprocessing.active_children()) <= before


def test_a_worker_that_dies_while_the_videos_are_probed_fails_their_videos_not_the_batch(
    videos: list[SynthTruth], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = set(multiprocessing.active_children())

    def probe_after_killing_the_workers(job: VideoJob) -> VideoHeader | None:
        for worker in set(multiprocessing.active_children()) - before:
            worker.kill()
            worker.join()
        return preflight(job)

    monkeypatch.setattr(batch_run, "preflight", probe_after_killing_the_workers)
    paths = [v.video for v in videos]
    report = run_batch(paths, settings(tmp_path, videos), runner=LocalRunner(2))
    assert [o.video for o in report.outcomes] == paths
    assert all(o.error is not None and o.error.startswith("the worker failed") for o in report.outcomes)
    assert set(multiprocessing.active_children()) <= before


def stack_profiler_enabled(_job: int) -> bool:
    """Whether the Dask worker running this job samples its stack for the dashboard's profile."""
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


@pytest.mark.slow
def test_the_local_cluster_workers_run_without_the_stack_profiler() -> None:
    pytest.importorskip("distributed")
    results = [result for _, result in DaskRunner("local", 2).map_unordered(stack_profiler_enabled, [1, 2])]
    assert results == [False, False]

"""tracking.batch: outputs, bad inputs failing alone, resuming, rescoring, and the runners agreeing."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.tracking.videos import moving_square_frames, write_pyav
from tracking.batch.cache import load_signal_cache
from tracking.batch.documents import VideoOutputs, load_document
from tracking.batch.jobs import BatchSettings, find_videos
from tracking.batch.rescore import rescore_folder
from tracking.batch.run import run_batch
from tracking.batch.runners import DaskRunner, LocalRunner
from tracking.rules.presets import PresetError, get_preset
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video
from tracking.video.rois import CircleROI, RoiFile

SHORT = {"duration_s": 30.0, "fps": 15.0, "size": (320, 160), "n_tanks": 2, "latency_s": (4.0, 8.0)}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> list[SynthTruth]:
    """Three short two-tank videos, named like blind codes."""
    folder = tmp_path_factory.mktemp("videos")
    return [write_fst_video(folder / f"K7Q{i}.mp4", seed=i, **SHORT) for i in range(3)]  # type: ignore[arg-type]


def settings(out_dir: Path, videos: list[SynthTruth], **changes: object) -> BatchSettings:
    """Batch settings with the synthetic tanks as the ROI file's default and a window inside 30 s."""
    base = {
        "out_dir": out_dir,
        "params": get_preset("fst", window_start_s=10.0, window_end_s=30.0, test_duration_s=30.0),
        "rois": RoiFile(default=tuple(tank.roi for tank in videos[0].tanks)),
        "software_version": "9.9.9",
    }
    return BatchSettings(**{**base, **changes})  # type: ignore[arg-type]


def visible_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_outputs_of_a_batch(videos: list[SynthTruth], tmp_path: Path) -> None:
    report = run_batch(
        [v.video for v in videos], settings(tmp_path, videos, per_frame=True), runner=LocalRunner(1)
    )
    assert not report.failed and report.frames_decoded == 3 * 450
    results = pd.read_csv(tmp_path / "results.csv")
    assert list(results[["video", "animal"]].itertuples(index=False, name=None)) == [
        (f"K7Q{i}.mp4", f"tank{j}") for i in range(3) for j in (1, 2)
    ]
    required = ["immobility_s", "latency_s", "n_bouts", "window_start_s", "window_end_s", "threshold"]
    assert {*required, "threshold_source", "threshold_trustworthy", "warnings"} <= set(results.columns)
    bins = pd.read_csv(tmp_path / "bins.csv")
    assert {"video", "animal", "kind", "bin", "immobile_s", "state"} <= set(bins.columns)
    out = VideoOutputs.for_video(tmp_path, videos[0].video)
    document = load_document(out.document)
    assert document["software"] == {"name": "behavlab", "version": "9.9.9"}
    assert (
        document["scoring"]["window_start_s"] == 10.0 and document["signal"]["params"]["pixel_cutoff"] == 10.0
    )
    frames = pd.read_csv(out.frames_csv("tank1"))
    assert list(frames.columns[:4]) == ["frame", "time_s", "signal", "immobile"] and len(frames) == 450
    cache = load_signal_cache(out.cache, video_hash=document["video_info"]["content_hash"])
    assert cache.roi_labels == ("tank1", "tank2")
    expected = {"results.csv", "bins.csv"} | {
        f"K7Q{i}.{kind}"
        for i in range(3)
        for kind in ("json", "signal.npz", "qc.png", "rois.png", "tank1.frames.csv", "tank2.frames.csv")
    }
    assert set(visible_files(tmp_path)) == expected
    assert visible_files(tmp_path) == sorted(p.name for p in tmp_path.iterdir()), "a temporary file was left"


def test_bad_inputs_fail_alone(videos: list[SynthTruth], tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    good = videos[0].video
    truncated = inputs / "truncated.mp4"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (inputs / "empty.mp4").write_bytes(b"")
    (inputs / "text.mp4").write_text("this is not a video\n")
    stamps = np.concatenate([[0], np.cumsum([33 if i % 3 else 83 for i in range(619)])]).tolist()
    vfr = write_pyav(
        inputs / "vfr.mp4", "libx264", moving_square_frames(620), pts=stamps, time_base=Fraction(1, 1000)
    )
    outside = inputs / "outside.mp4"
    outside.write_bytes(good.read_bytes())
    rois = RoiFile(
        default=tuple(tank.roi for tank in videos[0].tanks),
        videos={
            "outside.mp4": (CircleROI("m9", 300.0, 80.0, 60.0),),
            "vfr.mp4": (CircleROI("m1", 80, 60, 40),),
        },
    )
    order = [good, truncated, inputs / "empty.mp4", inputs / "text.mp4", vfr, outside, videos[1].video]
    report = run_batch(order, settings(tmp_path / "out", videos, rois=rois), runner=LocalRunner(2))
    reasons = {o.video.name: o.error for o in report.failed}
    assert set(reasons) == {"truncated.mp4", "empty.mp4", "text.mp4", "outside.mp4"}
    assert "cannot read video" in reasons["truncated.mp4"] and "truncated.mp4" in reasons["truncated.mp4"]
    assert "empty (0 bytes)" in reasons["empty.mp4"]
    assert "FFmpeg cannot open it" in reasons["text.mp4"]
    assert "ROI 'm9'" in reasons["outside.mp4"] and "outside the 320x160 frame" in reasons["outside.mp4"]
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert sorted(set(results["video"])) == ["K7Q0.mp4", "K7Q1.mp4", "vfr.mp4"]
    assert "variable frame rate" in results.loc[results["video"] == "vfr.mp4", "warnings"].item()


def test_resume_skips_finished_videos_and_redoes_changed_ones(
    videos: list[SynthTruth], tmp_path: Path
) -> None:
    paths = [v.video for v in videos]
    first = run_batch(paths[:2], settings(tmp_path, videos), runner=LocalRunner(1))
    stamps = {p: VideoOutputs.for_video(tmp_path, p).document.stat().st_mtime_ns for p in paths[:2]}
    resumed = run_batch(paths, settings(tmp_path, videos), runner=LocalRunner(1), resume=True)
    assert [o.skipped for o in resumed.outcomes] == [True, True, False]
    assert all(
        VideoOutputs.for_video(tmp_path, p).document.stat().st_mtime_ns == stamps[p] for p in paths[:2]
    )
    assert resumed.frames_decoded == 450 and first.frames_decoded == 900
    assert len(pd.read_csv(tmp_path / "results.csv")) == 6
    changed = settings(
        tmp_path, videos, params=get_preset("fst", min_bout_s=0.5, window_start_s=10.0, window_end_s=30.0)
    )
    again = run_batch(paths, changed, runner=LocalRunner(1), resume=True)
    assert not any(o.skipped for o in again.outcomes)


def test_same_file_name_in_two_folders_fails_the_second(videos: list[SynthTruth], tmp_path: Path) -> None:
    twin = tmp_path / "other" / videos[0].video.name
    twin.parent.mkdir()
    twin.write_bytes(videos[1].video.read_bytes())
    report = run_batch([videos[0].video, twin], settings(tmp_path / "out", videos), runner=LocalRunner(1))
    assert [o.video for o in report.failed] == [twin]
    assert "would overwrite" in (report.failed[0].error or "")


def test_rescore_matches_a_full_rescore(videos: list[SynthTruth], tmp_path: Path) -> None:
    paths = [v.video for v in videos[:2]]
    run_batch(paths, settings(tmp_path / "a", videos, per_frame=True), runner=LocalRunner(1))
    new = get_preset(
        "fst", threshold=0.04, min_bout_s=0.5, window_start_s=10.0, window_end_s=30.0, test_duration_s=30.0
    )
    run_batch(paths, settings(tmp_path / "b", videos, params=new, per_frame=True), runner=LocalRunner(1))
    report = rescore_folder(tmp_path / "a", threshold=0.04, min_bout_s=0.5, software_version="9.9.9")
    assert not report.failed and report.frames_decoded == 0
    for name in ("results.csv", "bins.csv", "K7Q1.tank2.frames.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a" / name), pd.read_csv(tmp_path / "b" / name))
    document = json.loads((tmp_path / "a" / "K7Q0.json").read_text())
    assert document["scoring"]["threshold"] == 0.04
    with pytest.raises(PresetError, match="pixel_cutoff"):
        rescore_folder(tmp_path / "a", pixel_cutoff=12.0)


def test_a_process_pool_gives_the_same_results_as_one_process(
    videos: list[SynthTruth], tmp_path: Path
) -> None:
    paths = [v.video for v in videos]
    seen: list[int] = []
    run_batch(paths, settings(tmp_path / "one", videos), runner=LocalRunner(1))
    run_batch(
        paths,
        settings(tmp_path / "two", videos),
        runner=LocalRunner(2),
        on_progress=lambda p: seen.append(p.videos_done),
    )
    assert seen == [0, 1, 2, 3]
    for name in ("results.csv", "bins.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "one" / name), pd.read_csv(tmp_path / "two" / name)
        )


@pytest.mark.slow
def test_dask_local_gives_the_same_results_as_one_process(videos: list[SynthTruth], tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    paths = [v.video for v in videos]
    run_batch(paths, settings(tmp_path / "one", videos), runner=LocalRunner(1))
    report = run_batch(paths, settings(tmp_path / "dask", videos), runner=DaskRunner("local", 2))
    assert not report.failed
    for name in ("results.csv", "bins.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "one" / name), pd.read_csv(tmp_path / "dask" / name)
        )


def test_find_videos_expands_folders(videos: list[SynthTruth], tmp_path: Path) -> None:
    folder = videos[0].video.parent
    (tmp_path / "x.overlay.mp4").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("")
    assert find_videos([folder]) == sorted(v.video for v in videos)
    with pytest.raises(ValueError, match="no video files in folder"):
        find_videos([tmp_path])
    assert find_videos([tmp_path / "notes.txt"]) == [tmp_path / "notes.txt"]


def test_a_two_tank_frame_without_rois_is_refused_unless_the_whole_frame_is_asked_for(
    videos: list[SynthTruth], tmp_path: Path
) -> None:
    video = videos[0].video
    refused = run_batch([video], settings(tmp_path / "a", videos, rois=None), runner=LocalRunner(1))
    (failure,) = refused.failed
    assert "K7Q0.mp4" in (failure.error or "") and "shows 2 tanks" in (failure.error or "")
    assert "--whole-frame" in (failure.error or "") and refused.frames_decoded == 0
    whole = settings(tmp_path / "b", videos, rois=None, whole_frame=True)
    report = run_batch([video], whole, runner=LocalRunner(1))
    assert [row["animal"] for row in report.outcomes[0].document["results"]] == ["frame"]  # type: ignore[index]

"""tracking.batch.preflight: videos refused before decoding, alone; decode warnings kept with the result."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.tracking.videos import moving_square_frames, write_pyav
from tracking.batch.jobs import BatchSettings
from tracking.batch.run import run_batch
from tracking.batch.runners import LocalRunner
from tracking.rules.presets import get_preset
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video
from tracking.video.probe import probe_video
from tracking.video.rois import CircleROI, RectROI, ROIError, RoiFile, load_rois, save_rois

LAYOUT = {"fps": 15.0, "size": (320, 160), "n_tanks": 2, "latency_s": (4.0, 8.0)}


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SynthTruth]:
    """Two-tank videos: two of 30 s, one of 10 s."""
    folder = tmp_path_factory.mktemp("recordings")
    lengths = {"A1": 30.0, "A2": 30.0, "B1": 10.0}
    return {
        name: write_fst_video(folder / f"{name}.mp4", duration_s=seconds, seed=i, **LAYOUT)  # type: ignore[arg-type]
        for i, (name, seconds) in enumerate(lengths.items())
    }


def settings(out_dir: Path, rois: RoiFile | None, **changes: object) -> BatchSettings:
    """A 10-30 s scored window, and the given ROIs."""
    params = get_preset("fst", window_start_s=10.0, window_end_s=30.0, test_duration_s=30.0)
    return BatchSettings(out_dir=out_dir, params=params, rois=rois, **changes)  # type: ignore[arg-type]


def tank_rois(truth: SynthTruth) -> RoiFile:
    return RoiFile(default=tuple(tank.roi for tank in truth.tanks))


def test_a_video_too_short_for_the_window_is_refused_and_the_others_are_scored(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    videos = [recordings[name].video for name in ("A1", "B1", "A2")]
    report = run_batch(videos, settings(tmp_path, tank_rois(recordings["A1"])), runner=LocalRunner(1))
    (refused,) = report.failed
    assert refused.video.name == "B1.mp4" and refused.frames == 0
    reason = refused.error or ""
    assert "B1.mp4 is 10.0 s long" in reason and "needs 30 s" in reason and "'fst'" in reason
    assert [o.ok for o in report.outcomes] == [True, False, True]
    assert report.frames_decoded == 2 * 450
    assert sorted(set(pd.read_csv(tmp_path / "results.csv")["video"])) == ["A1.mp4", "A2.mp4"]


def test_the_default_fst_window_refuses_a_two_minute_video(tmp_path: Path) -> None:
    truth = write_fst_video(tmp_path / "short.mp4", duration_s=120.0, fps=5.0, size=(96, 64), seed=3)
    params = get_preset("fst")
    report = run_batch([truth.video], BatchSettings(tmp_path / "out", params), runner=LocalRunner(1))
    (refused,) = report.failed
    assert "short.mp4 is 120.0 s long" in (refused.error or "") and "needs 360 s" in (refused.error or "")
    assert not (tmp_path / "out" / "results.csv").exists()


@pytest.mark.parametrize(
    ("rois", "expected"),
    [
        (
            RoiFile(default=(CircleROI("tank1", 80.0, 80.0, 60.0),)),
            "the tank detected at (240, 80) has no ROI",
        ),
        (
            RoiFile(default=(CircleROI("m1", 80.0, 80.0, 60.0), CircleROI("m2", 160.0, 80.0, 60.0))),
            "ROI 'm2' lies where no tank was detected",
        ),
        (RoiFile(default=(CircleROI("all", 160.0, 80.0, 200.0),)), "ROI 'all' (circle) spans"),
        (
            RoiFile(default=(CircleROI("m1", 80.0, 80.0, 60.0),), frame_size=(640, 480)),
            "the ROIs were drawn on 640x480 frames, the video's are 320x160",
        ),
    ],
)
def test_rois_that_do_not_fit_the_video_are_refused_naming_it_and_the_roi(
    recordings: dict[str, SynthTruth], tmp_path: Path, rois: RoiFile, expected: str
) -> None:
    report = run_batch([recordings["A1"].video], settings(tmp_path, rois), runner=LocalRunner(1))
    (refused,) = report.failed
    assert "ROIs given for video A1.mp4" in (refused.error or "") and expected in (refused.error or "")
    assert report.frames_decoded == 0


def test_a_study_may_score_some_tanks_of_a_video_but_not_an_roi_off_its_tanks(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    one_tank = RoiFile(default=(CircleROI("tank1", 80.0, 80.0, 60.0),))
    some = settings(tmp_path / "some", one_tank, some_tanks=True)
    assert not run_batch([recordings["A1"].video], some, runner=LocalRunner(1)).failed
    off = RoiFile(default=(CircleROI("m1", 80.0, 80.0, 60.0), CircleROI("m2", 160.0, 80.0, 60.0)))
    report = run_batch(
        [recordings["A1"].video], settings(tmp_path / "off", off, some_tanks=True), runner=LocalRunner(1)
    )
    assert "ROI 'm2' lies where no tank was detected" in (report.failed[0].error or "")


def test_an_roi_covering_two_tanks_is_refused(recordings: dict[str, SynthTruth], tmp_path: Path) -> None:
    rois = RoiFile(default=(RectROI("both", 0, 0, 320, 160),))
    report = run_batch([recordings["A1"].video], settings(tmp_path, rois), runner=LocalRunner(1))
    assert "ROI 'both' covers 2 tanks" in (report.failed[0].error or "")


def test_rois_written_for_another_layout_are_refused_and_their_frame_size_is_kept(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    other = write_fst_video(tmp_path / "three.mp4", duration_s=1.0, fps=5.0, size=(480, 160), n_tanks=3)
    path = save_rois(
        tmp_path / "rois.json", RoiFile(default=tuple(t.roi for t in other.tanks), frame_size=(480, 160))
    )
    loaded = load_rois(path)
    assert loaded.frame_size == (480, 160)
    report = run_batch([recordings["A1"].video], settings(tmp_path / "out", loaded), runner=LocalRunner(1))
    assert "drawn on 480x160 frames, the video's are 320x160" in (report.failed[0].error or "")


def test_the_header_is_read_without_decoding(recordings: dict[str, SynthTruth], tmp_path: Path) -> None:
    header = probe_video(recordings["A1"].video)
    assert (header.width, header.height, header.frame_count, header.codec) == (320, 160, 450, "mpeg4")
    assert header.duration_s == pytest.approx(30.0) and header.fps == pytest.approx(15.0)
    assert not header.variable_frame_rate
    assert header.describe() == "mpeg4 320x160, 15 fps, 450 frames, 30.0 s"
    stamps = np.concatenate([[0], np.cumsum([33 if i % 3 else 83 for i in range(59)])]).tolist()
    vfr = write_pyav(
        tmp_path / "vfr.mp4", "libx264", moving_square_frames(60), pts=stamps, time_base=Fraction(1, 1000)
    )
    assert probe_video(vfr).variable_frame_rate and "(variable)" in probe_video(vfr).describe()


def test_a_variable_frame_rate_is_a_warning_with_the_result(tmp_path: Path) -> None:
    stamps = np.concatenate([[0], np.cumsum([33 if i % 3 else 83 for i in range(619)])]).tolist()
    frames = moving_square_frames(620)
    vfr = write_pyav(tmp_path / "vfr.mp4", "libx264", frames, pts=stamps, time_base=Fraction(1, 1000))
    report = run_batch([vfr], settings(tmp_path / "out", None), runner=LocalRunner(1))
    assert not report.failed
    (warnings,) = pd.read_csv(tmp_path / "out" / "results.csv")["warnings"]
    assert "variable frame rate" in warnings


def test_frames_missing_from_a_cut_recording_are_a_warning_with_the_result(
    recordings: dict[str, SynthTruth], tmp_path: Path
) -> None:
    whole = write_fst_video(tmp_path / "whole.avi", duration_s=30.0, seed=5, **LAYOUT)  # type: ignore[arg-type]
    cut = tmp_path / "cut.avi"
    data = whole.video.read_bytes()
    cut.write_bytes(data[: len(data) * 3 // 4])
    header = probe_video(cut)
    assert header.frame_count == 450 and header.duration_s is not None and 20.0 < header.duration_s < 25.0
    params = get_preset("fst", window_start_s=0.0, window_end_s=20.0, test_duration_s=20.0)
    batch = BatchSettings(tmp_path / "out", params, rois=tank_rois(whole))
    report = run_batch([cut], batch, runner=LocalRunner(1))
    assert not report.failed
    decoded = report.outcomes[0].frames
    assert 0 < decoded < 450
    warnings = report.outcomes[0].document["video_info"]["warnings"]  # type: ignore[index]
    assert f"{decoded} frames decoded but 450 announced (in the metadata)" in warnings
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert all("450 announced" in text for text in results["warnings"])


def test_an_roi_file_frame_size_must_be_two_positive_whole_numbers(tmp_path: Path) -> None:
    path = tmp_path / "rois.json"
    path.write_text(
        '{"frame_size": [320.5, 0], "default": [{"label": "a", "shape": "circle", "cx": 1, "cy": 1, "r": 1}]}'
    )
    with pytest.raises(ROIError, match=r"'frame_size' \[320.5, 0\] is not accepted"):
        load_rois(path)

"""The pose method through the batch runner: pairing by name, pose files alone, outputs, resume, rescore."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.tracking.videos import moving_square_frames, write_opencv
from tracking.batch.documents import load_document
from tracking.batch.jobs import BatchSettings, find_videos, resolve_request
from tracking.batch.rescore import rescore_folder
from tracking.batch.run import run_batch
from tracking.batch.runners import LocalRunner
from tracking.pose.batch import assign_individuals
from tracking.pose.io import read_dlc, write_dlc
from tracking.pose.synth import PoseSynthConfig, SynthPose, synth_pose_tracks, write_synth_pose
from tracking.pose.tracks import PoseFileError
from tracking.rules.presets import PresetError, ScoringParams, save_preset
from tracking.video.rois import CircleROI, RoiFile

DURATION_S = 120.0
WINDOW = {"window_start_s": 0.0, "window_end_s": DURATION_S, "test_duration_s": DURATION_S}
CONFIG = PoseSynthConfig(duration_s=DURATION_S)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """M0.mp4 with its pose file (.h5), M1's pose file alone (.csv), M2.mp4 without one, a broken M3 file."""
    folder = tmp_path_factory.mktemp("pose_inputs")
    truths: dict[str, SynthPose] = {}
    for index, suffix in ((0, ".h5"), (1, ".csv")):
        truths[f"M{index}"] = synth_pose_tracks(seed=60 + index, config=CONFIG)
        write_synth_pose(truths[f"M{index}"], folder, f"M{index}", suffix=suffix)
    for name in ("M0", "M2"):
        write_opencv(folder / f"{name}.mp4", "mp4v", moving_square_frames(20), fps=30.0)
    broken = folder / "M3DLC_Resnet50_synthfstNov25shuffle1_snapshot_best-100.csv"
    broken.write_text("scorer,DLC_x\nbodyparts,nose\n0,1\n")
    return {"folder": folder, "truths": truths, "broken": broken}


def settings(out_dir: Path, **changes: object) -> BatchSettings:
    """The fst pose preset over the whole 120 s, at 10 px/cm, pose files alone at 30 fps."""
    params, options = resolve_request("pose", "fst", {**WINDOW, "px_per_cm": 10.0, "fps": 30.0})
    base = {"out_dir": out_dir, "params": params, "signal_options": options, "software_version": "9.9.9"}
    return BatchSettings(**{**base, **changes})  # type: ignore[arg-type]


def _frames(out_dir: Path, stem: str, animal: str = "animal") -> np.ndarray:
    return pd.read_csv(out_dir / f"{stem}.{animal}.frames.csv")["immobile"].to_numpy().astype(bool)


def test_videos_pair_with_their_pose_files_and_pose_files_score_alone(
    inputs: dict[str, object], tmp_path: Path
) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    truths: dict[str, SynthPose] = inputs["truths"]  # type: ignore[assignment]
    found = find_videos([folder], "pose")
    assert [p.name for p in found] == [
        "M0.mp4",
        "M1DLC_Resnet50_synthfstNov25shuffle1_snapshot_best-100.csv",
        "M2.mp4",
        "M3DLC_Resnet50_synthfstNov25shuffle1_snapshot_best-100.csv",
    ]
    report = run_batch(found, settings(tmp_path, per_frame=True), method="pose", runner=LocalRunner(1))
    errors = {o.video.name: o.error for o in report.outcomes}
    assert errors["M0.mp4"] is None and errors[found[1].name] is None
    assert errors["M2.mp4"] == f"no DeepLabCut file named M2DLC_<scorer>.h5 or .csv in {folder}"
    assert errors[found[3].name].startswith("header rows start with 'scorer', 'bodyparts', '0'")  # type: ignore[union-attr]

    results = pd.read_csv(tmp_path / "results.csv")
    assert list(results[["video", "animal", "method"]].itertuples(index=False, name=None)) == [
        ("M0.mp4", "animal", "pose"),
        ("M1", "animal", "pose"),
    ]
    for stem, row in zip(("M0", "M1"), results.itertuples(), strict=True):
        truth = truths[stem].truth("animal")
        assert np.mean(_frames(tmp_path, stem) == truth) >= 0.97
        assert abs(row.immobility_s - truth.sum() / 30.0) < 3.0
    paired, alone = load_document(tmp_path / "M0.json"), load_document(tmp_path / "M1.json")
    assert paired["video_info"]["video"] == "M0.mp4" and paired["video_info"]["warnings"] == []
    assert alone["video_info"]["fps_source"] == "given" and alone["video_info"]["video"] is None
    assert alone["video_info"]["pose_file"] == found[1].name and alone["stem"] == "M1"
    assert paired["signal"]["params"]["signal"]["kind"] == "relative"
    assert paired["request"]["pose_file"].startswith("M0DLC_") and paired["scoring"]["method"] == "pose"
    assert set(paired["files"]) >= {"signal_cache", "qc_png", "rois_png"} and "rois_png" not in alone["files"]
    assert bins_animals(tmp_path) == {("M0.mp4", "animal"), ("M1", "animal")}


def test_the_frame_rate_comes_from_the_video_unless_given(inputs: dict[str, object], tmp_path: Path) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    alone = next(folder.glob("M1DLC_*"))
    params, options = resolve_request("pose", "fst", {**WINDOW, "px_per_cm": 10.0})
    plain = BatchSettings(tmp_path / "a", params, options)
    report = run_batch([folder / "M0.mp4", alone], plain, method="pose", runner=LocalRunner(1))
    assert report.outcomes[0].ok and report.failed[0].video == alone
    assert report.failed[0].error is not None and report.failed[0].error.startswith("no frame rate: give fps")
    assert load_document(tmp_path / "a" / "M0.json")["video_info"]["fps_source"] == "video"
    given = dataclasses.replace(plain, out_dir=tmp_path / "b", signal_options={**options, "fps": 25.0})
    run_batch([folder / "M0.mp4"], given, method="pose", runner=LocalRunner(1))
    info = load_document(tmp_path / "b" / "M0.json")["video_info"]
    assert info["fps"] == 25.0 and info["warnings"] == [
        "fps 25 differs from the frame rate of M0.mp4 (30); used 25"
    ]


def bins_animals(out_dir: Path) -> set[tuple[str, str]]:
    return set(pd.read_csv(out_dir / "bins.csv")[["video", "animal"]].itertuples(index=False, name=None))


def test_resume_skips_finished_pose_files_and_rescore_matches_a_full_rescore(
    inputs: dict[str, object], tmp_path: Path
) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    pose_files = sorted(folder.glob("M[01]DLC_*"))
    first = run_batch(pose_files, settings(tmp_path / "a"), method="pose", runner=LocalRunner(1))
    assert not first.failed
    again = run_batch(pose_files, settings(tmp_path / "a"), method="pose", runner=LocalRunner(1), resume=True)
    assert len(again.skipped) == 2 and again.frames_decoded == 0

    rescored = rescore_folder(tmp_path / "a", min_bout_s=2.5)
    assert not rescored.failed
    fresh = settings(tmp_path / "b")
    fresh = dataclasses.replace(fresh, params=dataclasses.replace(fresh.params, min_bout_s=2.5))
    run_batch(pose_files, fresh, method="pose", runner=LocalRunner(1))
    columns = ["video", "animal", "immobility_s", "latency_s", "n_bouts", "threshold", "warnings"]
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "a" / "results.csv")[columns],
        pd.read_csv(tmp_path / "b" / "results.csv")[columns],
    )
    warnings = pd.read_csv(tmp_path / "a" / "results.csv")["warnings"]
    assert warnings.str.contains("gap").all()  # the pose signal's own warnings survive the rescore


def test_a_process_pool_gives_the_same_pose_results_as_one_process(
    inputs: dict[str, object], tmp_path: Path
) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    pose_files = sorted(folder.glob("M[01]DLC_*"))
    run_batch(pose_files, settings(tmp_path / "one"), method="pose", runner=LocalRunner(1))
    run_batch(pose_files, settings(tmp_path / "two"), method="pose", runner=LocalRunner(2))
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "one" / "results.csv"), pd.read_csv(tmp_path / "two" / "results.csv")
    )


def test_rois_name_the_individual_inside_each(tmp_path: Path) -> None:
    synth = synth_pose_tracks(seed=70, individuals=("mouse1", "mouse2"), config=CONFIG)
    pose = write_synth_pose(synth, tmp_path, "cage1")
    spacing = 2.4 * CONFIG.tank_radius_cm * CONFIG.px_per_cm
    radius = 1.1 * CONFIG.tank_radius_cm * CONFIG.px_per_cm
    tanks = [
        CircleROI(code, (i + 0.5) * spacing, 0.6 * spacing, radius)
        for i, code in ((1, "QX7K2"), (0, "AB3D4"))
    ]
    assert assign_individuals(read_dlc(pose, fps=30.0), tanks) == {"QX7K2": "mouse2", "AB3D4": "mouse1"}
    report = run_batch(
        [pose],
        settings(tmp_path / "out", rois=RoiFile(default=tuple(tanks)), per_frame=True),
        method="pose",
        runner=LocalRunner(1),
    )
    assert not report.failed
    results = pd.read_csv(tmp_path / "out" / "results.csv")
    assert list(results["animal"]) == ["QX7K2", "AB3D4"]
    for code, individual in (("QX7K2", "mouse2"), ("AB3D4", "mouse1")):
        assert np.mean(_frames(tmp_path / "out", "cage1", code) == synth.truth(individual)) >= 0.97
    document = json.loads((tmp_path / "out" / "cage1.json").read_text())
    assert document["signal"]["params"]["individuals"] == {"QX7K2": "mouse2", "AB3D4": "mouse1"}

    empty = CircleROI("ZZ9Z9", 5 * spacing, 5 * spacing, 20.0)
    with pytest.raises(PoseFileError, match="no tracked individual lies in ROI 'ZZ9Z9'"):
        assign_individuals(read_dlc(pose, fps=30.0), [empty])
    failed = run_batch([pose], settings(tmp_path / "bad", rois=[empty]), method="pose", runner=LocalRunner(1))
    assert "no tracked individual lies in ROI 'ZZ9Z9'" in (failed.failed[0].error or "")


def test_pose_options_resolve_from_presets_with_clear_errors(tmp_path: Path) -> None:
    params, options = resolve_request("pose", "freezing", {"bodyparts": ["nose", "centre"], "fps": 25})
    assert params.threshold == "auto" and options["kind"] == "still" and options["smooth_window_s"] == 0.4
    assert options["bodyparts"] == ["nose", "centre"] and options["fps"] == 25.0
    calibrated = ScoringParams("lab_pose", "pose", threshold=1.5, smooth_s=0.5)
    save_preset(
        calibrated, tmp_path, signal={"kind": "acceleration", "aggregate": "median", "px_per_cm": 3.0}
    )
    params, options = resolve_request("pose", "lab_pose", {"px_per_cm": 12.0}, tmp_path)
    assert params.threshold == 1.5 and options["kind"] == "acceleration" and options["aggregate"] == "median"
    assert options["px_per_cm"] == 12.0  # the camera's scale is never taken from a preset
    with pytest.raises(PresetError, match="px_per_cm or tank_diameter_px, not both"):
        resolve_request("pose", "fst", {"px_per_cm": 10.0, "tank_diameter_px": 200.0})
    with pytest.raises(
        PresetError, match=r"unknown parameter\(s\) 'pixel_cutoff'; accepted: kind, bodyparts"
    ):
        resolve_request("pose", "fst", {"pixel_cutoff": 10.0})
    with pytest.raises(PresetError, match=r"min_likelihood = 2\.0; expected a number in"):
        resolve_request("pose", "fst", {"min_likelihood": 2.0})
    with pytest.raises(PresetError, match="unknown method 'sleap'; accepted: motion, pose"):
        resolve_request("sleap", "fst")


def test_a_lightning_pose_csv_scores_as_a_pose_file_alone(tmp_path: Path) -> None:
    """Lightning Pose writes DeepLabCut's CSV (scorer heatmap_tracker), named after the video."""
    synth = synth_pose_tracks(seed=75, config=CONFIG)
    tracks = synth.tracks.replace(scorer="heatmap_tracker")
    pose = write_dlc(tracks, tmp_path / "video_preds" / "test_vid.csv")
    report = run_batch(
        [pose], settings(tmp_path / "out", per_frame=True), method="pose", runner=LocalRunner(1)
    )
    assert not report.failed
    assert list(pd.read_csv(tmp_path / "out" / "results.csv")["video"]) == ["test_vid"]
    assert np.mean(_frames(tmp_path / "out", "test_vid") == synth.truth("animal")) >= 0.97


def test_rescore_refuses_a_pose_signal_change(inputs: dict[str, object], tmp_path: Path) -> None:
    folder: Path = inputs["folder"]  # type: ignore[assignment]
    run_batch(sorted(folder.glob("M1DLC_*")), settings(tmp_path), method="pose", runner=LocalRunner(1))
    with pytest.raises(PresetError, match=r"min_likelihood change\(s\) the signal itself; rescoring reuses"):
        rescore_folder(tmp_path, min_likelihood=0.5)

"""Batches outside a study: each animal's test start entered, from a manifest or detected; kept on rescore."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tracking.batch.documents import VideoOutputs, load_document
from tracking.batch.jobs import BatchSettings, make_job
from tracking.batch.preflight import PreflightError, preflight
from tracking.batch.rescore import rescore_folder
from tracking.batch.run import run_batch
from tracking.batch.runners import LocalRunner
from tracking.batch.starts import ManifestError, StartRequest, read_manifest
from tracking.motion.scoring import score_video
from tracking.rules.presets import get_preset
from tracking.rules.starts import AnimalStart, StartSource
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video
from tracking.video.rois import RoiFile

#: A 20-s window 5-25 s into a 25-s test, so the videos stay short.
WINDOW = {"window_start_s": 5.0, "window_end_s": 25.0, "test_duration_s": 25.0}
ENTRIES = (8.0, 16.0)


@pytest.fixture(scope="module")
def lead_in(tmp_path_factory: pytest.TempPathFactory) -> SynthTruth:
    """Two tanks, their mice dropped in after 8 s and 16 s of empty water; 42 s in all."""
    folder = tmp_path_factory.mktemp("lead_in")
    return write_fst_video(
        folder / "L8.mp4",
        duration_s=42.0,
        fps=10.0,
        size=(320, 160),
        n_tanks=2,
        entry_s=ENTRIES,
        latency_s=(3.0, 6.0),
        seed=5,
    )


def errors_s(truth: SynthTruth, **start: object) -> dict[str, float]:
    """Each tank's scored immobility minus the truth over its own window (from its entry)."""
    score = score_video(truth.video, [tank.roi for tank in truth.tanks], **WINDOW, **start)  # type: ignore[arg-type]
    return {
        tank.label: score.animal(tank.label).immobility_s - tank.test_immobility_s(5.0, 25.0)
        for tank in truth.tanks
    }


def test_the_true_start_scores_each_tank_over_its_own_window(lead_in: SynthTruth) -> None:
    from_video_start = errors_s(lead_in)
    entered = errors_s(lead_in, start_s={tank.label: tank.entry_s for tank in lead_in.tanks})
    detected = errors_s(lead_in, detect_start=True)
    assert all(abs(error) <= 0.5 for error in entered.values()), entered
    assert all(abs(error) <= 0.5 for error in detected.values()), detected
    assert sum(map(abs, from_video_start.values())) > 4 * max(0.1, sum(map(abs, entered.values())))


def settings(out_dir: Path, truth: SynthTruth, starts: StartRequest) -> BatchSettings:
    """Batch settings with the video's tanks as ROIs, the short window and ``starts``."""
    return BatchSettings(
        out_dir=out_dir,
        params=get_preset("fst", **WINDOW),  # type: ignore[arg-type]
        rois=RoiFile(default=tuple(tank.roi for tank in truth.tanks)),
        software_version="test",
        starts=starts,
    )


def test_a_manifest_sets_each_start_and_rescoring_keeps_it(lead_in: SynthTruth, tmp_path: Path) -> None:
    manifest = tmp_path / "starts.csv"
    manifest.write_text(
        "video,roi,start_s\n" + "".join(f"{lead_in.video},{t.label},{t.entry_s}\n" for t in lead_in.tanks)
    )
    starts = StartRequest(manifest=read_manifest(manifest))
    report = run_batch([lead_in.video], settings(tmp_path, lead_in, starts), runner=LocalRunner(1))
    assert not report.failed
    results = pd.read_csv(tmp_path / "results.csv")
    assert results["test_start_s"].tolist() == list(ENTRIES)
    assert results["start_source"].tolist() == ["entered", "entered"]
    assert results["window_start_s"].tolist() == [entry + 5.0 for entry in ENTRIES]
    document = load_document(VideoOutputs.for_video(tmp_path, lead_in.video).document)
    assert document["starts"]["tank2"] == {"start_s": 16.0, "source": "entered", "confidence": None}
    assert document["request"]["starts"]["entered"] == {"tank1": 8.0, "tank2": 16.0}

    rescored = rescore_folder(tmp_path, min_bout_s=1.5)
    assert not rescored.failed
    again = pd.read_csv(tmp_path / "results.csv")
    assert again["test_start_s"].tolist() == list(ENTRIES)
    assert again["window_start_s"].tolist() == [entry + 5.0 for entry in ENTRIES]


def test_a_tank_with_no_entry_fails_alone_and_stays_failed(tmp_path: Path) -> None:
    truth = write_fst_video(
        tmp_path / "E2.mp4",
        duration_s=35.0,
        fps=10.0,
        size=(320, 160),
        n_tanks=2,
        entry_s=(4.0, 99.0),
        seed=6,
    )
    out = tmp_path / "out"
    report = run_batch([truth.video], settings(out, truth, StartRequest(detect=True)), runner=LocalRunner(1))
    document = report.outcomes[0].document
    assert document is not None
    assert [row["animal"] for row in document["results"]] == ["tank1"]
    assert document["results"][0]["start_source"] == "detected"
    assert abs(document["results"][0]["test_start_s"] - 4.0) <= 0.5
    assert 0.5 < document["results"][0]["start_confidence"] <= 1  # a rise over twice the one needed
    assert "no entry into the water detected in ROI 'tank2'" in document["failed_animals"]["tank2"]
    rescore_folder(out)
    assert load_document(VideoOutputs.for_video(out, truth.video).document)["failed_animals"].keys() == {
        "tank2"
    }


def test_a_video_with_no_entry_in_any_tank_fails_naming_each(tmp_path: Path) -> None:
    truth = write_fst_video(
        tmp_path / "E0.mp4", duration_s=35.0, fps=10.0, size=(320, 160), n_tanks=2, entry_s=(99.0, 99.0)
    )
    report = run_batch(
        [truth.video], settings(tmp_path / "out", truth, StartRequest(detect=True)), runner=LocalRunner(1)
    )
    (failed,) = report.failed
    reason = failed.error or ""
    assert reason.startswith("no animal of E0.mp4 could be scored (tank1: no entry into the water detected")
    assert "tank2: no entry into the water detected in ROI 'tank2'" in reason


def test_preflight_needs_the_latest_start_plus_the_window(lead_in: SynthTruth, tmp_path: Path) -> None:
    fits = StartRequest(manifest={lead_in.video.name: {"tank1": 8.0, "tank2": 16.0}})
    assert preflight(make_job(lead_in.video, "motion", settings(tmp_path, lead_in, fits))) is not None
    late = StartRequest(manifest={lead_in.video.name: {"tank1": 8.0, "tank2": 20.0}})
    with pytest.raises(PreflightError, match=r"needs 45 s \(test start 20 s \+ window end 25 s\)"):
        preflight(make_job(lead_in.video, "motion", settings(tmp_path, lead_in, late)))
    partial = StartRequest(manifest={lead_in.video.name: {"tank1": 8.0}})
    with pytest.raises(PreflightError, match=r"no test start for video L8.mp4, ROI\(s\) 'tank2'"):
        preflight(make_job(lead_in.video, "motion", settings(tmp_path, lead_in, partial)))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("video,roi\nA.mp4,tank1\n", "no column start_s"),
        ("video,roi,start_s\nA.mp4,tank1,soon\n", "row 2, field start_s: 'soon' is not accepted; expected"),
        ("video,roi,start_s\nA.mp4,tank1,1\nA.mp4,,2\n", "row 3, field roi: empty"),
        ("video,roi,start_s\nA.mp4,tank1,-3\n", "row 2, field start_s: '-3' is not accepted"),
        ("video,roi,start_s\nA.mp4,tank1,1\nA.mp4,tank1,2\n", "row 3: video 'A.mp4', ROI 'tank1' already"),
    ],
)
def test_manifest_errors_name_the_file_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "starts.csv"
    path.write_text(text)
    with pytest.raises(ManifestError, match=str(path)) as refused:
        read_manifest(path)
    assert message in str(refused.value)


def test_one_source_of_starts_at_a_time() -> None:
    with pytest.raises(ValueError, match="one source of test starts"):
        StartRequest(every_s=3.0, detect=True)
    assert StartRequest(every_s=3.0).entered_for("any.mp4") == 3.0
    assert StartRequest().latest_for("any.mp4") == 0.0


def test_given_starts_keep_their_source_and_detection_fills_in_the_others(
    lead_in: SynthTruth, tmp_path: Path
) -> None:
    marked = AnimalStart(8.0, StartSource.BENCH)
    starts = StartRequest(manifest={lead_in.video.name: {"tank1": marked}}, detect=True)
    assert starts.missing_rois(lead_in.video.name, ["tank1", "tank2"]) == []
    report = run_batch([lead_in.video], settings(tmp_path, lead_in, starts), runner=LocalRunner(1))
    document = report.outcomes[0].document
    assert document is not None and not document["failed_animals"]
    assert document["starts"]["tank1"] == {"start_s": 8.0, "source": "bench", "confidence": None}
    assert document["starts"]["tank2"]["source"] == "detected"
    assert abs(document["starts"]["tank2"]["start_s"] - ENTRIES[1]) <= 0.5
    assert document["request"]["starts"]["entered"] == {"tank1": marked.to_dict()}
    with pytest.raises(ValueError, match="one source of test starts"):
        StartRequest(every_s=3.0, manifest={lead_in.video.name: {"tank1": 8.0}})

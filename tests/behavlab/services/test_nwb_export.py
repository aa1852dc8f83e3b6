"""NWB export: files read back equal to the database, pass NWB's inspector, and stay blind until unmasking."""

import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from nwbinspector import Importance, inspect_nwbfile
from pynwb import NWBHDF5IO
from sqlmodel import Session, col, select

from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import Allocation, Animal, Arm, DoseEvent, FstSession, ImmobilityScore
from behavlab.services import Workspace, add_fst_session, score_study, unmask_study, void_record
from behavlab.services.lookup import find_study
from behavlab.services.machine_scorings import (
    SessionVideo,
    latest_machine_scores,
    rescored_sessions,
    scoring_folders,
)
from behavlab.services.nwb_export import BLIND_NOTE, export_nwb
from behavlab.services.study_scoring import study_scoring_folder
from tests.behavlab.floating_pair import TEST_START_S, WINDOW, film_floating_pair
from tests.behavlab.nwb_text import nwb_text
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tracking.batch.documents import load_documents, rescore_document
from tracking.pose.io import write_dlc
from tracking.pose.synth import PoseSynthConfig, SynthPose, synth_pose_tracks, write_synth_pose
from tracking.synth.videos import write_fst_video


@pytest.fixture
def scored(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> tuple[RandomizedStudy, list[str]]:
    """Two animals filmed together in a video named by lab ID (one per arm), dosed, scored by motion."""
    codes, _ = film_floating_pair(workspace, randomized, tmp_path / "videos")
    assert score_study(workspace, randomized.name, jobs=1, overrides=WINDOW).scored == 2
    return randomized, codes


def _stored(workspace: Workspace, code: str) -> tuple[Animal, FstSession, DoseEvent, ImmobilityScore]:
    with Session(workspace.engine) as db:
        animal_id = db.exec(select(Allocation.animal_id).where(Allocation.blind_code == code)).one()
        animal = db.exec(select(Animal).where(Animal.id == animal_id)).one()
        fst = db.exec(select(FstSession).where(FstSession.animal_id == animal_id)).one()
        dose = db.exec(select(DoseEvent).where(DoseEvent.animal_id == animal_id)).one()
        score = db.exec(select(ImmobilityScore).where(ImmobilityScore.session_id == fst.id)).one()
        return animal, fst, dose, score


def _arm_words(workspace: Workspace) -> list[str]:
    with Session(workspace.engine) as db:
        arms = db.exec(select(Arm)).all()
    return [word for arm in arms for word in (arm.name, arm.substance)] + ["mg/kg", "mg_per_kg"]


def _serious(path: Path) -> list[str]:
    threshold = Importance.BEST_PRACTICE_VIOLATION
    return [str(m) for m in inspect_nwbfile(nwbfile_path=path, importance_threshold=threshold)]


def test_a_blind_export_reads_back_equal_to_the_database(
    workspace: Workspace, scored: tuple[RandomizedStudy, list[str]], tmp_path: Path
) -> None:
    study, codes = scored
    out = tmp_path / "dandi"
    result = export_nwb(workspace, study.name, out, blind=True)
    names = sorted(path.relative_to(out).as_posix() for path in result.files)
    assert result.blind and names == sorted(
        f"sub-{code}/sub-{code}_ses-fst1_desc-blind_behavior+image.nwb" for code in codes
    )
    folder = next(study_scoring_folder(workspace, study.name).iterdir())
    (_, document), *_ = load_documents(folder)
    rescored = rescore_document(folder, document)
    for code, path in zip(sorted(codes), sorted(result.files), strict=True):
        animal, fst, dose, score = _stored(workspace, code)
        with NWBHDF5IO(str(path), "r") as io:
            nwb = io.read()
            subject = nwb.subject
            assert (subject.subject_id, subject.species, subject.strain, subject.sex) == (
                code,
                "Mus musculus",
                animal.strain,
                animal.sex,
            )
            assert subject.date_of_birth.date() == animal.date_of_birth and "withheld" in subject.description
            assert subject.weight == f"{dose.weight_g / 1000:.6g} kg"
            assert score.test_start_s == TEST_START_S
            first_frame = fst.tested_at - timedelta(seconds=score.test_start_s)
            assert nwb.session_start_time == nwb.timestamps_reference_time == first_frame
            assert list(nwb.epochs.to_dataframe()["start_time"]) == [score.test_start_s]
            assert BLIND_NOTE in nwb.session_description and nwb.experimenter == (fst.recorded_by,)
            video = nwb.acquisition["video"]
            link = path.parent / video.external_file[0]
            assert link.parent == path.parent and link.resolve() == Path(fst.video_path).resolve()
            assert fst.video_sha256 in video.description and not Path(video.external_file[0]).is_absolute()
            frames = rescored.animal(code).frames
            assert len(frames.bouts) >= 1
            bouts = nwb.intervals["immobility_bouts"].to_dataframe()
            np.testing.assert_allclose(bouts["start_time"], frames.bouts.start_s)
            np.testing.assert_allclose(bouts["stop_time"], frames.bouts.end_s)
            assert set(bouts["method"]) == {"motion"}
            inside = bouts[bouts["in_scored_window"]]
            clipped = inside["stop_time"].clip(upper=score.window_end_s) - inside["start_time"].clip(
                lower=score.window_start_s
            )
            assert float(clipped.sum()) == pytest.approx(score.immobility_s, abs=0.1)
            assert len(inside) == score.n_bouts and len(inside) < len(bouts)
            behavior = nwb.processing["behavior"]
            signal = behavior["BehavioralTimeSeries"]["motion_signal"]
            assert signal.data.shape == (frames.n_frames,)
            table = behavior["immobility_scoring"].to_dataframe().iloc[0]
            assert (table["parameters_sha256"], table["immobility_s"]) == (
                score.parameters_sha256,
                score.immobility_s,
            )
            doses = behavior["doses"].to_dataframe()
            assert list(doses["given_at"]) == [dose.dosed_at.isoformat()]
            assert list(doses["given_ml_per_kg"]) == [dose.given_ml_per_kg]
            assert list(doses["volume_ml"]) == [dose.volume_ml]
        assert _serious(path) == []
        text = nwb_text(path) + path.read_bytes().decode("latin-1")
        assert not [word for word in _arm_words(workspace) if word in text]
        assert "M001" not in text and "day1" not in text


def test_an_export_names_the_arm_only_after_unmasking(
    workspace: Workspace, scored: tuple[RandomizedStudy, list[str]], tmp_path: Path
) -> None:
    study, codes = scored
    with pytest.raises(ConflictError, match="--blind"):
        export_nwb(workspace, study.name, tmp_path / "early")
    assert not (tmp_path / "early").exists()
    unmask_study(workspace, study.name, PASSPHRASE, force_reason="exported")
    result = export_nwb(workspace, study.name, tmp_path / "dandi")
    assert not result.blind
    with Session(workspace.engine) as db:
        arms = sorted(db.exec(select(Arm)), key=lambda arm: arm.position)
    for arm, code in zip(arms, codes, strict=True):
        path = next(p for p in result.files if p.parent.name == f"sub-{code}")
        assert arm.name not in path.as_posix() and "blind" not in path.name
        with NWBHDF5IO(str(path), "r") as io:
            nwb = io.read()
            assert f"{arm.name}: {arm.substance} {arm.dose_mg_per_kg:g} mg/kg" in nwb.subject.description
            doses = nwb.processing["behavior"]["doses"].to_dataframe()
            assert list(doses["substance"]) == [arm.substance]
            assert list(doses["dose_mg_per_kg"]) == [arm.dose_mg_per_kg]
            assert arm.substance in nwb.pharmacology and BLIND_NOTE not in nwb.session_description
        assert _serious(path) == []


def test_without_pynwb_the_export_names_the_extra_to_install(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pynwb", None)
    with pytest.raises(InvalidInputError, match=r"pynwb is missing\): pip install behavlab\[nwb\]"):
        export_nwb(workspace, randomized.name, tmp_path / "dandi", blind=True)
    assert not (tmp_path / "dandi").exists()


def test_a_session_that_cannot_be_read_leaves_no_partial_export(
    workspace: Workspace, scored: tuple[RandomizedStudy, list[str]], tmp_path: Path
) -> None:
    study, _ = scored
    with Session(workspace.engine) as db:
        last = db.exec(select(FstSession).order_by(col(FstSession.id).desc())).first()
        assert last is not None
        last.video_path = str(tmp_path / "moved-away.mp4")
        db.add(last)
        db.commit()
    out = tmp_path / "dandi"
    with pytest.raises(NotFoundError, match="put it back to export"):
        export_nwb(workspace, study.name, out, blind=True)
    assert not out.exists()


def _session_with_pose(workspace: Workspace, study: RandomizedStudy, folder: Path) -> tuple[str, SynthPose]:
    """One animal's session (whole frame, test start entered) with its DeepLabCut file beside the video."""
    video = folder / "M003_day1.mp4"
    write_fst_video(video, duration_s=2.0, fps=15, size=(160, 120), n_tanks=1, seed=3)
    synth = synth_pose_tracks(config=PoseSynthConfig(duration_s=2.0, fps=15.0), seed=2)
    write_synth_pose(synth, folder, video.stem)
    code = study.code_in_arm(0)
    add_fst_session(workspace, study.name, code, video, start_s=0.5)
    return code, synth


def test_the_pose_tracks_beside_the_video_are_exported(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code, synth = _session_with_pose(workspace, randomized, tmp_path)
    (path,) = export_nwb(workspace, randomized.name, tmp_path / "dandi", blind=True).files
    with NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        estimation = nwb.processing["behavior"]["PoseEstimation"]
        assert list(estimation.skeleton.nodes[:]) == list(synth.tracks.bodyparts)
        first = synth.tracks.bodyparts[0]
        np.testing.assert_allclose(
            estimation.pose_estimation_series[first].data[:, 0], synth.tracks.x[:, 0, 0]
        )
        assert list(nwb.epochs.to_dataframe()["start_time"]) == [0.5] and nwb.subject.subject_id == code
    assert _serious(path) == []
    assert "M003" not in nwb_text(path) and "day1" not in nwb_text(path)


def test_two_scorers_pose_files_are_refused_not_left_out(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    _, synth = _session_with_pose(workspace, randomized, tmp_path)
    write_dlc(synth.tracks, tmp_path / "M003_day1DLC_resnet50_otherApr1shuffle1_1000.h5")
    with pytest.raises(InvalidInputError, match=r"cannot export the pose tracks of .*2 scorers"):
        export_nwb(workspace, randomized.name, tmp_path / "dandi", blind=True)
    assert not (tmp_path / "dandi").exists()


def test_a_scoring_written_elsewhere_is_found_where_it_recorded_writing_else_named(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    from behavlab.services.boris_export import export_boris_project

    codes, _ = film_floating_pair(workspace, randomized, tmp_path / "videos")
    elsewhere = tmp_path / "elsewhere"
    assert score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=elsewhere).scored == 2
    written = export_nwb(workspace, randomized.name, tmp_path / "dandi", blind=True)
    for path in written.files:
        with NWBHDF5IO(str(path), "r") as io:
            assert len(io.read().intervals["immobility_bouts"]) >= 1
    boris = export_boris_project(workspace, randomized.name, tmp_path / "boris")
    assert boris.observations == tuple(sorted(f"{code}-fst1" for code in codes)) and boris.missing == ()

    elsewhere.rename(tmp_path / "moved")
    with pytest.raises(NotFoundError) as refused:
        export_nwb(workspace, randomized.name, tmp_path / "dandi-again", blind=True)
    assert str(elsewhere) in str(refused.value) and "give --scores" in str(refused.value)
    with pytest.raises(NotFoundError) as nothing:
        export_boris_project(workspace, randomized.name, tmp_path / "boris-again")
    assert str(elsewhere) in str(nothing.value) and "give --scores" in str(nothing.value)
    assert not (tmp_path / "boris-again").exists() or not any((tmp_path / "boris-again").iterdir())
    moved = export_nwb(
        workspace, randomized.name, tmp_path / "dandi-moved", blind=True, scores_dir=tmp_path / "moved"
    )
    assert len(moved.files) == 2


def test_the_files_of_a_superseded_scoring_of_the_same_video_are_not_taken(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    codes, video = film_floating_pair(workspace, randomized, tmp_path / "videos")
    assert score_study(workspace, randomized.name, jobs=1, overrides=WINDOW).scored == 2
    _, first, _, _ = _stored(workspace, codes[0])
    assert first.id is not None and first.roi_label is not None
    void_record(workspace, randomized.name, "session", first.id, "the test start was entered wrong")
    retest = add_fst_session(
        workspace,
        randomized.name,
        codes[0],
        video,
        first.roi_label,
        tmp_path / "videos" / "rois.json",
        tested_at=first.tested_at,
        start_s=TEST_START_S + 2.0,
    )
    elsewhere = tmp_path / "elsewhere"
    assert score_study(workspace, randomized.name, jobs=1, overrides=WINDOW, out_dir=elsewhere).scored == 1
    with Session(workspace.engine) as db:
        study = find_study(db, randomized.name)
        score = latest_machine_scores(db, study)[retest.id]
        folders = scoring_folders(db, workspace, study, score, None)
    stale = SessionVideo(codes[0], video)  # the old file, in the study's own folder, is found first
    current = SessionVideo(codes[0], video, score.start_source, score.test_start_s)
    starts = {
        name: rescored_sessions(folders, score.method, {retest.id: wanted})[retest.id].document["starts"][
            codes[0]
        ]["start_s"]
        for name, wanted in (("stale", stale), ("current", current))
    }
    assert starts == {"stale": TEST_START_S, "current": TEST_START_S + 2.0}

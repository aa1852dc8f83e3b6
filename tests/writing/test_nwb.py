"""NWB files from plain records: pose tracks with their skeleton, timing, and a blind record kept blind."""

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from nwbinspector import Importance, inspect_nwbfile
from pynwb import NWBHDF5IO

from writing.nwb.behavior import flat_parameters
from writing.nwb.file import write_nwb
from writing.nwb.records import NwbDose, NwbPose, NwbScoring, NwbSession, NwbSubject, NwbVideo

START = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def _session(folder: Path, *, blind: bool = True) -> NwbSession:
    (folder / "video.mp4").write_bytes(b"not decoded")
    rng = np.random.default_rng(3)
    frames = 50
    return NwbSession(
        identifier=str(uuid.uuid4()),
        session_id="fst1",
        description="Forced swim test of K7Q2.",
        start_time=START,
        test_start_s=1.0,
        subject=NwbSubject("K7Q2", "Mus musculus", "C57BL/6J", "F", date(2025, 12, 1), 21.5),
        video=NwbVideo("video.mp4", "ab" * 32, 10.0, frames),
        blind=blind,
        software="behavlab 9.9",
        doses=(NwbDose(START - timedelta(hours=24), 0.215, 10.0, 10.0, "ip"),),
        scoring=NwbScoring(
            method="pose",
            parameters_json='{"scoring": {"min_bout_s": 1.0, "preset": {"name": "fst"}}, "method": "pose"}',
            parameters_sha256="d" * 64,
            software_version="9.9",
            scored_at=START,
            bout_start_s=np.array([0.5, 2.0]),
            bout_stop_s=np.array([1.5, 4.0]),
            window_s=(2.5, 5.0),
            timestamps=np.arange(frames) / 10.0,
            signal=rng.random(frames),
            signal_unit="cm/s",
            signal_description="Speed.",
            summary={"immobility_s": 3.0, "start_source": "entered"},
        ),
        pose=NwbPose(
            ("nose", "tailbase"),
            rng.random((frames, 2)) * 100,
            rng.random((frames, 2)) * 100,
            rng.random((frames, 2)),
            10.0,
            "DLC_resnet50",
        ),
    )


def test_pose_tracks_are_written_with_their_skeleton_and_pass_the_inspector(tmp_path: Path) -> None:
    session = _session(tmp_path)
    path = write_nwb(session, tmp_path / "sub-K7Q2_ses-fst1_behavior+image.nwb")
    serious = list(
        inspect_nwbfile(nwbfile_path=path, importance_threshold=Importance.BEST_PRACTICE_VIOLATION)
    )
    assert serious == []
    assert session.pose is not None
    with NWBHDF5IO(str(path), "r") as io:
        behavior = io.read().processing["behavior"]
        estimation = behavior["PoseEstimation"]
        assert list(estimation.skeleton.nodes[:]) == ["nose", "tailbase"]
        assert estimation.skeleton.edges is None
        nose = estimation.pose_estimation_series["nose"]
        np.testing.assert_allclose(nose.data[:, 0], session.pose.x[:, 0])
        np.testing.assert_allclose(nose.confidence[:], session.pose.likelihood[:, 0])
        assert (nose.rate, nose.starting_time) == (10.0, 0.0)
        signal = behavior["BehavioralTimeSeries"]["pose_signal"]
        assert (signal.rate, signal.timestamps, signal.unit) == (10.0, None, "cm/s")
        parameters = behavior["scoring_parameters"].to_dataframe()
        assert dict(zip(parameters["parameter"], parameters["value"], strict=True)) == {
            "scoring.min_bout_s": "1.0",
            "scoring.preset.name": '"fst"',
            "method": '"pose"',
        }


def test_times_count_from_the_first_frame_the_test_and_the_scored_window_are_marked(tmp_path: Path) -> None:
    session = _session(tmp_path)
    path = write_nwb(session, tmp_path / "sub-K7Q2_ses-fst1_behavior+image.nwb")
    with NWBHDF5IO(str(path), "r") as io:
        nwb = io.read()
        assert nwb.session_start_time == nwb.timestamps_reference_time == START
        epochs = nwb.epochs.to_dataframe()
        assert list(epochs["start_time"]) == [1.0] and list(epochs["stop_time"]) == [5.0]
        bouts = nwb.intervals["immobility_bouts"].to_dataframe()
        assert list(bouts["in_scored_window"]) == [False, True]
        assert "2.5 to 5 s" in nwb.intervals["immobility_bouts"].description
        doses = nwb.processing["behavior"]["doses"].to_dataframe()
        assert list(doses["seconds_before_test"]) == [24 * 3600 + 1.0]
        assert "24.0 h before the test" in nwb.pharmacology


def test_a_blind_record_that_carries_an_arm_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    session = _session(tmp_path)
    path = tmp_path / "x.nwb"
    with_arm = replace(session, subject=replace(session.subject, treatment="drug: ketamine 10 mg/kg ip"))
    with_substance = replace(session, doses=(replace(session.doses[0], substance="ketamine"),))
    for record in (with_arm, with_substance):
        with pytest.raises(ValueError, match="blind NWB session must not carry"):
            write_nwb(record, path)
    assert not path.exists() and not list(tmp_path.glob(".*"))
    write_nwb(replace(with_arm, blind=False), path)
    with NWBHDF5IO(str(path), "r") as io:
        assert io.read().subject.description == "Treatment: drug: ketamine 10 mg/kg ip."


def test_nested_parameters_flatten_to_dotted_names() -> None:
    assert flat_parameters({"a": {"b": [1, 2], "c": None}, "d": True}) == [
        ("a.b", "[1, 2]"),
        ("a.c", "null"),
        ("d", "true"),
    ]

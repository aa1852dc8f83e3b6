"""The uncalibrated ``freezing`` preset on real DeepLabCut tracks with a person's per-frame labels.

BehaviorDEPOT's demo2 recording (``../shared/data/behaviordepot_demo2``, read-only; see its README): one mouse
with a head-mounted miniscope, 9 body parts, 3,600 frames at 30 fps, 23 px/cm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.shared_data import SHARED_DATA
from tracking.evaluation.agreement import frame_agreement
from tracking.pose import score_pose_file, signal_params_for

DEMO2 = SHARED_DATA / "behaviordepot_demo2"
pytestmark = pytest.mark.skipif(not DEMO2.is_dir(), reason=f"the shared real recordings are not at {DEMO2}")


def _labels(name: str, column: str) -> np.ndarray:
    labels: np.ndarray = pd.read_csv(DEMO2 / name)[column].to_numpy().astype(bool)
    return labels


def test_freezing_defaults_agree_with_the_person_better_than_behaviordepot() -> None:
    person = _labels("demo2.labels.csv", "freezing")
    behaviordepot = _labels("behaviordepot_own_output_demo2_freezing_per_frame.csv", "behaviordepot_freezing")
    [result] = score_pose_file(
        DEMO2 / "demo2_tracking.csv",
        fps=30.0,
        preset="freezing",
        signal=signal_params_for("freezing", px_per_cm=23),
    )
    machine = result.frames.immobile
    assert machine.shape == person.shape == (3600,)
    agreement = float(np.mean(machine == person))
    assert agreement >= 0.90 and abs(result.immobility_s - person.sum() / 30.0) <= 3.0
    assert agreement > float(np.mean(behaviordepot == person)) + 0.04
    assert frame_agreement(person, machine).kappa > 0.8
    assert result.threshold_trustworthy
    groups = result.params["signal"]["groups"]
    assert groups["head"] == ["LED", "nose", "l_ear", "r_ear"] and groups["left_out"] == ["midtail"]

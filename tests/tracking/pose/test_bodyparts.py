"""Body-part groups from the names labs give them, and the ``still`` signal (tracking.pose.bodyparts)."""

from __future__ import annotations

import numpy as np
import pytest

from tracking.pose import PoseSignalParams, PoseTracks, pose_signals
from tracking.pose.bodyparts import body_group, group_bodyparts
from tracking.pose.speed import movement_signal

DEMO2_PARTS = ("LED", "nose", "l_ear", "r_ear", "midback", "l_hip", "r_hip", "tailbase", "midtail")


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("nose", "head"),
        ("Snout", "head"),
        ("leftEar", "head"),
        ("r_ear", "head"),
        ("LED", "head"),
        ("HeadCentre", "head"),
        ("midback", "trunk"),
        ("spine2", "trunk"),
        ("l_hip", "trunk"),
        ("tailbase", "trunk"),
        ("Tail_Base", "trunk"),
        ("tail_root", "trunk"),
        ("midtail", "tail"),
        ("tail_end", "tail"),
        ("rear_paw", "limb"),
        ("leftHindPaw", "limb"),
        ("p7", "unknown"),
    ],
)
def test_each_name_falls_in_its_group(name: str, group: str) -> None:
    assert body_group(name) == group


def test_default_groups_leave_out_the_tail_and_limbs_and_chosen_parts_are_all_scored() -> None:
    groups = group_bodyparts(DEMO2_PARTS)
    assert groups.head == ("LED", "nose", "l_ear", "r_ear")
    assert groups.trunk == ("midback", "l_hip", "r_hip", "tailbase") and groups.left_out == ("midtail",)
    assert groups.warnings() == ()
    chosen = group_bodyparts(("nose", "midtail", "left_forepaw"), chosen=True)
    assert chosen.head == ("nose",) and chosen.trunk == ("midtail", "left_forepaw")
    unnamed = group_bodyparts(("p1", "p2", "p3"))
    assert unnamed.scored() == (("p1", "p2", "p3"),) and "p1, p2, p3" in unnamed.warnings()[0]
    mixed = group_bodyparts(("nose", "marker"))
    assert mixed.trunk == ("marker",) and "counted as the trunk: marker" in mixed.warnings()[0]


def test_still_signal_is_the_faster_group_and_ignores_a_group_unknown_in_a_frame() -> None:
    # Columns: two head parts, two trunk parts; frame 0 the head turns, frame 1 all still, frame 2 no head.
    vx = np.array([[3.0, 3.0, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1], [np.nan, np.nan, 2.0, 2.0]])
    vy = np.zeros_like(vx)
    still = movement_signal(vx, vy, 30.0, "still", "median", [[0, 1], [2, 3]])
    np.testing.assert_allclose(still, [3.0, 0.1, 2.0])
    speed = movement_signal(vx, vy, 30.0, "speed", "median")
    assert speed[0] == pytest.approx(1.55)  # the median over all four parts halves the head's turn


def test_a_still_body_with_a_moving_head_is_not_still() -> None:
    n, fps = 90, 30.0
    x = np.tile(np.array([100.0, 100.0, 60.0, 40.0, 20.0]), (n, 1))[:, None, :]
    x[:, 0, 0] += np.linspace(0, 30, n)  # the nose sweeps 30 px in 3 s while the rest stays put
    x[:, 0, 1] += np.linspace(0, 30, n)
    tracks = PoseTracks(
        x,
        np.zeros_like(x),
        np.ones_like(x),
        ("nose", "left_ear", "centre", "tail_base", "tail_end"),
        ("m",),
        fps,
    )
    [still] = pose_signals(tracks, PoseSignalParams(kind="still", px_per_cm=10.0))
    [body] = pose_signals(tracks, PoseSignalParams(kind="speed", aggregate="median", px_per_cm=10.0))
    assert np.nanmedian(still.signal) == pytest.approx(1.0, rel=0.05)  # 10 px/s = 1 cm/s
    assert np.nanmedian(body.signal) < 0.01
    assert still.params["groups"]["left_out"] == ["tail_end"] and still.params["bodyparts"] == [
        "nose",
        "left_ear",
        "centre",
        "tail_base",
    ]

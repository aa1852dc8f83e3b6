"""The evidence behind the pose ``freezing`` defaults: time-blocked cross-validation on real tracks.

On BehaviorDEPOT's demo2 recording (``../shared/data/behaviordepot_demo2``: DeepLabCut tracks of one mouse and
a person's per-frame freezing labels, 30 fps, 23 px/cm), each family of rules is fitted and measured on
different parts of the recording: the recording is cut into :data:`N_BLOCKS` contiguous blocks (never
interleaved frames, which are autocorrelated), the smoothing window and minimum bout of each family are
chosen on the other blocks (highest Cohen's kappa) and the choice is measured on the held-out block. The
threshold is the adaptive one (or BehaviorDEPOT's fixed 0.5 cm/s), never fitted. It prints, per family,
the held-out agreement and freezing seconds, the choices made per fold, and the built-in defaults scored on
the whole recording; then the defaults on synthetic freezing tracks (``tracking.pose.synth``).
Run from the repository root: ``.venv/bin/python -m bench.freezing_rule_cv``.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tracking.evaluation.agreement import frame_agreement
from tracking.pose import (
    PoseSignalParams,
    PoseTracks,
    pose_signals,
    read_dlc,
    score_pose_signal,
    signal_params_for,
)
from tracking.pose.bodyparts import group_bodyparts
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks
from tracking.rules.presets import ScoringParams, get_preset

DEMO2 = Path(__file__).resolve().parents[2] / "shared" / "data" / "behaviordepot_demo2"
FPS, PX_PER_CM = 30.0, 23.0
N_BLOCKS = 5
WINDOWS_S = (0.3, 0.4, 0.5, 0.6)
MIN_BOUTS_S = (0.5, 0.75, 0.9)
SYNTH_SEEDS = (21, 22, 23, 24)
Config = tuple[str, float, float]
#: A family's signal options and scoring overrides.
Choice = tuple[dict[str, Any], dict[str, Any]]


def _families(bodyparts: tuple[str, ...]) -> dict[str, Choice]:
    """Signal and scoring choices per family: body speed, body acceleration, and ``still``."""
    groups = group_bodyparts(bodyparts)
    return {
        "body speed, all parts, 0.5 cm/s": ({"kind": "speed"}, {"threshold": 0.5}),
        "body speed, all parts, adaptive": ({"kind": "speed"}, {}),
        "body speed, head + trunk, adaptive": (
            {"kind": "speed", "bodyparts": groups.head + groups.trunk},
            {},
        ),
        "body acceleration (DLCAnalyzer), adaptive": ({"kind": "acceleration"}, {}),
        "still (head or trunk), adaptive": ({"kind": "still"}, {}),
    }


def _immobile(tracks: PoseTracks, params: PoseSignalParams, scoring: ScoringParams) -> np.ndarray:
    """Per-frame freezing of the recording's one animal."""
    [signal] = pose_signals(tracks, params)
    immobile: np.ndarray = score_pose_signal(signal, scoring).frames.immobile
    return immobile


def _frames(tracks: PoseTracks, choice: Choice, window: float, bout: float) -> np.ndarray:
    signal, scoring = choice
    params = PoseSignalParams(aggregate="median", smooth_window_s=window, px_per_cm=PX_PER_CM, **signal)
    return _immobile(tracks, params, get_preset("freezing", "pose", min_bout_s=bout, **scoring))


def _synthetic(choice: Choice, window: float, bout: float) -> list[float]:
    """Agreement with the truth on synthetic freezing tracks (10 px/cm, 1.5-px jitter) of one choice."""
    still_water = PoseSynthConfig(drift_cm_s=0.0, float_rotation_deg_s=0.0)
    found = []
    for seed in SYNTH_SEEDS:
        synth = synth_pose_tracks(seed=seed, config=still_water)
        signal, scoring = choice
        if "bodyparts" in signal:
            groups = group_bodyparts(synth.tracks.bodyparts)
            signal = {**signal, "bodyparts": groups.head + groups.trunk}
        params = PoseSignalParams(aggregate="median", smooth_window_s=window, px_per_cm=10.0, **signal)
        immobile = _immobile(synth.tracks, params, get_preset("freezing", "pose", min_bout_s=bout, **scoring))
        found.append(float(np.mean(immobile == synth.truth("animal"))))
    return found


def cross_validate(tracks: PoseTracks, human: np.ndarray) -> None:
    """Print each family's held-out agreement (time-blocked) and the choices made in each fold."""
    blocks = np.array_split(np.arange(human.size), N_BLOCKS)
    print(f"time-blocked cross-validation: {N_BLOCKS} blocks of {human.size / FPS / N_BLOCKS:.0f} s")
    for family, choice in _families(tracks.bodyparts).items():
        frames = {
            (family, window, bout): _frames(tracks, choice, window, bout)
            for window, bout in itertools.product(WINDOWS_S, MIN_BOUTS_S)
        }
        held, chosen = np.zeros(human.size, dtype=bool), []
        for block in blocks:
            train = np.ones(human.size, dtype=bool)
            train[block] = False
            best: Config = max(
                frames, key=lambda key: frame_agreement(human[train], frames[key][train]).kappa
            )
            held[block] = frames[best][block]
            chosen.append(best[1:])
        window, bout = max(set(chosen), key=chosen.count)
        held_out = frame_agreement(human, held)
        print(
            f"  {family}: held out agreement {held_out.accuracy:.3f}, kappa {held_out.kappa:.3f}, "
            f"{(held.sum() - human.sum()) / FPS:+.1f} s; window/min bout per fold: "
            + ", ".join(f"{w:g}/{b:g}" for w, b in chosen)
            + f"; the most chosen ({window:g}/{bout:g}) on synthetic tracks: "
            + ", ".join(f"{agreement:.3f}" for agreement in _synthetic(choice, window, bout))
        )


def main() -> None:
    if not DEMO2.is_dir():
        raise SystemExit(f"{DEMO2} is missing: this benchmark needs the shared real recordings")
    tracks = read_dlc(DEMO2 / "demo2_tracking.csv", fps=FPS)
    human = pd.read_csv(DEMO2 / "demo2.labels.csv")["freezing"].to_numpy().astype(bool)
    print(f"demo2: {human.size} frames, the person's freezing {human.sum() / FPS:.1f} s")
    cross_validate(tracks, human)
    [signal] = pose_signals(tracks, signal_params_for("freezing", px_per_cm=PX_PER_CM))
    default = score_pose_signal(signal, get_preset("freezing", "pose"))
    machine = default.frames.immobile
    print(
        f"built-in freezing defaults on the whole recording: agreement {np.mean(machine == human):.3f}, "
        f"kappa {frame_agreement(human, machine).kappa:.3f}, {default.immobility_s:.1f} s "
        f"(person {human.sum() / FPS:.1f} s), "
        f"threshold {default.threshold:.2f} cm/s (trusted: {default.threshold_trustworthy})"
    )
    defaults = _synthetic(({"kind": "still"}, {}), 0.4, 0.5)
    print("built-in freezing defaults on synthetic tracks: " + ", ".join(f"{a:.3f}" for a in defaults))


if __name__ == "__main__":
    main()

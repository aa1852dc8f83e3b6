"""The pose method: DeepLabCut output -> cleaned tracks -> per-frame movement signal -> the bout rule.

- :mod:`tracking.pose.tracks`: the tracks of one video (:class:`PoseTracks`) and :class:`PoseFileError`.
- :mod:`tracking.pose.io`: reading and writing DeepLabCut ``.h5``/``.csv`` files.
- :mod:`tracking.pose.files`: DeepLabCut output names, pairing videos with pose files by name.
- :mod:`tracking.pose.clean`: likelihood filter, gap interpolation and report, smoothing.
- :mod:`tracking.pose.bodyparts`: head and trunk groups from the names a lab gave its body parts.
- :mod:`tracking.pose.speed`: the per-frame signal (body speed, drift-robust relative motion, acceleration,
  the stillness of head and trunk for freezing).
- :mod:`tracking.pose.score`: scoring with a preset, as the motion method does.
"""

from tracking.pose.clean import filter_likelihood, find_gaps, interpolate_gaps, smooth_tracks
from tracking.pose.files import find_pose_file, find_video_for_pose, parse_pose_name
from tracking.pose.io import read_dlc, write_dlc
from tracking.pose.score import score_pose_file, score_pose_signal, score_pose_tracks
from tracking.pose.speed import SIGNAL_PRESETS, PoseSignal, PoseSignalParams, pose_signals, signal_params_for
from tracking.pose.tracks import PoseFileError, PoseTracks

__all__ = [
    "SIGNAL_PRESETS",
    "PoseFileError",
    "PoseSignal",
    "PoseSignalParams",
    "PoseTracks",
    "filter_likelihood",
    "find_gaps",
    "find_pose_file",
    "find_video_for_pose",
    "interpolate_gaps",
    "parse_pose_name",
    "pose_signals",
    "read_dlc",
    "score_pose_file",
    "score_pose_signal",
    "score_pose_tracks",
    "signal_params_for",
    "smooth_tracks",
    "write_dlc",
]

"""Pure library for scoring immobility from video and pose data.

Imports neither behavlab nor a database: it reads videos and pose files, computes signals and applies the
immobility rule, and returns results with the parameters that produced them.
"""

__all__ = ["score_video"]


def __getattr__(name: str) -> object:
    """``tracking.score_video``, imported on first use so that ``import tracking`` stays cheap."""
    if name == "score_video":
        from tracking.motion.scoring import score_video

        return score_video
    raise AttributeError(f"module 'tracking' has no attribute {name!r}")

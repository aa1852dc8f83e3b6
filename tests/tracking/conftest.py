"""Shared fixtures for the tracking tests: frames with a moving square and synthetic FST videos."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from tests.tracking.videos import moving_square_frames
from tracking.synth.truth import SynthTruth
from tracking.synth.videos import write_fst_video


@pytest.fixture
def square_frames() -> list[np.ndarray]:
    """Thirty 160x120 frames with a moving square."""
    return moving_square_frames(30)


@pytest.fixture(scope="session")
def synth_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., SynthTruth]:
    """Write (once per session and argument set) a synthetic FST video; returns its truth."""
    made: dict[tuple[tuple[str, object], ...], SynthTruth] = {}
    root = tmp_path_factory.mktemp("synth")

    def make(**kwargs: object) -> SynthTruth:
        key = tuple(sorted(kwargs.items()))
        if key not in made:
            suffix = ".mp4"
            name = "_".join(f"{k}-{v}" for k, v in key).replace(".", "p").replace(" ", "") or "default"
            made[key] = write_fst_video(root / f"{name}{suffix}", **kwargs)  # type: ignore[arg-type]
        return made[key]

    return make

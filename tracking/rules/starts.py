"""Each animal's test start in video time: where its test, window and bins begin, and where it came from.

A forced-swim video starts before the mouse is in the water; the 6-minute test and its scored window count
from the animal's entry. An :class:`AnimalStart` is that entry in seconds of video time with its source:
entered by a person, marked at the bench while the video recorded (converted to video time), detected from
the ROI's motion (with a confidence), or the video's first frame (which scores as if the test started with
the video).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class StartSource(StrEnum):
    """Where an animal's test start came from."""

    ENTERED = "entered"
    BENCH = "bench"
    DETECTED = "detected"
    VIDEO_START = "video start"


@dataclass(frozen=True)
class AnimalStart:
    """An animal's test start (s of video time), its source and, when detected, the detection's confidence."""

    start_s: float = 0.0
    source: StartSource = StartSource.VIDEO_START
    confidence: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.start_s, bool) or not math.isfinite(self.start_s) or self.start_s < 0:
            raise ValueError(f"a test start must be seconds >= 0 of video time, got {self.start_s!r}")

    @classmethod
    def entered(cls, start_s: float) -> AnimalStart:
        """A start entered by a person."""
        return cls(float(start_s), StartSource.ENTERED)

    def to_dict(self) -> dict[str, Any]:
        """The start as the result document records it."""
        return {"start_s": self.start_s, "source": self.source.value, "confidence": self.confidence}

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> AnimalStart:
        """The start a result document recorded (:meth:`to_dict`)."""
        confidence = record.get("confidence")
        return cls(
            float(record["start_s"]),
            StartSource(record["source"]),
            None if confidence is None else float(confidence),
        )


#: The default: the test starts with the video's first frame.
VIDEO_START = AnimalStart()

__all__ = ["VIDEO_START", "AnimalStart", "StartSource"]

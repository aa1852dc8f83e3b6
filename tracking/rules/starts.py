"""Each animal's test start in video time: where its test, window and bins begin, and where it came from.

A forced-swim video starts before the mouse is in the water; the 6-minute test and its scored window count
from the animal's entry. An :class:`AnimalStart` is that entry in seconds of video time with its source:
entered by a person, marked at the bench while the video recorded (converted to video time), detected from
the ROI's motion (with a confidence), or the video's first frame (which scores as if the test started with
the video).

A detection (:class:`DetectedStart`, from :mod:`tracking.motion.start` or :mod:`tracking.pose.start`) is the
same record for both methods: its status, its start, a confidence on 0-1 and the method's own numbers in
``evidence``; :func:`starts_from_detections` turns detections into starts and failure reasons.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class StartSource(StrEnum):
    """Where an animal's test start came from."""

    ENTERED = "entered"
    BENCH = "bench"
    DETECTED = "detected"
    PRESENT_AT_START = "present at start"
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


class StartStatus(StrEnum):
    """What start detection found for one animal."""

    ENTERED = "entered"
    PRESENT_AT_START = "present at start"
    NO_ENTRY = "no entry"


@dataclass(frozen=True)
class DetectedStart:
    """An animal's detected test start in video time, how clear it is, and the numbers that found it.

    The fields mean the same for every method; ``evidence`` holds each method's own numbers (their names
    carry their units), ``params`` the settings used.
    """

    status: StartStatus
    start_s: float | None
    """Video time (s) of the entry; 0 when present at start; None when no animal entered."""
    start_frame: int | None
    confidence: float | None
    """How clear the start is, 0-1 (1: unmistakable); the method's module Notes define it. None if none."""
    evidence: Mapping[str, float] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)


def starts_from_detections(
    detections: Mapping[str, DetectedStart], no_entry: Callable[[str, DetectedStart], str]
) -> tuple[dict[str, AnimalStart], dict[str, str]]:
    """Detected starts with their confidence, by label; ``no_entry``'s reason for the rest.

    A start is "detected", or "present at start" (0) when the animal was in the water at the first frame.

    Parameters
    ----------
    detections
        Each animal's detection, by label.
    no_entry
        The reason (naming the animal and what to do) for a label and its detection without a start.

    Returns
    -------
    tuple of dict
        Label -> start (s of video time); label -> why it has none.
    """
    starts: dict[str, AnimalStart] = {}
    failed: dict[str, str] = {}
    for label, found in detections.items():
        if found.status is StartStatus.NO_ENTRY or found.start_s is None:
            failed[label] = no_entry(label, found)
        else:
            present = found.status is StartStatus.PRESENT_AT_START
            source = StartSource.PRESENT_AT_START if present else StartSource.DETECTED
            starts[label] = AnimalStart(found.start_s, source, found.confidence)
    return starts, failed


__all__ = [
    "VIDEO_START",
    "AnimalStart",
    "DetectedStart",
    "StartSource",
    "StartStatus",
    "starts_from_detections",
]

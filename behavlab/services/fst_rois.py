"""Which part of an FST video a session's animal swims in: its ROI from the ROI file, or the whole frame."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from behavlab.errors import InvalidInputError
from behavlab.services.library_errors import tracking_errors
from tracking.video.info import VideoOpenError

if TYPE_CHECKING:
    from cohorts.fst_sheet import FstSheetRow
    from tracking.video.rois import ROI

WHOLE_FRAME = "frame"


def video_roi(row: FstSheetRow, rois_file: Path | None, source: str) -> tuple[str, ROI | None]:
    """The label and ROI of a session's animal in its video (the whole frame without --rois), checked."""
    from tracking.video.reader import open_video  # OpenCV and PyAV load when a video is opened
    from tracking.video.rois import load_rois

    if not row.video.is_file():
        raise InvalidInputError(f"video {row.video} does not exist; accepted: the path of a video file")
    try:
        open_video(row.video).close()  # reads the header: an empty, cut, foreign or oversized file fails
    except VideoOpenError as exc:
        where = f"row {row.row}: " if row.row else ""
        raise InvalidInputError(f"{where}{exc}; nothing was recorded") from exc
    if rois_file is None:
        if row.roi not in (None, WHOLE_FRAME):
            raise InvalidInputError(
                f"ROI {row.roi!r} for {row.video.name} needs --rois FILE defining it "
                "(`behavlab rois detect VIDEO` proposes one)"
            )
        return WHOLE_FRAME, None
    with tracking_errors(f"ROI file {rois_file.name}"):
        rois = load_rois(rois_file).for_video(row.video)
    if row.roi is None and len(rois) == 1:
        return rois[0].label, rois[0]
    for roi in rois:
        if roi.label == row.roi:
            return roi.label, roi
    raise InvalidInputError(_unmatched_roi(row, source, rois_file.name, [roi.label for roi in rois]))


def _unmatched_roi(row: FstSheetRow, source: str, rois_name: str, labels: Sequence[str]) -> str:
    """Why a row picks none of its video's ROIs (none given, or one the file lacks), and what is accepted."""
    where = f"{source}, row {row.row}" if row.row else row.video.name
    accepted = f"accepted: {', '.join(labels)}" if labels else f"{rois_name} has no ROI for {row.video.name}"
    if row.roi is not None:
        return f"{where}: ROI {row.roi!r} is not in {rois_name}; {accepted}"
    given = f"has no ROI (no roi column or cell) and {row.video.name}" if row.row else "needs an ROI: it"
    return f"{where} {given} has {len(labels)} ROIs in {rois_name}; {accepted}"

"""A day's forced-swim sheet: which coded animal swam in which video (and tank or ROI), when, in what water.

Columns: code, video, tested_at (ISO date-time; naive times are local), and optional roi (the ROI label in the
video's ROI file), tank, water_temp_c, water_depth_cm and start_s (the animal's test start in seconds of video
time; empty: detected when scored). A relative video path is read from the sheet's folder. Every row is
checked before anything is returned; faults are listed with their row and field.
"""

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cohorts.problems import InputError
from cohorts.spt import read_code_cell
from cohorts.tabular import Columns, RowReader, iter_readers, read_table

FST_COLUMNS = Columns(
    required=("code", "video", "tested_at"),
    optional=("roi", "tank", "water_temp_c", "water_depth_cm", "start_s"),
)
WATER_TEMP_RANGE_C = (10.0, 40.0)
#: The water temperature the FST is run at (C); a session outside it is flagged, not refused.
WATER_TEMP_OK_C = (23.0, 25.0)
WATER_DEPTH_RANGE_CM = (1.0, 50.0)
#: What a test start cell may hold.
START_ACCEPTED = "seconds >= 0 of video time (e.g. 12.5), or empty to detect it"


class FstSheetError(InputError):
    """A forced-swim sheet was refused; `problems` lists every fault found in it."""


@dataclass(frozen=True)
class FstSheetRow:
    """One session to record: the animal's code, its video, ROI or tank, time, water, entered test start."""

    code: str
    video: Path
    tested_at: datetime
    roi: str | None
    tank: str | None
    water_temp_c: float | None
    water_depth_cm: float | None
    row: int
    start_s: float | None = None


def read_fst_sheet(
    path: Path | str,
    known_codes: Collection[str] | None = None,
    now: datetime | None = None,
    codes_by_lab_id: Mapping[str, str] | None = None,
) -> tuple[FstSheetRow, ...]:
    """Read and validate a forced-swim sheet; `FstSheetError` lists every faulty row.

    A row's code may also be the animal's lab ID when `codes_by_lab_id` maps lab IDs to codes.
    """
    path = Path(path)
    now = now or datetime.now(UTC)
    table = read_table(path, FST_COLUMNS)
    problems = list(table.problems)
    rows: list[FstSheetRow] = []
    first_row: dict[str, int] = {}
    for reader in iter_readers(table, problems):
        typed = reader.text("code", 40)
        code = (
            None if typed is None else read_code_cell(reader, typed, known_codes, first_row, codes_by_lab_id)
        )
        video_text = reader.text("video", 1000)
        video = None if video_text is None else _video_file(reader, path.parent, video_text)
        tested_at = reader.iso_datetime("tested_at", latest=now, assume_tz=None)
        roi = reader.text("roi", 60, required=False)
        tank = reader.text("tank", 60, required=False)
        temp = reader.number("water_temp_c", *WATER_TEMP_RANGE_C, "C", required=False)
        depth = reader.number("water_depth_cm", *WATER_DEPTH_RANGE_CM, "cm", required=False)
        start_s = _start_cell(reader)
        if code is not None and video is not None and tested_at is not None:
            rows.append(
                FstSheetRow(code, video, tested_at, roi, tank, temp, depth, reader.row.number, start_s)
            )
    if problems:
        raise FstSheetError(problems)
    return tuple(rows)


def _start_cell(reader: RowReader) -> float | None:
    """The row's entered test start (s of video time), None when empty; a faulty cell is a problem."""
    text = reader.text("start_s", 40, required=False)
    if text is None:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        reader.problem("start_s", text, "is not a test start", START_ACCEPTED)
        return None
    return value


def _video_file(reader: RowReader, folder: Path, text: str) -> Path | None:
    """The video a cell names (relative to the sheet's folder), or None with the row's problem recorded."""
    try:
        video = (folder / text).resolve()
        if video.is_file():
            return video
        issue = "does not exist"
    except OSError as error:  # a name too long for the file system, a loop of links
        issue = f"cannot be looked up ({error.strerror or error})"
    reader.problem("video", text, issue, "the path of a video file")
    return None

"""Random sheets through the importers: rosters, weight sheets, FST day sheets and SPT bottle sheets either go
in whole or are refused with the project's own error (a BehavlabError naming the fault), never a crash, and a
refused sheet changes nothing."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from behavlab.errors import BehavlabError
from behavlab.services import (
    StudySettings,
    Workspace,
    create_spt_period,
    create_study,
    import_fst_sheet,
    import_roster,
    record_spt_bottles,
    record_weights,
)
from tests.behavlab.factories import roster_rows
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.synth.videos import write_fst_video

FUZZ = settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COUNTED_TABLES = (
    "study",
    "animal",
    "weight",
    "cageassignment",
    "fstsession",
    "sptreading",
    "sptsheetfile",
    "auditevent",
)
OUTCOMES: list[str] = []
NASTY_CELLS = [
    "",
    " ",
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "+1+1",
    "-2",
    "\ufeffM001",
    "a\u200bb",
    "x\u202ey",
    '"quoted"',
    "semi;colon",
    "tab\there",
    "line\nbreak",
    "nan",
    "inf",
    "1e9",
    "0",
    "-0,5",
    "9" * 400,
    "2024-02-30",
    "2099-01-01",
    "2024-03-01T09:30",
    "2024-03-01 09:30+01:00",
    "1970-01-01",
    "../../etc/passwd",
    "/dev/null",
    "NUL\x00byte",
]
PLAUSIBLE_CELLS = [
    "M001",
    "F002",
    "m",
    "F",
    "female",
    "X",
    "C57BL/6J",
    "M01",
    "T12",
    "25",
    "25.5",
    "25,5",
    "18",
    "L",
    "R",
    "left",
    "control",
    "200",
    "194.2",
    "199.9",
    "frame",
    "tank1",
    "24",
    "15",
    "good.mp4",
    "empty.mp4",
    "missing.mp4",
]
ACCEPTED_COLUMNS = {
    "roster": [
        "animal_id",
        "ear_tag",
        "sex",
        "strain",
        "dob",
        "cage",
        "weight_g",
        "source",
        "notes",
    ],
    "weights": ["animal_id", "weight_g", "measured_at"],
    "fst": ["code", "video", "tested_at", "roi", "tank", "water_temp_c", "water_depth_cm"],
    "spt": [
        "code",
        "sucrose_side",
        "sucrose_start_g",
        "sucrose_end_g",
        "water_start_g",
        "water_end_g",
    ],
}


@st.composite
def sheets(draw: st.DrawFn, kind: str, known: Sequence[str] = (), dates: Sequence[str] = ()) -> bytes:
    """A sheet's bytes: mostly a CSV with accepted, misspelt and foreign columns and random cells in some
    encoding, delimiter and line ending; sometimes raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=600))
    accepted = ACCEPTED_COLUMNS[kind]
    header_names = st.one_of(
        st.sampled_from(accepted),
        st.sampled_from(accepted).map(str.upper),
        st.sampled_from(accepted).map(lambda name: f" {name.replace('_', ' ')} "),
        st.text(max_size=12),
    )
    if draw(st.booleans()):
        header = list(accepted)
    else:
        header = draw(st.lists(header_names, min_size=1, max_size=len(accepted) + 2))
    pool = [*PLAUSIBLE_CELLS, *NASTY_CELLS, *known, *dates]
    cell = st.one_of(
        st.sampled_from(pool),
        st.sampled_from(pool),
        st.text(max_size=20),
        st.from_regex(r"-?\d{1,3}([.,]\d{1,2})?", fullmatch=True),
    )
    width = len(header)
    rows = draw(
        st.lists(
            st.lists(cell, min_size=max(width - 1, 0), max_size=width + 1),
            max_size=10,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows([header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    return buffer.getvalue().encode(encoding, errors="replace")


def near_valid(draw: st.DrawFn, header: Sequence[str], rows: list[list[str]]) -> bytes:
    """A valid sheet, sometimes with one cell replaced by a hostile one."""
    if rows and draw(st.booleans()):
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(header) - 1))
        rows[row][column] = draw(st.sampled_from([*NASTY_CELLS, *PLAUSIBLE_CELLS]))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8")


@st.composite
def valid_rosters(draw: st.DrawFn) -> bytes:
    """A synthetic roster of 1-12 mice, perhaps with one hostile cell."""
    rows = roster_rows(draw(st.integers(1, 12)))
    columns = list(rows[0])
    return near_valid(draw, columns, [[row[column] for column in columns] for row in rows])


@st.composite
def valid_weight_sheets(draw: st.DrawFn, labels: Sequence[str], measured_at: str) -> bytes:
    """Weights of some of the study's animals, perhaps with one hostile cell."""
    chosen = draw(st.lists(st.sampled_from(labels), min_size=1, max_size=len(labels), unique=True))
    grams = st.floats(15, 40).map(lambda value: f"{value:.1f}")
    return near_valid(
        draw,
        ["animal_id", "weight_g", "measured_at"],
        [[label, draw(grams), measured_at] for label in chosen],
    )


@st.composite
def valid_fst_sheets(draw: st.DrawFn, codes: Sequence[str], tested_at: str) -> bytes:
    """One animal's session on the real video, perhaps with one hostile cell."""
    code = draw(st.sampled_from(codes))
    temperature = draw(st.sampled_from(["24", "23.5", "26"]))
    return near_valid(
        draw, ["code", "video", "tested_at", "water_temp_c"], [[code, "good.mp4", tested_at, temperature]]
    )


@st.composite
def valid_bottle_sheets(draw: st.DrawFn, codes: Sequence[str]) -> bytes:
    """Bottles of some animals and a control cage, perhaps with one hostile cell."""
    chosen = draw(st.lists(st.sampled_from(codes), min_size=1, max_size=6, unique=True))
    drunk = st.floats(0.5, 8.0).map(lambda grams: f"{200 - grams:.1f}")
    rows = [[code, draw(st.sampled_from("LR")), "200", draw(drunk), "200", draw(drunk)] for code in chosen]
    rows.append(["control", "L", "200", "199.8", "200", "199.9"])
    return near_valid(draw, ACCEPTED_COLUMNS["spt"], rows)


def _counts(workspace: Workspace) -> dict[str, int]:
    with workspace.engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in COUNTED_TABLES
        }


@pytest.fixture(autouse=True)
def _both_outcomes_seen(workspace: Workspace) -> Iterator[None]:
    """Each fuzz run must have imported some sheets and refused others, or it tested only one branch.

    It needs the workspace so that a backend skipped for want of a server is not counted as a run.
    """
    OUTCOMES.clear()
    yield
    assert set(OUTCOMES) == {"imported", "refused"}, f"outcomes: {sorted(set(OUTCOMES))}"


@pytest.fixture(scope="module")
def sheet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the sheets are written, beside the videos an FST sheet may name: a real one and an empty one."""
    folder = tmp_path_factory.mktemp("fuzz_sheets")
    write_fst_video(folder / "good.mp4", duration_s=1.0, fps=10.0, size=(96, 64))
    (folder / "empty.mp4").write_bytes(b"")
    return folder


def import_or_refuse(
    workspace: Workspace, folder: Path, data: bytes, load: Callable[[Path], object], suffix: str = ".csv"
) -> None:
    """Import the sheet; a refusal must be a BehavlabError with a message and leave every table as it was."""
    handle, name = tempfile.mkstemp(suffix=suffix, dir=folder)
    sheet = Path(name)
    try:
        os.close(handle)
        sheet.write_bytes(data)
        before = _counts(workspace)
        try:
            load(sheet)
            OUTCOMES.append("imported")
        except BehavlabError as refusal:
            OUTCOMES.append("refused")
            assert str(refusal).strip(), "a refusal must say what was wrong"
            assert _counts(workspace) == before, f"refused but changed the database: {refusal}"
    finally:
        sheet.unlink()


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_random_rosters_import_whole_or_are_refused_cleanly(
    workspace: Workspace, sheet_folder: Path, data: st.DataObject
) -> None:
    sheet = data.draw(st.one_of(sheets("roster"), valid_rosters()))
    name = f"fuzz-{_counts(workspace)['study']}"
    create_study(workspace, StudySettings(name=name))
    import_or_refuse(workspace, sheet_folder, sheet, lambda path: import_roster(workspace, name, path))


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_random_weight_sheets_record_whole_or_are_refused_cleanly(
    workspace: Workspace, randomized: RandomizedStudy, sheet_folder: Path, data: st.DataObject
) -> None:
    morning = randomized.weighed_at.isoformat()
    labels = list(randomized.codes)
    sheet = data.draw(
        st.one_of(sheets("weights", known=labels, dates=[morning]), valid_weight_sheets(labels, morning))
    )
    import_or_refuse(
        workspace, sheet_folder, sheet, lambda path: record_weights(workspace, randomized.name, path)
    )


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_random_fst_sheets_record_whole_or_are_refused_cleanly(
    workspace: Workspace, randomized: RandomizedStudy, sheet_folder: Path, data: st.DataObject
) -> None:
    later = (randomized.weighed_at + timedelta(hours=2)).isoformat()
    codes = list(randomized.codes.values())
    sheet = data.draw(st.one_of(sheets("fst", known=codes, dates=[later]), valid_fst_sheets(codes, later)))
    import_or_refuse(
        workspace, sheet_folder, sheet, lambda path: import_fst_sheet(workspace, randomized.name, path)
    )


@pytest.fixture
def spt_period(workspace: Workspace, randomized: RandomizedStudy) -> str:
    """A 12-hour test period of the randomized study."""
    start = randomized.weighed_at
    create_spt_period(workspace, randomized.name, "fuzz", start, start + timedelta(hours=12))
    return "fuzz"


@pytest.mark.slow
@FUZZ
@given(data=st.data())
def test_random_bottle_sheets_record_whole_or_are_refused_cleanly(
    workspace: Workspace,
    randomized: RandomizedStudy,
    spt_period: str,
    sheet_folder: Path,
    data: st.DataObject,
) -> None:
    codes = list(randomized.codes.values())
    sheet = data.draw(st.one_of(sheets("spt", known=codes), valid_bottle_sheets(codes)))
    import_or_refuse(
        workspace,
        sheet_folder,
        sheet,
        lambda path: record_spt_bottles(workspace, randomized.name, spt_period, path),
    )

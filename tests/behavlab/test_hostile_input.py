"""Hostile and broken input, made by the tests: wrong encodings, byte-order marks, invisible characters,
huge fields, mixed line endings; videos truncated, empty, mislabelled or claiming enormous frames; pose files
with missing body parts, NaNs everywhere or a wrong header depth. Each is refused with a message naming the
file, row and field, and the database is exactly as it was (compared table by table)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from behavlab.cli.main import app
from behavlab.errors import InvalidInputError
from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    add_fst_session,
    commit_randomization,
    create_study,
    dosing_sheet,
    draft_randomization,
    import_roster,
    list_animals,
    record_weights,
    score_videos,
    unmask_study,
    write_dosing_sheet,
    write_study_report,
)
from tests.behavlab.factories import roster_rows
from tests.behavlab.randomized_study import FAST_KDF, PASSPHRASE, RandomizedStudy
from tracking.pose.io import write_dlc
from tracking.pose.synth import PoseSynthConfig, synth_pose_tracks, write_synth_pose
from tracking.synth.videos import write_fst_video
from writing.cells import FORMULA_PREFIXES, is_number

ROSTER_COLUMNS = ["animal_id", "ear_tag", "sex", "strain", "dob", "cage", "weight_g", "notes"]
LONGEST_MESSAGE_LINE = 400


def database_dump(workspace: Workspace) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text, sorted: two dumps are equal when nothing was written."""
    with workspace.engine.connect() as connection:
        return {
            table: sorted(
                tuple(str(value) for value in row)
                for row in connection.execute(text(f'SELECT * FROM "{table}"'))
            )
            for table in sorted(inspect(connection).get_table_names())
        }


def roster_text(rows: list[dict[str, str]], newline: str = "\n") -> str:
    """A roster as CSV text with the given line ending."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ROSTER_COLUMNS, lineterminator=newline)
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in ROSTER_COLUMNS} for row in rows)
    return buffer.getvalue()


def with_cell(row: int, column: str, value: str) -> list[dict[str, str]]:
    """The 8-mouse synthetic roster with one cell replaced (row as a spreadsheet numbers it)."""
    rows = roster_rows(8)
    rows[row - 2][column] = value
    return rows


def mixed_line_endings(rows: list[dict[str, str]]) -> bytes:
    """CSV lines ending in turn with CRLF, LF and CR."""
    lines = roster_text(rows).splitlines()
    endings = ("\r\n", "\n", "\r")
    return "".join(line + endings[i % 3] for i, line in enumerate(lines)).encode()


ROSTER_FAULTS: dict[str, tuple[Callable[[], bytes], list[str]]] = {
    "latin-1": (
        lambda: roster_text(with_cell(3, "notes", "née à Lyon")).encode("latin-1"),
        ["not UTF-8 text", "byte 0xe9 on line 3", "Latin-1", "accepted: a CSV file saved as UTF-8"],
    ),
    "utf-16 with BOM": (
        lambda: roster_text(roster_rows(8)).encode("utf-16"),
        ["'file encoding' is UTF-16 text, not UTF-8", "accepted: a CSV file saved as UTF-8"],
    ),
    "utf-16 without BOM": (
        lambda: roster_text(roster_rows(8)).encode("utf-16-le"),
        ["is not a text file", "UTF-16 text without a byte-order mark"],
    ),
    "BOM inside the file": (
        lambda: roster_text(with_cell(4, "animal_id", "\ufeffM101")).encode("utf-8-sig"),
        [
            "row 4, animal_id",
            "character 1 is U+FEFF (ZERO WIDTH NO-BREAK SPACE), a zero-width character",
            "accepted: printable text without control, bidi or zero-width characters",
        ],
    ),
    "right-to-left override": (
        lambda: roster_text(with_cell(6, "cage", "M\u202e10")).encode(),
        ["row 6, cage", "character 2 is U+202E (RIGHT-TO-LEFT OVERRIDE), a bidi control"],
    ),
    "zero-width space": (
        lambda: roster_text(with_cell(2, "ear_tag", "T\u200b1")).encode(),
        ["row 2, ear_tag", "U+200B"],
    ),
    "huge field": (
        lambda: roster_text(with_cell(2, "notes", "x" * 100_000)).encode(),
        ["row 2, notes", "is 100000 characters long", "accepted: at most 2000 characters"],
    ),
    "field beyond the CSV limit": (
        lambda: roster_text(with_cell(5, "animal_id", "M" * 200_000)).encode(),
        ["'CSV structure' cannot be parsed", "field larger than field limit"],
    ),
    "file too large": (
        lambda: roster_text(roster_rows(8)).encode() + b"#" * 10_000_001,
        ["too large for a study sheet", "at most 10000000 bytes"],
    ),
    "mixed line endings with a fault": (
        lambda: mixed_line_endings(with_cell(5, "sex", "X")),
        ["row 5, sex: 'X' is not a known value"],
    ),
    "binary": (lambda: bytes(range(256)) * 40, ["is not a text file"]),
    "empty": (lambda: b"", ["is an empty file"]),
    "header only": (lambda: roster_text([]).encode(), ["has no data rows below the header"]),
    "misspelt column": (
        lambda: roster_text(roster_rows(8)).replace("weight_g", "weigth_g", 1).encode(),
        ["row 1: 'weigth_g' is not an accepted column", "optional ear_tag, weight_g"],
    ),
}


@pytest.fixture
def study(workspace: Workspace) -> str:
    """An empty study."""
    create_study(workspace, StudySettings(name="hostile"))
    return "hostile"


@pytest.mark.parametrize("fault", sorted(ROSTER_FAULTS))
def test_a_broken_roster_is_refused_naming_where_and_changes_nothing(
    workspace: Workspace, study: str, tmp_path: Path, fault: str
) -> None:
    make, fragments = ROSTER_FAULTS[fault]
    path = tmp_path / "roster.csv"
    path.write_bytes(make())
    before = database_dump(workspace)
    with pytest.raises(InvalidInputError) as refused:
        import_roster(workspace, study, path)
    message = str(refused.value)
    assert message.startswith("roster roster.csv refused, nothing was recorded"), message
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert max(len(line) for line in message.splitlines()) <= LONGEST_MESSAGE_LINE
    assert database_dump(workspace) == before


@pytest.mark.parametrize(
    "make",
    [
        lambda rows: roster_text(rows).encode("utf-8-sig"),
        lambda rows: mixed_line_endings(rows),
        lambda rows: roster_text(rows, newline="\r\n").encode("utf-8-sig"),
    ],
    ids=["utf-8 BOM", "mixed line endings", "CRLF with BOM"],
)
def test_tolerated_variants_import_every_animal(
    workspace: Workspace, study: str, tmp_path: Path, make: Callable[[list[dict[str, str]]], bytes]
) -> None:
    rows = with_cell(3, "notes", "two lines\nof notes, with a tab\there")
    path = tmp_path / "roster.csv"
    path.write_bytes(make(rows))
    assert import_roster(workspace, study, path).n_animals == 8
    labels = [animal.label for animal in list_animals(workspace, study)]
    assert labels == sorted(row["animal_id"] for row in rows)


@pytest.mark.parametrize(
    ("weight", "fragment"),
    [
        ("=20+1", "'=20+1' is not a number"),
        ("nan", "'nan' is not a number"),
        ("inf", "'inf' is not a number"),
        ("1e3", "'1e3' is not a number"),
        ("-25", "'-25' is outside the plausible range"),
        ("250", "'250' is outside the plausible range"),
        ("2\u200b5", "'2\\u200b5' is not a number"),
    ],
)
def test_a_hostile_weight_sheet_is_refused_and_changes_nothing(
    workspace: Workspace, study: str, tmp_path: Path, weight: str, fragment: str
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text(roster_rows(8)))
    import_roster(workspace, study, roster)
    rows = roster_rows(8)
    sheet = tmp_path / "weights.csv"
    lines = ["animal_id,weight_g", *(f"{row['animal_id']},{row['weight_g']}" for row in rows)]
    lines[3] = f"{rows[2]['animal_id']},{weight}"
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = database_dump(workspace)
    with pytest.raises(InvalidInputError) as refused:
        record_weights(workspace, study, sheet)
    assert f"{sheet}, row 4, weight_g: {fragment}" in str(refused.value)
    assert database_dump(workspace) == before


def _cut_in_half(source: Path, target: Path) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


@pytest.fixture(scope="module")
def good_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 20-s synthetic FST video."""
    folder = tmp_path_factory.mktemp("hostile_videos")
    return write_fst_video(folder / "good.mp4", duration_s=20.0, fps=15.0, size=(160, 120), seed=3).video


def bad_videos(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    """Broken video files, each with the reason it must be refused for."""
    folder.mkdir(parents=True, exist_ok=True)
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    words = folder / "words.mp4"
    words.write_text("this is not a video\n" * 50)
    picture = folder / "picture.avi"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 2000)
    huge = folder / "huge.avi"
    huge.write_bytes(b"YUV4MPEG2 W12000 H12000 F25:1 Ip A1:1 C420jpeg\nFRAME\n" + bytes(4096))
    return {
        "zero-length": (empty, "the file is empty (0 bytes)"),
        "text named .mp4": (words, "FFmpeg cannot open it ("),
        "PNG named .avi": (picture, "the video stream has no frame size (damaged header)"),
        "truncated": (_cut_in_half(good, folder / "cut.mp4"), "FFmpeg cannot open it ("),
        "enormous frames": (huge, "its header claims 12000x12000 frames"),
    }


def test_a_broken_video_is_refused_at_the_bench_and_changes_nothing(
    workspace: Workspace, randomized: RandomizedStudy, good_video: Path, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    before = database_dump(workspace)
    for kind, (video, reason) in bad_videos(tmp_path / "bad", good_video).items():
        with pytest.raises(InvalidInputError) as refused:
            add_fst_session(workspace, randomized.name, code, video)
        message = str(refused.value)
        assert f"cannot read video {video}" in message and reason in message, (kind, message)
        assert message.endswith("nothing was recorded"), message
        assert database_dump(workspace) == before, kind
    renamed = tmp_path / "real-video.avi"
    renamed.write_bytes(good_video.read_bytes())
    assert add_fst_session(workspace, randomized.name, code, renamed).video.endswith("real-video.avi")


def test_a_batch_with_broken_videos_scores_the_good_one_and_names_each_failure(
    good_video: Path, tmp_path: Path
) -> None:
    broken = bad_videos(tmp_path / "bad", good_video)
    window = {"window_start_s": 5.0, "window_end_s": 20.0, "test_duration_s": 20.0}
    report = score_videos(
        [good_video, *(video for video, _ in broken.values())], tmp_path / "out", jobs=1, overrides=window
    )
    assert [outcome.video for outcome in report.outcomes if outcome.ok] == [good_video]
    failures = {outcome.video: outcome.error or "" for outcome in report.failed}
    for kind, (video, reason) in broken.items():
        assert f"cannot read video {video}" in failures[video] and reason in failures[video], kind
    assert pd.read_csv(tmp_path / "out" / "results.csv")["video"].tolist() == ["good.mp4"]


def _pose_csv(path: Path, header_rows: list[list[str]], values: np.ndarray) -> Path:
    lines = [",".join(row) for row in header_rows]
    lines += [
        ",".join([str(i), *("" if np.isnan(v) else f"{v:.2f}" for v in row)]) for i, row in enumerate(values)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_broken_pose_files_fail_alone_naming_the_file(tmp_path: Path) -> None:
    config = PoseSynthConfig(duration_s=30.0)
    folder = tmp_path / "pose"
    folder.mkdir()
    good = write_synth_pose(synth_pose_tracks(seed=1, config=config), folder, "P0", suffix=".csv")
    only_tail = synth_pose_tracks(seed=2, config=PoseSynthConfig(duration_s=30.0, bodyparts=("tail_base",)))
    missing = write_dlc(only_tail.tracks, folder / "P1DLC_resnet50_hostileshuffle1_100.csv")
    scorer = ["scorer", *["DLC"] * 6]
    parts = ["bodyparts", "nose", "nose", "nose", "tail_base", "tail_base", "tail_base"]
    coords = ["coords", *["x", "y", "likelihood"] * 2]
    all_nan = _pose_csv(
        folder / "P2DLC_resnet50_hostileshuffle1_100.csv", [scorer, parts, coords], np.full((900, 6), np.nan)
    )
    shallow = _pose_csv(folder / "P3DLC_resnet50_hostileshuffle1_100.csv", [parts, coords], np.ones((900, 6)))
    result = CliRunner().invoke(
        app,
        [
            "score", "--method", "pose", "--out", str(tmp_path / "out"), "--jobs", "1", "--fps", "30",
            "--px-per-cm", "10", "--bodyparts", "nose,tail_base",
            *("--set", "window_start_s=0", "--set", "window_end_s=30", "--set", "test_duration_s=30"),
            *(item for path in (good, missing, all_nan, shallow) for item in ("--pose", str(path))),
        ],
    )  # fmt: skip
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    reasons = {
        missing: "no body part 'nose'",
        all_nan: "all NaN",
        shallow: "header rows start with 'bodyparts'",
    }
    assert len(errors) == len(reasons), result.stderr
    for path, reason in reasons.items():
        assert any(line.startswith(f"error: {path}: ") and reason in line for line in errors), (
            reason,
            errors,
        )
    assert pd.read_csv(tmp_path / "out" / "results.csv")["video"].tolist() == ["P0"]


FORMULA = "=cmd|' /C calc'!A0"
MARKUP = "<img src=x onerror=alert(1)>"


def _assert_defused_csv(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as stream:
        for number, row in enumerate(csv.reader(stream), start=1):
            for cell in row:
                assert not cell.startswith(FORMULA_PREFIXES) or is_number(cell), (path.name, number, cell)


def _assert_defused_xlsx(path: Path) -> None:
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_PREFIXES), (
                        path.name,
                        cell.coordinate,
                        cell.value,
                    )


def test_formula_and_markup_cells_are_defused_in_every_export(workspace: Workspace, tmp_path: Path) -> None:
    settings = StudySettings(name="inject", compound=FORMULA, vehicle="@SUM(1+1)", strain="+1+2")
    create_study(workspace, settings)
    rows = roster_rows(8)
    for index, row in enumerate(rows):
        row.update(
            animal_id=f"-{row['animal_id']}" if index % 2 else row["animal_id"],
            cage=f"=1+{row['cage']}" if index % 2 else f"<img src={row['cage']} onerror=alert(1)>",
            ear_tag=f"@{index}",
            notes=FORMULA,
            source=MARKUP,
        )
    roster = tmp_path / "roster.csv"
    roster.write_text(roster_text(rows))
    import_roster(workspace, "inject", roster)
    draft = draft_randomization(workspace, "inject", RandomizationOptions(seed=5, no_protocol=True))
    preparer = tmp_path / "preparer.csv"
    commit_randomization(workspace, draft, PASSPHRASE, preparer, kdf=FAST_KDF)
    sheet = dosing_sheet(workspace, "inject")
    written = [write_dosing_sheet(sheet, tmp_path / "dosing.csv"), preparer]
    html_pages = [write_dosing_sheet(sheet, tmp_path / "dosing.html")]
    blind = write_study_report(workspace, "inject", tmp_path / "blind").files
    unmask_study(workspace, "inject", PASSPHRASE, force_reason="export test, no sessions")
    unmasked = write_study_report(workspace, "inject", tmp_path / "unmasked").files
    for files in (blind, unmasked):
        written.append(files.csv)
        html_pages.append(files.html)
        _assert_defused_xlsx(files.xlsx)
    for path in written:
        _assert_defused_csv(path)
    assert f"'{FORMULA}" in preparer.read_text(), "the compound is in the preparer's sheet, defused"
    assert "'=1+" in (tmp_path / "dosing.csv").read_text(), "cages are on the dosing sheet, defused"
    for page in html_pages:
        assert "<img" not in page.read_text(encoding="utf-8"), page
        assert "&lt;img src=" in page.read_text(encoding="utf-8"), f"{page} shows the cages, escaped"


@pytest.mark.parametrize("label", ["../../escaped", "a/b", "=HYPERLINK(1)", "-1", "tab\there"])
def test_an_roi_label_that_could_escape_the_folder_or_run_as_a_formula_is_refused(
    good_video: Path, tmp_path: Path, label: str
) -> None:
    rois = tmp_path / "rois.json"
    rois.write_text(
        json.dumps([{"label": label, "shape": "rectangle", "x": 0, "y": 0, "width": 80, "height": 60}])
    )
    out = tmp_path / "deep" / "out"
    result = CliRunner().invoke(
        app, ["score", str(good_video), "--rois", str(rois), "--out", str(out), "--per-frame", "--jobs", "1"]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.strip() == (
        f"error: {rois}[0]: label {label!r} is not accepted; accepted: 1-60 letters, digits, spaces, "
        "'_', '.' or '-', starting with a letter or digit (e.g. the animal's blind code)"
    )
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(["rois.json"]), "something was written"

"""Sucrose preference test (SPT) arithmetic: intakes from bottle weights, preference, and the anhedonia flag.

A bottle sheet (CSV or XLSX, file rules of `cohorts.sheet_files`) has one row per animal with the columns code
(its blind code), sucrose_side (L or R), sucrose_start_g, sucrose_end_g, water_start_g and water_end_g. Rows
whose code is ``control`` are the sucrose and water bottles of an empty cage: their mean loss over the period
(spillage and evaporation) is subtracted from every animal's intake of the same liquid, an intake that would
fall below 0 counting as 0. A bottle heavier at the end than at the start, or an animal that drank nothing
(after subtraction), is an error naming the row; the sheet is returned only when every row is valid. Bottle
weights are read to 0.01 g (a finer one was not read from the balance); `check_bottle_cell` checks one typed
cell by the rule of its column, so a grid typed cell by cell refuses what the sheet would.

Notes
-----
Protocol and arithmetic follow Liu et al. (2018, Nat Protoc 13:1686-1698): two-bottle choice with single
housing, bottles weighed before and after each period (1 g = 1 mL), the sucrose side switched between
periods to cancel side preference, spillage and evaporation measured on bottles of an empty cage; preference
% = sucrose intake / (sucrose + water intake) x 100, also reported per gram of body weight. A preference below
65% is the anhedonia criterion of Strekalova et al. (2004, Neuropsychopharmacology 29:2007-2017; Strekalova
& Steinbusch 2010, Prog Neuropsychopharmacol Biol Psychiatry 34:348-361); it is a setting.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from cohorts.blind_codes import ACCEPTED as CODE_ACCEPTED
from cohorts.blind_codes import BlindCodeError, code_named
from cohorts.errors import CohortsError
from cohorts.problems import InputError, Problem
from cohorts.tabular import Columns, Row, RowReader, iter_readers, read_table

BOTTLE_FIELDS = ("sucrose_start_g", "sucrose_end_g", "water_start_g", "water_end_g")
SPT_COLUMNS = Columns(required=("code", "sucrose_side", *BOTTLE_FIELDS))
CONTROL_CODE = "control"
SIDES = {"l": "L", "left": "L", "r": "R", "right": "R"}
SIDE_ACCEPTED = "L or R (also left or right)"
MAX_BOTTLE_G = 2000.0
BOTTLE_PRECISION_G = 0.01
ANHEDONIA_THRESHOLD_PCT = 65.0


class SptSheetError(InputError):
    """A bottle sheet was refused; `problems` lists every fault found in it."""


@dataclass(frozen=True)
class SptIntake:
    """One animal's intakes over a period, already corrected for spillage and evaporation."""

    code: str
    sucrose_side: str
    sucrose_ml: float
    water_ml: float
    row: int


@dataclass(frozen=True)
class SptSheet:
    """A validated bottle sheet: each animal's corrected intakes and the control losses subtracted."""

    source: str
    intakes: tuple[SptIntake, ...]
    control_sucrose_loss_ml: float
    control_water_loss_ml: float


@dataclass(frozen=True)
class SptResult:
    """The preference and intakes of one animal for one period."""

    code: str
    sucrose_side: str
    sucrose_ml: float
    water_ml: float
    preference_pct: float
    sucrose_ml_per_g: float | None
    total_ml_per_g: float | None
    anhedonic: bool


def bottle_intake_ml(start_g: float, end_g: float) -> float:
    """The volume drunk (or lost) from one bottle: start minus end weight, 1 g = 1 mL.

    Parameters
    ----------
    start_g, end_g
        The bottle's weight at the start and at the end of the period, in grams.

    Returns
    -------
    float
        The volume gone from the bottle, in mL.

    Raises
    ------
    CohortsError
        The bottle weighs more at the end than at the start.
    """
    if end_g > start_g:
        raise CohortsError(f"end weight {end_g:g} g is above the start weight {start_g:g} g")
    return start_g - end_g


def preference_pct(sucrose_ml: float, water_ml: float) -> float:
    """Sucrose preference: sucrose / (sucrose + water) x 100; there must be some intake.

    Parameters
    ----------
    sucrose_ml, water_ml
        The intakes over the period, in mL, corrected for spillage.

    Returns
    -------
    float
        The sucrose preference, in percent (0 to 100).

    Raises
    ------
    CohortsError
        The total intake is 0 mL or less.
    """
    total = sucrose_ml + water_ml
    if not total > 0:
        raise CohortsError(
            f"total intake is {total:g} mL after subtracting spillage; no preference can be computed"
        )
    return sucrose_ml / total * 100.0


def is_anhedonic(preference: float, threshold_pct: float = ANHEDONIA_THRESHOLD_PCT) -> bool:
    """True when a sucrose preference is below the anhedonia threshold (65% by default).

    Parameters
    ----------
    preference
        The sucrose preference, in percent.
    threshold_pct
        The anhedonia threshold, in percent.

    Returns
    -------
    bool
        Whether `preference` is below `threshold_pct`.
    """
    return preference < threshold_pct


def unswitched_sides(previous: Mapping[str, str], current: Mapping[str, str]) -> tuple[str, ...]:
    """Codes whose sucrose side (L/R) did not switch from the previous period to this one, sorted."""
    return tuple(sorted(code for code, side in current.items() if previous.get(code) == side))


def read_spt_sheet(
    path: Path | str,
    known_codes: Collection[str] | None = None,
    codes_by_lab_id: Mapping[str, str] | None = None,
    source: str | None = None,
) -> SptSheet:
    """Read and validate a bottle sheet into intakes corrected for the control cage's losses.

    Parameters
    ----------
    path
        The CSV or XLSX bottle sheet (bottle weights in grams).
    known_codes
        The study's blind codes; a row with another code is refused. ``None`` accepts any valid code.
    codes_by_lab_id
        Each animal's blind code by its lab ID, so that a row may name the animal either way.
    source
        What the problems call the sheet; ``None`` names it by its path.

    Returns
    -------
    SptSheet
        Each animal's intakes in mL and the control losses subtracted, in mL.

    Raises
    ------
    SptSheetError
        The sheet has faults; every faulty row and field is listed.
    """
    table = read_table(Path(path), SPT_COLUMNS, source)
    problems = list(table.problems)
    animals: list[tuple[RowReader, str, str, float, float]] = []
    controls: list[tuple[float, float]] = []
    first_row: dict[str, int] = {}
    for reader in iter_readers(table, problems):
        typed = reader.text("code", 40)
        is_control = typed is not None and typed.casefold() == CONTROL_CODE
        code = (
            None
            if typed is None or is_control
            else read_code_cell(reader, typed, known_codes, first_row, codes_by_lab_id)
        )
        side = _side(reader, required=not is_control)
        sucrose, water = _bottle(reader, "sucrose"), _bottle(reader, "water")
        if sucrose is None or water is None:
            continue
        if is_control:
            controls.append((sucrose, water))
        elif code is not None and side is not None:
            animals.append((reader, code, side, sucrose, water))
    sucrose_loss = sum(loss for loss, _ in controls) / len(controls) if controls else 0.0
    water_loss = sum(loss for _, loss in controls) / len(controls) if controls else 0.0
    result = []
    for reader, code, side, sucrose, water in animals:
        intake = SptIntake(
            code, side, max(sucrose - sucrose_loss, 0.0), max(water - water_loss, 0.0), reader.row.number
        )
        try:
            preference_pct(intake.sucrose_ml, intake.water_ml)
        except CohortsError as error:
            reader.problem(
                "code", code, str(error), "a row where the animal drank (check the bottle weights)"
            )
            continue
        result.append(intake)
    if problems:
        raise SptSheetError(problems)
    return SptSheet(table.source, tuple(result), sucrose_loss, water_loss)


def read_code_cell(
    reader: RowReader,
    typed: str,
    known_codes: Collection[str] | None,
    first_row: dict[str, int],
    codes_by_lab_id: Mapping[str, str] | None = None,
) -> str | None:
    """The blind code a row names (or the code of the lab ID it names), or ``None`` with the row's problem."""
    try:
        code = code_named(typed, codes_by_lab_id or {})
    except BlindCodeError:
        accepted = f"{CODE_ACCEPTED} with a matching check character"
        if codes_by_lab_id:
            issue, accepted = "is neither a lab ID of the study nor a blind code", f"a lab ID or {accepted}"
        else:
            issue = "is not a valid blind code"
        reader.problem("code", typed, issue, accepted)
        return None
    if known_codes is not None and code not in known_codes:
        reader.problem("code", typed, "is not a code of this study", "a blind code of this study")
        return None
    if code in first_row:
        reader.problem("code", typed, f"is already on row {first_row[code]}", "one row per animal")
        return None
    first_row[code] = reader.row.number
    return code


def check_bottle_cell(field: str, typed: str, source: str) -> None:
    """Check one typed cell of a bottle sheet, a sucrose side or a bottle weight, by its column's rule.

    An empty cell passes: whether the row needs it is the sheet's rule (`read_spt_sheet`).

    Parameters
    ----------
    field
        The cell's column: ``sucrose_side`` or one of `BOTTLE_FIELDS`.
    typed
        The cell's text as typed.
    source
        What the problem calls the cell's row, e.g. the animal's code.

    Raises
    ------
    SptSheetError
        The cell is refused; its problem names `source` and `field`.
    ValueError
        `field` is not a typed column of a bottle sheet.
    """
    if field != "sucrose_side" and field not in BOTTLE_FIELDS:
        raise ValueError(f"{field!r} is not a typed column of a bottle sheet")
    if not typed.strip():
        return
    problems: list[Problem] = []
    reader = RowReader(source, Row(0, {field: typed.strip()}), problems)
    if field == "sucrose_side":
        _side(reader, required=True)
    else:
        _weight(reader, field)
    if problems:
        # a lone cell has no sheet row: its source names it
        raise SptSheetError([replace(problem, row=None) for problem in problems])


def _side(reader: RowReader, required: bool) -> str | None:
    """The sucrose side of a row, ``L`` or ``R``, or ``None`` (with a problem when wrong or missing)."""
    return reader.choice("sucrose_side", SIDES, SIDE_ACCEPTED, required=required)


def _weight(reader: RowReader, field: str) -> float | None:
    """One bottle weight in grams, to the balance's precision, or ``None`` with a problem."""
    return reader.number(field, 0.0, MAX_BOTTLE_G, "g", step=BOTTLE_PRECISION_G)


def _bottle(reader: RowReader, liquid: str) -> float | None:
    """One bottle's loss over the period from its start and end weights, or ``None`` with a problem."""
    start = _weight(reader, f"{liquid}_start_g")
    end = _weight(reader, f"{liquid}_end_g")
    if start is None or end is None:
        return None
    try:
        return bottle_intake_ml(start, end)
    except CohortsError as error:
        accepted = "an end weight at most the start weight (a bottle cannot gain weight)"
        reader.problem(f"{liquid}_end_g", f"{end:g}", str(error), accepted)
        return None


def spt_result(
    intake: SptIntake, body_weight_g: float | None = None, threshold_pct: float = ANHEDONIA_THRESHOLD_PCT
) -> SptResult:
    """Preference, intakes per gram of body weight (when a weight is given) and the anhedonia flag.

    Parameters
    ----------
    intake
        One animal's corrected intakes, in mL.
    body_weight_g
        The animal's body weight, in grams, for the intakes per gram; ``None`` leaves them out.
    threshold_pct
        The anhedonia threshold, in percent.

    Returns
    -------
    SptResult
        Preference in percent, intakes in mL and, with a weight, in mL/g, and the anhedonia flag.

    Raises
    ------
    CohortsError
        No intake at all, or a body weight of 0 g or less.
    """
    preference = preference_pct(intake.sucrose_ml, intake.water_ml)
    sucrose_per_g = total_per_g = None
    if body_weight_g is not None:
        if not body_weight_g > 0:
            raise CohortsError(f"body weight must be above 0 g, got {body_weight_g:g}")
        sucrose_per_g = intake.sucrose_ml / body_weight_g
        total_per_g = (intake.sucrose_ml + intake.water_ml) / body_weight_g
    return SptResult(
        code=intake.code,
        sucrose_side=intake.sucrose_side,
        sucrose_ml=intake.sucrose_ml,
        water_ml=intake.water_ml,
        preference_pct=preference,
        sucrose_ml_per_g=sucrose_per_g,
        total_ml_per_g=total_per_g,
        anhedonic=is_anhedonic(preference, threshold_pct),
    )

"""A study's arms: each a substance at a dose, all given at the study's one volume per kg, one the reference.

An arm's stock is what its dose needs at that volume (dose / volume per kg) unless a stock is stated, which
may differ from it by rounding only (`STOCK_TOLERANCE_PCT`). Arms are typed as ``NAME:SUBSTANCE:DOSE[:STOCK]``
(`parse_arms`) or read from an arms file (`read_arms_file`); every fault of every arm is reported at once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from behavlab.models import Arm
from behavlab.services.library_errors import refused_files
from cohorts.dosing import arm_stock_mg_per_ml, stock_concentration_mg_per_ml
from cohorts.problems import InputError, Problem
from cohorts.tabular import EMPTY_CELL, CellFault, Columns, iter_readers, read_number, read_table, text_fault

ARM_NAME_CHARS = 60
SUBSTANCE_CHARS = 120
MAX_DOSE_MG_PER_KG = 10_000.0
#: How far a stated stock may be from dose / volume per kg, in % of it: rounding, not another dose.
STOCK_TOLERANCE_PCT = 1.0
#: Characters an arm name may not hold: `--arm` fields are split on colons, `randomize --arms` on commas.
NAME_SEPARATORS = ":,"
ARMS_FILE_COLUMNS = Columns(
    required=("name", "substance", "dose_mg_per_kg"), optional=("stock_mg_per_ml", "reference")
)
REFERENCE_MARKS = {
    **dict.fromkeys(("yes", "y", "true", "1"), "yes"),
    **dict.fromkeys(("no", "n", "false", "0"), "no"),
}
ARM_FORMAT = "NAME:SUBSTANCE:DOSE_MG_PER_KG[:STOCK_MG_PER_ML], e.g. ket10:ketamine:10 or vehicle:saline:0"


@dataclass(frozen=True)
class ArmSpec:
    """One arm asked for: its name, substance and dose, and its stock when stated (else dose / volume)."""

    name: str
    substance: str
    dose_mg_per_kg: float
    stock_mg_per_ml: float | None = None


@dataclass(frozen=True)
class ArmsDesign:
    """The arms of a new study in order and the name of its reference (None: the first arm)."""

    arms: tuple[ArmSpec, ...]
    reference: str | None = None


def reference_arm(arms: Sequence[Arm]) -> Arm:
    """The arm the others are compared with: the one marked reference, else the first arm (the vehicle)."""
    ordered = sorted(arms, key=lambda arm: arm.position)
    return next((arm for arm in ordered if arm.is_reference), ordered[0])


def stock_of(arm: Arm | ArmSpec, volume_ml_per_kg: float) -> float:
    """The arm's stock in mg/mL: the stated one, else what gives its dose at the study's volume per kg."""
    return arm_stock_mg_per_ml(arm.dose_mg_per_kg, volume_ml_per_kg, arm.stock_mg_per_ml)


def parse_arms(texts: Sequence[str], reference: str | None = None) -> ArmsDesign:
    """Arms typed as `ARM_FORMAT`, one text each; every malformed one is reported (InvalidInputError)."""
    problems: list[Problem] = []
    arms = []
    for number, text in enumerate(texts, start=1):
        fields = text.split(":")
        source = f"--arm {number}"
        if len(fields) not in (3, 4):
            problems.append(
                Problem(source, None, None, text, "is not NAME:SUBSTANCE:DOSE[:STOCK]", ARM_FORMAT)
            )
            continue
        arm = _checked_arm(source, None, problems, *fields)
        if arm is not None:
            arms.append(arm)
    _raise_if(problems)
    return ArmsDesign(tuple(arms), reference)


def read_arms_file(path: Path, reference: str | None = None) -> ArmsDesign:
    """Arms from a CSV or XLSX file (`ARMS_FILE_COLUMNS`; ``reference`` marks at most one arm yes).

    `reference`, when given, must agree with the file's mark. Every fault of the file is reported at once.
    """
    table = read_table(path, ARMS_FILE_COLUMNS, f"arms file {path.name}")
    problems = list(table.problems)
    arms = []
    marked = []
    for reader in iter_readers(table, problems):
        cells = reader.row.cells
        arm = _checked_arm(
            table.source,
            reader.row.number,
            problems,
            cells.get("name", ""),
            cells.get("substance", ""),
            cells.get("dose_mg_per_kg", ""),
            *([cells["stock_mg_per_ml"]] if cells.get("stock_mg_per_ml") else []),
        )
        if reader.choice("reference", REFERENCE_MARKS, "yes or no (or empty)", required=False) == "yes":
            marked.append(cells.get("name", "").strip())
        if arm is not None:
            arms.append(arm)
    if len(marked) > 1 or (marked and reference is not None and marked[0].casefold() != reference.casefold()):
        named = ", ".join([*marked, *([f"--reference {reference}"] if reference else [])])
        problems.append(
            Problem(table.source, None, "reference", named, "names more than one reference arm", "one arm")
        )
    _raise_if(problems)
    return ArmsDesign(tuple(arms), reference or (marked[0] if marked else None))


def check_design(design: ArmsDesign, volume_ml_per_kg: float) -> None:
    """Refuse what a study cannot run with, naming each fault (InvalidInputError).

    Refused: fewer than two arms, a name used twice, two arms of one substance and dose, a stated stock
    that is not dose / volume per kg (beyond `STOCK_TOLERANCE_PCT`), and a reference that is not an arm.
    """
    problems: list[Problem] = []
    arms = design.arms
    if len(arms) < 2:
        problems.append(Problem("arms", None, None, str(len(arms)), "arms given", "two or more arms"))
    seen: dict[str, int] = {}
    treatments: dict[tuple[str, float], str] = {}
    for number, arm in enumerate(arms, start=1):
        source = f"arm {number} ({arm.name})"
        if arm.name.casefold() in seen:
            problems.append(
                Problem(
                    source, None, "name", arm.name, f"is also arm {seen[arm.name.casefold()]}", "unique names"
                )
            )
        seen.setdefault(arm.name.casefold(), number)
        treatment = (arm.substance.casefold(), arm.dose_mg_per_kg)
        if treatment in treatments:
            problems.append(
                Problem(
                    source,
                    None,
                    "substance",
                    arm.substance,
                    f"at this dose is also arm {treatments[treatment]}",
                    "arms that differ in substance or dose",
                )
            )
        treatments.setdefault(treatment, arm.name)
        problems += _stock_problems(source, arm, volume_ml_per_kg)
    if design.reference is not None and design.reference.casefold() not in seen:
        problems.append(
            Problem(
                "--reference",
                None,
                None,
                design.reference,
                "is not an arm",
                "one of " + ", ".join(arm.name for arm in arms),
            )
        )
    _raise_if(problems)


def reference_name(design: ArmsDesign) -> str:
    """The name of the design's reference arm, as its arm spells it (the first arm when none is named)."""
    wanted = (design.reference or design.arms[0].name).casefold()
    return next(arm.name for arm in design.arms if arm.name.casefold() == wanted)


def _stock_problems(source: str, arm: ArmSpec, volume_ml_per_kg: float) -> list[Problem]:
    if arm.stock_mg_per_ml is None:
        return []
    needed = stock_concentration_mg_per_ml(arm.dose_mg_per_kg, volume_ml_per_kg)
    if abs(arm.stock_mg_per_ml - needed) <= needed * STOCK_TOLERANCE_PCT / 100:
        return []
    accepted = (
        f"{needed:g} mg/mL ({arm.dose_mg_per_kg:g} mg/kg at {volume_ml_per_kg:g} mL/kg, every arm's volume), "
        f"rounded by at most {STOCK_TOLERANCE_PCT:g} %"
    )
    return [
        Problem(
            source, None, "stock_mg_per_ml", f"{arm.stock_mg_per_ml:g}", "does not give the dose", accepted
        )
    ]


def _checked_arm(
    source: str, row: int | None, problems: list[Problem], name: str, substance: str, dose: str, *stock: str
) -> ArmSpec | None:
    """One arm from its typed fields, or None with a problem per bad field."""
    found = len(problems)
    name, substance = name.strip(), substance.strip()
    _check_text(source, row, "name", name, ARM_NAME_CHARS, problems)
    if any(character in name for character in NAME_SEPARATORS):
        problems.append(Problem(source, row, "name", name, "holds a colon or comma", "a name without : or ,"))
    _check_text(source, row, "substance", substance, SUBSTANCE_CHARS, problems)
    dose_mg_per_kg = _number(source, row, "dose_mg_per_kg", dose, "mg/kg", problems)
    stock_mg_per_ml = _number(source, row, "stock_mg_per_ml", stock[0], "mg/mL", problems) if stock else None
    if len(problems) > found or dose_mg_per_kg is None:
        return None
    return ArmSpec(name, substance, dose_mg_per_kg, stock_mg_per_ml)


def _check_text(
    source: str, row: int | None, field: str, value: str, max_chars: int, problems: list[Problem]
) -> None:
    fault = text_fault(value, max_chars) if value else EMPTY_CELL
    if fault is not None:
        problems.append(Problem(source, row, field, value, fault.issue, fault.accepted))


def _number(
    source: str, row: int | None, field: str, text: str, unit: str, problems: list[Problem]
) -> float | None:
    number = read_number(text.strip(), 0.0, MAX_DOSE_MG_PER_KG, unit) if text.strip() else EMPTY_CELL
    if isinstance(number, CellFault):
        problems.append(Problem(source, row, field, text, number.issue, number.accepted))
        return None
    return number


def _raise_if(problems: Sequence[Problem]) -> None:
    if problems:
        with refused_files("arms"):
            raise InputError(problems)

"""Sucrose-preference periods and bottle sheets: corrected intakes, preference, side switching, anhedonia.

Bottle weights come as a sheet file or typed in a grid; a typed grid is written as the CSV a sheet file would
hold and read by the same parser, so both are checked alike and the stored sheet is what was typed.
"""

import csv
import hashlib
import io
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import Allocation, SptPeriod, SptReading, SptSheetFile, Study, Weight
from behavlab.services.audit import record_event
from behavlab.services.guards import refuse_if_unmasked, refuse_unless_randomized
from behavlab.services.library_errors import refused_files, refused_input
from behavlab.services.lookup import blind_codes, codes_by_lab_id, find_study, stored_id, study_id_of
from behavlab.services.text import checked_text
from behavlab.services.voiding import live_readings, not_voided
from behavlab.services.workspace import Workspace
from cohorts.spt import (
    ANHEDONIA_THRESHOLD_PCT,
    CONTROL_CODE,
    SPT_COLUMNS,
    SptIntake,
    SptSheet,
    SptSheetError,
    check_bottle_cell,
    read_spt_sheet,
    spt_result,
    unswitched_sides,
)

PHASES = ("habituation", "baseline", "test")
SUCROSE_PCT_RANGE = (0.1, 10.0)
#: The name a bottle sheet typed in the grid is stored under.
TYPED_BOTTLES = "typed in behavlab.csv"
#: The typed columns of a bottle-sheet row, after its code: the sucrose side, then each bottle's weights.
BOTTLE_GRID_FIELDS = tuple(column for column in SPT_COLUMNS.required if column != "code")
#: Rows for empty cages whose bottles measure spillage and evaporation (a control left empty is skipped).
CONTROL_ROWS = 2
#: One typed row of the grid: its code (or ``control``) and its cells by column, as typed.
TypedBottles = Mapping[str, str]


@dataclass(frozen=True)
class SptRecorded:
    """What a stored bottle sheet gave: rows, warnings (unswitched sides), codes below the anhedonia cut."""

    period: str
    n_animals: int
    warnings: list[str]
    anhedonic: list[str]
    anhedonia_threshold_pct: float = ANHEDONIA_THRESHOLD_PCT


@dataclass(frozen=True)
class BottleGrid:
    """The bottle grid's rows (each blind code, never an arm, then the spill controls), and open periods."""

    rows: list[str]
    open_periods: list[str]


@dataclass(frozen=True)
class SptLine:
    """One animal's result in one period."""

    period: str
    phase: str
    code: str
    sucrose_side: str
    sucrose_ml: float
    water_ml: float
    preference_pct: float
    total_ml_per_g: float | None
    anhedonic: bool


def create_spt_period(
    workspace: Workspace,
    study_name: str,
    label: str,
    starts_at: datetime,
    ends_at: datetime,
    phase: str = "test",
    sucrose_pct: float = 1.0,
) -> SptPeriod:
    """Declare a two-bottle period (habituation, baseline or test) with its times and sucrose %."""
    label = checked_text(label.strip(), "SPT period label")
    if not label or len(label) > 60:
        raise InvalidInputError("--label must be 1-60 characters, e.g. 'day3'")
    if phase not in PHASES:
        raise InvalidInputError(f"--phase {phase!r} not accepted; accepted: {', '.join(PHASES)}")
    if starts_at.tzinfo is None or ends_at.tzinfo is None or not ends_at > starts_at:
        raise InvalidInputError("--end must be after --start (both with a date and time)")
    low, high = SUCROSE_PCT_RANGE
    if not low <= sucrose_pct <= high:
        raise InvalidInputError(f"--sucrose-pct {sucrose_pct:g} not accepted; accepted: {low:g} to {high:g}")
    try:
        with writing(workspace.engine) as session:
            study = find_study(session, study_name)
            refuse_if_unmasked(session, study, "add SPT periods")
            period = SptPeriod(
                study_id=study_id_of(study),
                label=label,
                phase=phase,
                starts_at=starts_at,
                ends_at=ends_at,
                sucrose_pct=sucrose_pct,
                created_by=workspace.actor,
            )
            session.add(period)
            session.flush()
            record_event(
                session,
                actor=workspace.actor,
                action=AuditAction.SPT_PERIOD,
                entity="spt_period",
                entity_id=label,
                study_id=study.id,
                payload={
                    "phase": phase,
                    "start": starts_at.isoformat(),
                    "end": ends_at.isoformat(),
                    "sucrose_pct": sucrose_pct,
                },
            )
    except IntegrityError as exc:
        raise ConflictError(f"study {study_name!r} already has an SPT period {label!r}") from exc
    return period


def bottle_grid(workspace: Workspace, study_name: str) -> BottleGrid:
    """The grid's rows (each coded animal by code, then the controls) and the periods without bottles."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        codes = sorted(blind_codes(session, study).values())
        with_sheet = select(SptSheetFile.period_id)
        periods = session.exec(
            select(SptPeriod.label)
            .where(SptPeriod.study_id == study.id, col(SptPeriod.id).not_in(with_sheet))
            .order_by(col(SptPeriod.starts_at))
        ).all()
    return BottleGrid([*codes, *[CONTROL_CODE] * CONTROL_ROWS], list(periods))


def check_typed_bottle_cell(code: str, field: str, typed: str) -> None:
    """Refuse one typed cell of the bottle grid by its column's rule, naming the row's code and the column."""
    with refused_input():
        check_bottle_cell(field, typed, source=code)


def record_typed_spt_bottles(
    workspace: Workspace, study_name: str, period_label: str, rows: Sequence[TypedBottles]
) -> SptRecorded:
    """Store bottle weights typed in the grid as the bottle sheet they make, all rows or none.

    The rows (a row left empty is skipped) are written as the CSV a sheet file would hold, read by the same
    parser, and that CSV is the sheet stored; a refusal names each faulty row by its code.
    """
    content, row_codes = typed_bottle_csv(rows)
    with tempfile.TemporaryDirectory() as folder:
        sheet = Path(folder) / TYPED_BOTTLES
        sheet.write_bytes(content)
        return _record_bottles(workspace, study_name, period_label, sheet, row_codes)


def typed_bottle_csv(rows: Sequence[TypedBottles]) -> tuple[bytes, dict[int, str]]:
    """The CSV sheet of the typed rows that hold any value, and each sheet row's code by its row number."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SPT_COLUMNS.required)
    row_codes: dict[int, str] = {}
    for row in rows:
        cells = [row.get(field, "").strip() for field in BOTTLE_GRID_FIELDS]
        if any(cells):
            row_codes[len(row_codes) + 2] = row["code"]  # row 1 is the header
            writer.writerow([row["code"], *cells])
    return buffer.getvalue().encode(), row_codes


def record_spt_bottles(workspace: Workspace, study_name: str, period_label: str, sheet: Path) -> SptRecorded:
    """Store a period's bottle sheet (and the file itself), all rows or none; warn on unswitched sides."""
    return _record_bottles(workspace, study_name, period_label, sheet, None)


def _read_bottles(
    workspace: Workspace, study_name: str, sheet: Path, row_codes: Mapping[int, str] | None
) -> SptSheet:
    """The checked bottle sheet; a typed one (`row_codes` given) is named, and each faulty row by its code."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        lab_ids = codes_by_lab_id(session, study)
    codes = set(lab_ids.values())
    with refused_files(f"bottle sheet {sheet.name}"):
        if row_codes is None:
            return read_spt_sheet(sheet, known_codes=codes, codes_by_lab_id=lab_ids)
        try:
            return read_spt_sheet(sheet, known_codes=codes, source=sheet.name)
        except SptSheetError as error:
            named = [
                replace(problem, source=f"{problem.source} ({row_codes[problem.row]})")
                if problem.row is not None and problem.row in row_codes
                else problem
                for problem in error.problems
            ]
            raise SptSheetError(named) from None


def _record_bottles(
    workspace: Workspace,
    study_name: str,
    period_label: str,
    sheet: Path,
    row_codes: Mapping[int, str] | None,
) -> SptRecorded:
    """Check a bottle sheet, then store its readings and its bytes in one transaction."""
    parsed = _read_bottles(workspace, study_name, sheet, row_codes)
    content = sheet.read_bytes()
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_unless_randomized(session, study, "record SPT bottles")
        refuse_if_unmasked(session, study, "record SPT bottles")
        period = _period(session, study, period_label)
        if (
            session.exec(select(SptSheetFile.id).where(SptSheetFile.period_id == period.id)).first()
            is not None
        ):
            raise ConflictError(f"period {period_label!r} already has its bottle sheet; nothing was recorded")
        sheet_file = SptSheetFile(
            period_id=stored_id(period),
            file_name=sheet.name,
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            recorded_by=workspace.actor,
        )
        _store_bottles(session, study, period, parsed, sheet_file)
        warnings = _side_warnings(session, study, period, parsed)
        anhedonic = sorted(i.code for i in parsed.intakes if spt_result(i).anhedonic)
        record_event(
            session,
            actor=workspace.actor,
            action=AuditAction.SPT_BOTTLES,
            entity="spt_period",
            entity_id=period.label,
            study_id=study.id,
            payload={"file": sheet.name, "n_animals": len(parsed.intakes), "warnings": warnings},
        )
    return SptRecorded(period.label, len(parsed.intakes), warnings, anhedonic)


def _store_bottles(
    session: Session, study: Study, period: SptPeriod, parsed: SptSheet, sheet_file: SptSheetFile
) -> None:
    """Add the control losses to the period, the sheet file, and one reading per animal on the sheet."""
    animal_of = dict(
        session.exec(
            select(Allocation.blind_code, Allocation.animal_id).where(Allocation.study_id == study.id)
        ).all()
    )
    period.control_sucrose_loss_ml = parsed.control_sucrose_loss_ml
    period.control_water_loss_ml = parsed.control_water_loss_ml
    session.add(period)
    session.add(sheet_file)
    session.add_all(
        SptReading(
            period_id=stored_id(period),
            animal_id=animal_of[intake.code],
            sucrose_side=intake.sucrose_side,
            sucrose_ml=intake.sucrose_ml,
            water_ml=intake.water_ml,
            sheet_row=intake.row,
        )
        for intake in parsed.intakes
    )


def _side_warnings(session: Session, study: Study, period: SptPeriod, parsed: SptSheet) -> list[str]:
    """The warning naming the codes whose sucrose side was not switched since the previous period."""
    previous = _previous_sides(session, study, period)
    unswitched = unswitched_sides(previous, {i.code: i.sucrose_side for i in parsed.intakes})
    if not unswitched:
        return []
    return [f"sucrose side not switched since the previous period for {', '.join(unswitched)}"]


def spt_results(
    workspace: Workspace, study_name: str, threshold_pct: float = ANHEDONIA_THRESHOLD_PCT
) -> Sequence[SptLine]:
    """Every animal's preference per period (periods in time order), intake per gram of body weight."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        periods = session.exec(
            select(SptPeriod).where(SptPeriod.study_id == study.id).order_by(col(SptPeriod.starts_at))
        ).all()
        lines = []
        for period in periods:
            rows = session.exec(
                select(SptReading, Allocation.blind_code)
                .join(Allocation, col(Allocation.animal_id) == SptReading.animal_id)
                .where(SptReading.period_id == period.id, live_readings())
                .order_by(col(Allocation.blind_code))
            ).all()
            for reading_row, code in rows:
                weight = session.exec(
                    select(Weight.weight_g)
                    .where(
                        Weight.animal_id == reading_row.animal_id,
                        col(Weight.measured_at) <= period.ends_at,
                        not_voided("weight", Weight.id),
                    )
                    .order_by(col(Weight.measured_at).desc())
                ).first()
                intake = SptIntake(
                    code, reading_row.sucrose_side, reading_row.sucrose_ml, reading_row.water_ml, 0
                )
                result = spt_result(intake, weight, threshold_pct)
                lines.append(
                    SptLine(
                        period.label,
                        period.phase,
                        code,
                        result.sucrose_side,
                        result.sucrose_ml,
                        result.water_ml,
                        result.preference_pct,
                        result.total_ml_per_g,
                        result.anhedonic,
                    )
                )
    return lines


def _period(session: Session, study: Study, label: str) -> SptPeriod:
    period = session.exec(
        select(SptPeriod).where(SptPeriod.study_id == study.id, SptPeriod.label == label)
    ).first()
    if period is None:
        known = session.exec(select(SptPeriod.label).where(SptPeriod.study_id == study.id)).all()
        raise NotFoundError(
            f"no SPT period {label!r} in {study.name!r}; periods: {', '.join(known) or 'none yet'} "
            f"(declare one with `behavlab spt period {study.name} --label ...`)"
        )
    return period


def _previous_sides(session: Session, study: Study, period: SptPeriod) -> dict[str, str]:
    earlier = session.exec(
        select(SptPeriod)
        .where(SptPeriod.study_id == study.id, col(SptPeriod.starts_at) < period.starts_at)
        .order_by(col(SptPeriod.starts_at).desc())
    ).first()
    if earlier is None:
        return {}
    rows = session.exec(
        select(Allocation.blind_code, SptReading.sucrose_side)
        .join(SptReading, col(SptReading.animal_id) == Allocation.animal_id)
        .where(SptReading.period_id == earlier.id, live_readings())
    ).all()
    return dict(rows)

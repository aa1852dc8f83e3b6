"""The doses as given (ARRIVE 9) and the records voided, as report blocks and as data tables.

Every report, blind too, gives each dose's volume per kg of the weight used and its deviation from the
computed volume: the same for every arm, so neither can unblind. The mg/kg each animal received depends on
its arm's stock, so it appears, with a summary per arm, only once unmasked
(:meth:`behavlab.report.data.ReportData.mg_per_kg_received`). A void names its animal by code only: it tells
nothing of an arm.
"""

from __future__ import annotations

import statistics

import pandas as pd

from behavlab.report.blocks import Block, Heading, Paragraph, Table, table
from behavlab.report.data import ReportData
from behavlab.report.formats import MISSING, num
from behavlab.report.records import DoseInfo
from cohorts.syringe import Syringe

#: Doses further than this from their computed volume (% of it) are listed one by one.
DEVIATION_LISTED_PCT = 1.0
DOSE_HEADER = (
    "dosed at",
    "weight used (g)",
    "volume given (mL)",
    "computed volume (mL)",
    "given (mL/kg)",
    "deviation (%)",
)
MG_PER_KG_COLUMN = "mg_per_kg_received"
#: The dose columns of each row of ``data.csv``; the mg/kg received only once unmasked.
DOSE_COLUMNS = ("volume_given_ml", "given_ml_per_kg", "dose_deviation_pct", MG_PER_KG_COLUMN)
VOIDED_HEADER = ("what", "record", "code", "reason", "by", "at")
VOIDED_NOTE = (
    "A voided record stays in the database and in the audit log with the reason it was voided; every "
    "count, dose, weight and statistic in this report leaves it out."
)


def deviation(value: float) -> str:
    """A deviation in percent, signed, to one decimal: +0.4."""
    return f"{value:+.1f}"


def drawn(data: ReportData, volume_ml: float) -> str:
    """A volume given, to the decimals of the study's syringe graduation: 0.20 on a 0.01-mL syringe."""
    study = data.study
    return f"{volume_ml:.{Syringe(study.syringe_graduation_ml, study.volume_tolerance_pct).decimals}f}"


def dose_cells(data: ReportData, dose: DoseInfo) -> tuple[str, ...]:
    """A dose's cells after its code (and arm): `DOSE_HEADER`."""
    return (
        dose.dosed_at.isoformat(timespec="minutes"),
        num(dose.weight_g),
        drawn(data, dose.volume_ml),
        f"{dose.computed_volume_ml:.3f}",
        num(dose.given_ml_per_kg),
        deviation(dose.deviation_pct),
    )


def dosing_parameters(data: ReportData) -> Table:
    """The study's planned volume, syringe graduation and tolerance, and the deviation listed dose by dose."""
    s = data.study
    rows = [
        ("planned volume (mL/kg)", num(s.volume_ml_per_kg)),
        ("syringe graduation (mL): volumes drawn to the nearest mark", num(s.syringe_graduation_ml)),
        ("volume tolerance (+- % of the computed volume)", num(s.volume_tolerance_pct)),
        ("doses listed one by one when off by more than (%)", num(DEVIATION_LISTED_PCT)),
    ]
    return table(("parameter", "value"), rows, "Dosing parameters")


def doses_given(data: ReportData) -> list[Block]:
    """How many doses were given, their volume per kg and deviation over all of them, and the outliers."""
    doses = data.doses
    if not doses:
        return [dosing_parameters(data), Paragraph("No dose was recorded.")]
    given = [dose.given_ml_per_kg for dose in doses]
    deviations = [dose.deviation_pct for dose in doses]
    summary = Paragraph(
        f"Doses given: {len(doses)} to {len({dose.code for dose in doses})} animals (voided doses left "
        f"out); volume given {num(min(given))}-{num(max(given))} mL/kg (planned "
        f"{num(data.study.volume_ml_per_kg)}); deviation from the volume computed from the weight used: "
        f"mean {deviation(statistics.fmean(deviations))} %, range {deviation(min(deviations))} to "
        f"{deviation(max(deviations))} %."
    )
    return [dosing_parameters(data), summary, *deviation_list(data)]


def deviation_list(data: ReportData) -> list[Block]:
    """The doses off by more than `DEVIATION_LISTED_PCT` of their computed volume, or that there are none."""
    off = [dose for dose in data.doses if abs(dose.deviation_pct) > DEVIATION_LISTED_PCT]
    if not off:
        return [
            Paragraph(f"No dose was off by more than {num(DEVIATION_LISTED_PCT)} % of its computed volume.")
        ]
    rows = [
        (
            dose.code,
            drawn(data, dose.volume_ml),
            f"{dose.computed_volume_ml:.3f}",
            deviation(dose.deviation_pct),
        )
        for dose in off
    ]
    header = ("code", "volume given (mL)", "computed volume (mL)", "deviation (%)")
    caption = f"Doses off by more than {num(DEVIATION_LISTED_PCT)} % of the computed volume ({len(off)})"
    return [table(header, rows, caption)]


def per_arm_doses(data: ReportData) -> Table:
    """Per arm: animals and doses given, the mg/kg received (mean, min, max) and the mean deviation."""
    arm_of = {animal.code: animal.arm for animal in data.animals}
    rows = []
    for arm in data.arm_names:
        doses = [dose for dose in data.doses if arm_of.get(dose.code) == arm]
        received = [value for dose in doses if (value := data.mg_per_kg_received(dose)) is not None]
        rows.append(
            (
                arm,
                len({dose.code for dose in doses}),
                len(doses),
                num(statistics.fmean(received)) if received else MISSING,
                num(min(received)) if received else MISSING,
                num(max(received)) if received else MISSING,
                deviation(statistics.fmean(d.deviation_pct for d in doses)) if doses else MISSING,
            )
        )
    header = (
        "arm",
        "animals dosed",
        "doses",
        "mg/kg received: mean",
        "min",
        "max",
        "mean deviation (%)",
    )
    return table(header, rows, "Doses received per arm")


def voided_records(data: ReportData) -> list[Block]:
    """Every voided record: what, its id, its animal's code, why, who and when."""
    blocks: list[Block] = [Heading(2, "Voided records"), Paragraph(VOIDED_NOTE)]
    if not data.voided:
        return [*blocks, Paragraph("No record was voided.")]
    rows = [
        (
            v.entity,
            v.record_id,
            v.code or MISSING,
            v.reason,
            v.voided_by,
            v.voided_at.isoformat(timespec="minutes"),
        )
        for v in data.voided
    ]
    return [*blocks, table(VOIDED_HEADER, rows, f"Voided records ({len(data.voided)})")]


def animal_doses(data: ReportData) -> pd.DataFrame:
    """Each dosed animal's first dose (the one its dosing weight is from) as `DOSE_COLUMNS`, by code."""
    first: dict[str, DoseInfo] = {}
    for dose in sorted(data.doses, key=lambda dose: dose.dosed_at):
        first.setdefault(dose.code, dose)
    rows = [
        (
            code,
            dose.volume_ml,
            dose.given_ml_per_kg,
            dose.deviation_pct,
            data.mg_per_kg_received(dose),
        )
        for code, dose in first.items()
    ]
    return pd.DataFrame(rows, columns=["code", *DOSE_COLUMNS])


def doses_table(data: ReportData) -> pd.DataFrame:
    """Every dose given, by code, with its computed volume and (once unmasked) the mg/kg received."""
    rows = [
        (
            dose.code,
            dose.dosed_at.isoformat(),
            dose.weight_g,
            dose.volume_ml,
            dose.computed_volume_ml,
            dose.planned_ml_per_kg,
            dose.given_ml_per_kg,
            dose.deviation_pct,
            data.mg_per_kg_received(dose),
        )
        for dose in data.doses
    ]
    columns = [
        "code",
        "dosed_at",
        "weight_g",
        "volume_given_ml",
        "computed_volume_ml",
        "planned_ml_per_kg",
        "given_ml_per_kg",
        "deviation_pct",
        MG_PER_KG_COLUMN,
    ]
    return pd.DataFrame(rows, columns=columns)


def voided_table(data: ReportData) -> pd.DataFrame:
    """Every voided record, as listed in the report."""
    rows = [
        (v.entity, v.record_id, v.code, v.reason, v.voided_by, v.voided_at.isoformat()) for v in data.voided
    ]
    return pd.DataFrame(rows, columns=["entity", "record_id", "code", "reason", "voided_by", "voided_at"])

"""The report's data files: ``data.csv``, ``data.xlsx`` and ``manifest.json``.

``data.csv`` is the tidy outcome table, each row with the animal's weights (baseline, at dosing), its dose
given (mL, mL/kg, % deviation; the mg/kg received only once unmasked) and, for sucrose preference, the
period's intakes; ``data.xlsx`` holds data, animals, doses, exclusions, voided records and statistics;
``manifest.json`` the randomization record, hashes, package versions, the files written with their SHA-256 and
the audit chain head the report was read at.

Every text cell written to CSV or XLSX passes :func:`writing.cells.typed_cell`, so a code,
reason or name beginning with ``=``, ``+``, ``-`` or ``@`` cannot run as a formula; numbers stay numbers.
A blind report's files hold no arm and no lab label: an animal is named by its blind code, or by its lab ID
when it never got one (it was excluded before randomization, so it has no arm).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from analysis.comparisons import MultiArmComparison
from analysis.mixed import MixedModelResult
from analysis.models import TwoWayAnova
from analysis.outcomes import OutcomeAnalysis, StudyAnalysis
from analysis.summaries import GroupSummary, software_versions, summarize
from behavlab.audit_head import MANIFEST_KEY
from behavlab.report.common import hours_after_randomization, shown_code
from behavlab.report.data import OUTCOME_COLUMNS, POOLED, ReportData, outcome_groups, text_or_none
from behavlab.report.doses import DOSE_COLUMNS, MG_PER_KG_COLUMN, animal_doses, doses_table, voided_table
from writing.atomic import atomic_write
from writing.cells import typed_cell
from writing.documents import write_sheet, write_text

REPORT_PACKAGES = ("behavlab", "matplotlib", "openpyxl")
ANIMAL_COLUMNS = (
    "code",
    "label",
    "arm",
    "sex",
    "strain",
    "cage",
    "date_of_birth",
    "age_weeks",
    "baseline_weight_g",
    "dosing_weight_g",
    "source",
)
#: The animal's columns each row of ``data.csv`` carries.
WEIGHT_COLUMNS = ("baseline_weight_g", "dosing_weight_g")
EXCLUSION_COLUMNS = (
    "code",
    "arm",
    "reason",
    "a_priori",
    "decided_blind",
    "decided_by",
    "decided_at",
    "label",
    "hours_after_randomization",
)
STATISTICS_COLUMNS = (
    "outcome",
    "method",
    "period",
    "unit",
    "experimental_unit",
    "part",
    "group",
    "statistic",
    "value",
)
SUMMARY_STATISTICS = ("n", "mean", "sd", "sem", "median", "q1", "q3", "minimum", "maximum")
BLIND_HIDDEN = frozenset({"arm", "label", MG_PER_KG_COLUMN})

StatisticRow = tuple[str, str, str, object]


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Versions of the statistics and report packages, then any the caller gives (which win)."""
    versions = software_versions()
    for package in REPORT_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions | dict(extra or {})


def _visible(data: ReportData, columns: Iterable[str]) -> list[str]:
    """The columns a report may show: blind, without arm or lab label."""
    return [column for column in columns if not (data.blinded and column in BLIND_HIDDEN)]


def _named(data: ReportData, table: pd.DataFrame) -> pd.DataFrame:
    """Blind, an animal without a blind code is named by its lab ID in the ``code`` column."""
    if not data.blinded:
        return table
    named = zip(table["code"], table["label"], strict=True)
    codes = [shown_code(text_or_none(code), label) for code, label in named]
    return table.assign(code=codes)


def tidy_table(data: ReportData) -> pd.DataFrame:
    """One row per animal x outcome x method [x period]: lab ID (unmasked), weights, dose, intakes, excluded.

    The dose is the animal's first (the one its dosing weight is from): volume given, mL/kg and deviation, and
    once unmasked the mg/kg received.
    """
    animals = pd.DataFrame(
        [(a.code, a.label, a.baseline_weight_g, a.dosing_weight_g) for a in data.animals if a.code],
        columns=["code", "label", *WEIGHT_COLUMNS],
    )
    table = (
        data.outcomes.merge(animals, on="code", how="left")
        .merge(animal_doses(data), on="code", how="left")
        .merge(data.spt_intakes, on=["code", "period"], how="left")
    )
    columns = [*OUTCOME_COLUMNS, "label", *WEIGHT_COLUMNS, *DOSE_COLUMNS, "sucrose_ml", "water_ml"]
    table = table.loc[:, _visible(data, columns)]
    return table.assign(excluded=table["code"].astype(str).isin(data.excluded_codes))


def animals_table(data: ReportData) -> pd.DataFrame:
    """The animal list with an ``excluded`` flag."""
    table = pd.DataFrame([asdict(animal) for animal in data.animals], columns=list(ANIMAL_COLUMNS))
    table = _named(data, table).assign(excluded=[data.is_excluded(animal) for animal in data.animals])
    return table.loc[:, _visible(data, table.columns)]


def exclusions_table(data: ReportData) -> pd.DataFrame:
    """Every exclusion: reason, whether set a priori, whether decided blind, hours after randomization."""
    rows = [
        asdict(e) | {"hours_after_randomization": hours_after_randomization(data, e.decided_at)}
        for e in data.exclusions
    ]
    table = _named(data, pd.DataFrame(rows, columns=list(EXCLUSION_COLUMNS)))
    return table.loc[:, _visible(data, EXCLUSION_COLUMNS)]


def _summary_rows(summary: GroupSummary) -> Iterator[StatisticRow]:
    for statistic in SUMMARY_STATISTICS:
        yield "summary", summary.group, statistic, getattr(summary, statistic)


def _analysis_rows(analysis: OutcomeAnalysis) -> Iterator[StatisticRow]:
    for summary in analysis.summaries:
        yield from _summary_rows(summary)
    for check in analysis.assumptions.normality:
        yield "normality (Shapiro-Wilk)", check.group, "w", check.w
        yield "normality (Shapiro-Wilk)", check.group, "p", check.p
    yield "variances (Brown-Forsythe)", "all arms", "statistic", analysis.assumptions.levene_statistic
    yield "variances (Brown-Forsythe)", "all arms", "p", analysis.assumptions.levene_p
    if analysis.multi_arm is not None:
        yield from _omnibus_rows(analysis.multi_arm)
    yield from _comparison_rows(analysis)
    if analysis.two_way is not None:
        yield from _two_way_rows(analysis.two_way)
    for note in analysis.notes:
        yield "note", "", "note", note


def _omnibus_rows(multi: MultiArmComparison) -> Iterator[StatisticRow]:
    omnibus = {
        "anova_f": multi.anova_f,
        "anova_p": multi.anova_p,
        "welch_anova_f": multi.welch_f,
        "welch_anova_p": multi.welch_p,
        "kruskal_h": multi.kruskal_h,
        "kruskal_p": multi.kruskal_p,
    }
    for name, value in omnibus.items():
        yield "omnibus", "all arms", name, value


def _comparison_rows(analysis: OutcomeAnalysis) -> Iterator[StatisticRow]:
    multi = analysis.multi_arm
    holm = {} if multi is None else {pair.comparison.arm: pair for pair in multi.versus_reference}
    for c in analysis.comparisons:
        values = {
            "mean_difference": c.mean_difference,
            "mean_difference_ci_low": c.mean_difference_ci[0],
            "mean_difference_ci_high": c.mean_difference_ci[1],
            "welch_t": c.welch_t,
            "welch_df": c.welch_df,
            "welch_p": c.welch_p,
            "mann_whitney_u": c.mann_whitney_u,
            "mann_whitney_p": c.mann_whitney_p,
            "hedges_g": c.hedges_g,
            "hedges_g_ci_low": c.hedges_g_ci[0],
            "hedges_g_ci_high": c.hedges_g_ci[1],
        }
        if c.arm in holm:
            values["welch_p_holm"] = holm[c.arm].welch_p_holm
            values["mann_whitney_p_holm"] = holm[c.arm].mann_whitney_p_holm
        for name, value in values.items():
            yield "comparison", f"{c.arm} - {c.reference}", name, value
        for note in c.notes:
            yield "comparison", f"{c.arm} - {c.reference}", "note", note


def _two_way_rows(two_way: TwoWayAnova) -> Iterator[StatisticRow]:
    for row in two_way.rows:
        for name in ("sum_sq", "df", "f", "p"):
            yield "two-way ANOVA arm x sex", row.term, name, getattr(row, name)
    if two_way.note:
        yield "two-way ANOVA arm x sex", "", "note", two_way.note


def _model_rows(model: MixedModelResult) -> Iterator[StatisticRow]:
    for effect in model.fixed_effects:
        values = (effect.estimate, effect.se, effect.z, effect.p, *effect.ci)
        for name, value in zip(("estimate", "se", "z", "p", "ci_low", "ci_high"), values, strict=True):
            yield "mixed model", effect.term, name, value
    overall = {
        "converged": model.converged,
        "n_units": model.n_units,
        "n_observations": model.n_observations,
        "interaction_chi2": model.interaction_chi2,
        "interaction_df": model.interaction_df,
        "interaction_p": model.interaction_p,
        "random_intercept_variance": model.random_intercept_variance,
        "residual_variance": model.residual_variance,
        "note": model.note,
    }
    for name, setting in overall.items():
        yield "mixed model", "model", name, setting
    for test in model.design_tests:
        for name, value in (("chi2", test.statistic), ("df", int(test.df[0])), ("p", test.p)):
            yield "mixed model", test.term, name, value


def statistics_table(data: ReportData, analysis: StudyAnalysis | None) -> pd.DataFrame:
    """Every reported number in long form; blind (no analysis), descriptives of all animals pooled."""
    rows: list[tuple[object, ...]] = []
    if analysis is None:
        for outcome, method, period, group in outcome_groups(data.analysed_outcomes):
            key = (outcome, method, period, data.definition(outcome).unit, "animal")
            rows += [(*key, *row) for row in _summary_rows(summarize(POOLED, group["value"].to_numpy(float)))]
        return pd.DataFrame(rows, columns=list(STATISTICS_COLUMNS))
    for result in analysis.outcomes:
        key = (result.outcome, result.scoring, result.period, result.unit, result.experimental_unit)
        rows += [(*key, *row) for row in _analysis_rows(result)]
    for repeated in analysis.repeated:
        key = (repeated.outcome, repeated.scoring, "all periods", repeated.unit, repeated.experimental_unit)
        rows += [(*key, *row) for row in _model_rows(repeated.model)]
    return pd.DataFrame(rows, columns=list(STATISTICS_COLUMNS))


def _records(table: pd.DataFrame) -> Iterator[list[object]]:
    """The header, then each row, every cell made safe."""
    yield [typed_cell(column) for column in table.columns]
    for row in table.itertuples(index=False, name=None):
        yield [typed_cell(value) for value in row]


def write_csv(table: pd.DataFrame, path: Path) -> Path:
    """Write a table as UTF-8 CSV with every cell made safe, atomically."""
    return write_sheet(path, list(table.columns), table.itertuples(index=False, name=None))


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path) -> Path:
    """Write one worksheet per table, every cell made safe, atomically."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, table in sheets.items():
        sheet = workbook.create_sheet(name)
        for record in _records(table):
            sheet.append(record)
    return atomic_write(path, workbook.save)


def workbook_sheets(data: ReportData, analysis: StudyAnalysis | None) -> dict[str, pd.DataFrame]:
    """The sheets of ``data.xlsx``: data, animals, doses, exclusions, voids, statistics, per minute."""
    per_minute = data.immobility_per_minute
    doses = doses_table(data)
    return {
        "data": tidy_table(data),
        "animals": animals_table(data),
        "doses": doses.loc[:, _visible(data, doses.columns)],
        "exclusions": exclusions_table(data),
        "voided": voided_table(data),
        "statistics": statistics_table(data, analysis),
        "immobility_per_minute": per_minute.loc[
            :, [c for c in per_minute.columns if not (data.blinded and c == "arm")]
        ],
    }


def manifest(data: ReportData, files: Sequence[Path]) -> dict[str, Any]:
    """The manifest: randomization record (seed once unmasked), hashes, versions, files, audit chain head."""
    randomization = data.randomization
    record = None
    if randomization is not None:
        record = {
            "method": randomization.method,
            "strata": list(randomization.strata),
            "n_arms": randomization.n_arms,
            "seed": randomization.seed,
            "block_sizes": list(randomization.block_sizes),
            "roster_sha256": randomization.roster_sha256,
            "allocation_commitment_sha256": randomization.commitment,
            "library_version": randomization.library_version,
            "created_at": randomization.created_at.isoformat(),
            "created_by": randomization.created_by,
            "draws_previewed": randomization.draws_previewed,
            "balance_was_readable": randomization.balance_was_readable,
            "commitment_opening": randomization.commitment_opening,
        }
    return {
        "study": data.study.name,
        "blinded": data.blinded,
        "generated_at": data.generated_at.isoformat() if data.generated_at else None,
        "unmasked_at": data.blinding.unmasked_at.isoformat() if data.blinding.unmasked_at else None,
        "randomization": record,
        "videos_sha256": dict(sorted(data.video_sha256.items())),
        "software": package_versions(data.software),
        "files_sha256": {path.name: file_sha256(path) for path in files},
        MANIFEST_KEY: None if data.audit_head is None else data.audit_head.as_json(),
    }


def write_manifest(data: ReportData, files: Sequence[Path], path: Path) -> Path:
    """Write ``manifest.json`` listing ``files`` with their SHA-256, atomically."""
    return write_text(path, json.dumps(manifest(data, files), indent=2, sort_keys=False) + "\n")

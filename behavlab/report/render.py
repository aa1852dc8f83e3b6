"""The study report: the ARRIVE 2.0 Essential 10 filled from a :class:`ReportData`, as Markdown and HTML.

The report is built once as a list of blocks (headings, paragraphs, lists, tables, figures) and written twice,
so ``report.md`` and ``report.html`` always say the same. The HTML is one self-contained file with its CSS
inline; figures are PNG files beside it, referenced by relative paths.

A blind report (``data.blinded``) names no arm and no treatment, groups nothing, shows animals by blind code
only and says at its top that it is blind; group statistics appear only once the allocation is unmasked.

Notes
-----
Sections follow the ARRIVE 2.0 Essential 10 (Percie du Sert et al. 2020, PLoS Biol 18:e3000410): study
design, sample size, inclusion and exclusion criteria, randomisation, blinding, outcome measures, statistical
methods, experimental animals, experimental procedures and results; then every emergency unblinding and
every amendment made after unmasking.
"""

from __future__ import annotations

import html
import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analysis.models import TwoWayAnova
from analysis.outcomes import OutcomeAnalysis, RepeatedOutcome, StudyAnalysis, analyse_study
from analysis.summaries import summarize
from behavlab.notices import BALANCE_WAS_READABLE
from behavlab.report.data import PRIMARY_OUTCOME, ReportData, outcome_groups
from behavlab.report.exports import (
    package_versions,
    tidy_table,
    workbook_sheets,
    write_csv,
    write_manifest,
    write_xlsx,
)
from behavlab.report.figures import FigureFile, draw_figures
from writing.atomic import ensure_folder
from writing.documents import write_text

MISSING = "n/a"
P_FLOOR = 1e-16  # below double precision relative to 1: shown as a bound, not a number
BLIND_BANNER = (
    "BLIND REPORT: the allocation is still sealed. Animals appear by blind code only, no treatment or arm "
    "is named and nothing is grouped by arm; group statistics are computed only after unmasking. For data "
    "checks."
)
CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.45rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f0f0f0; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.2rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85rem; color: #444; }
.banner { border: 2px solid #b00; background: #fff3f3; padding: 0.6rem 0.8rem; font-weight: 600; }
code { font-size: 0.85em; word-break: break-all; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  table, figure { break-inside: avoid; } }
"""


@dataclass(frozen=True)
class Heading:
    """A section heading; level 1 is the title."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``banner`` marks a warning shown prominently."""

    text: str
    banner: bool = False


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells with an optional caption."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Image:
    """A figure: a file name relative to the report and its caption."""

    source: str
    caption: str


Block = Heading | Paragraph | Bullets | Table | Image


@dataclass(frozen=True)
class ReportFiles:
    """The files one report run wrote, and the analysis behind them (None for a blind report)."""

    markdown: Path
    html: Path
    csv: Path
    xlsx: Path
    manifest: Path
    figures: tuple[Path, ...]
    analysis: StudyAnalysis | None


def num(value: float | None, digits: int = 4) -> str:
    """A number to ``digits`` significant figures; missing or NaN as n/a."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}g}"


def pvalue(p: float) -> str:
    """A p-value: three decimals, two significant figures below 0.001, a bound below 1e-16."""
    if not math.isfinite(p):
        return MISSING
    if p < P_FLOOR:
        return f"< {P_FLOOR:.0e}"
    return f"{p:.3f}" if p >= 0.001 else f"{p:.2e}"


def interval(low: float, high: float) -> str:
    """A confidence interval as ``low to high``."""
    return f"{num(low)} to {num(high)}"


def table(header: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> Table:
    """A Table block from any cells (converted to text)."""
    return Table(
        tuple(header), tuple(tuple("" if c is None else str(c) for c in row) for row in rows), caption
    )


def yes_no(flag: bool) -> str:
    """``yes`` or ``no``."""
    return "yes" if flag else "no"


# Sections


def _title(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(1, f"{data.study.name}: study report")]
    if data.blinded:
        blocks.append(Paragraph(BLIND_BANNER, banner=True))
    else:
        when = data.blinding.unmasked_at.isoformat() if data.blinding.unmasked_at else MISSING
        blocks.append(
            Paragraph(f"Unmasked report: allocation revealed {when} by {data.blinding.unmasked_by}.")
        )
    if data.generated_at is not None:
        blocks.append(Paragraph(f"Generated {data.generated_at.isoformat()}."))
    if data.audit_head is not None:
        blocks.append(Paragraph(data.audit_head.line))
    return blocks


def _arm_counts(data: ReportData) -> dict[str, tuple[int, int]]:
    """Per arm: animals allocated and animals excluded."""
    counts = {}
    for arm in data.arm_names:
        allocated = sum(animal.arm == arm for animal in data.animals)
        excluded = sum(exclusion.arm == arm for exclusion in data.exclusions)
        counts[arm] = (allocated, excluded)
    return counts


def _design(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(2, "1. Study design")]
    unit = (
        "the cage: cages were randomized (cage-cluster), so cage means are analysed (Lazic et al. 2018)"
        if data.cage_is_unit
        else "the animal"
    )
    n_arms = data.randomization.n_arms if data.randomization else len(data.arms)
    blocks.append(
        Paragraph(
            f"Parallel-group comparison of {n_arms} arms, one {data.study.route} injection per animal at the "
            f"same volume for every arm, tests {num(data.study.test_hours_post_dose)} h after dosing. "
            f"{len(data.animals)} animals on the roster. Experimental unit: {unit}."
        )
    )
    if data.blinded:
        blocks.append(Paragraph("Arm names and sizes are withheld until the allocation is unmasked."))
        return blocks
    counts = _arm_counts(data)
    rows = [
        (arm.name, arm.substance, num(arm.dose_mg_per_kg), yes_no(arm.reference), *counts[arm.name])
        for arm in sorted(data.arms, key=lambda arm: arm.name != data.reference_arm)
    ]
    blocks.append(
        table(("arm", "substance", "dose (mg/kg)", "reference", "allocated", "excluded"), rows, "Arms")
    )
    return blocks


def _sample_size(data: ReportData) -> list[Block]:
    rationale = data.study.sample_size_rationale or "not stated"
    return [Heading(2, "2. Sample size"), Paragraph(f"How the sample size was set: {rationale}.")]


def _exclusions(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(2, "3. Inclusion and exclusion criteria")]
    if not data.exclusions:
        return [*blocks, Paragraph("No animal was excluded.")]
    header = ["code", "reason", "criterion set a priori", "decided blind", "by", "at"]
    if not data.blinded:
        header.insert(1, "arm")
    rows = []
    for exclusion in data.exclusions:
        row = [exclusion.code, exclusion.reason, yes_no(exclusion.a_priori), yes_no(exclusion.decided_blind)]
        row += [exclusion.decided_by, exclusion.decided_at.isoformat()]
        if not data.blinded:
            row.insert(1, exclusion.arm or "not allocated")
        rows.append(row)
    blocks.append(table(header, rows, f"Exclusions ({len(data.exclusions)})"))
    if not data.blinded:
        per_arm = [(arm, excluded) for arm, (_, excluded) in _arm_counts(data).items()]
        blocks.append(table(("arm", "excluded"), per_arm, "Exclusions per arm"))
    return blocks


def _randomisation(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(2, "4. Randomisation")]
    r = data.randomization
    if r is None:
        return [*blocks, Paragraph("The study has not been randomized.")]
    sealed = "sealed until unmasking"
    rows = [
        ("method", r.method),
        ("strata", ", ".join(r.strata) or "none"),
        ("arms", r.n_arms),
        ("seed", sealed if r.seed is None else r.seed),
        ("block sizes", sealed if data.blinded else ", ".join(map(str, r.block_sizes)) or "none"),
        ("roster SHA-256 (input list)", r.roster_sha256),
        ("allocation commitment SHA-256", r.commitment),
        ("randomization library version", r.library_version),
        ("made by, at", f"{r.created_by}, {r.created_at.isoformat()}"),
        ("draws previewed before committing", r.draws_previewed),
    ]
    blocks.append(table(("item", "value"), rows, "Randomization record"))
    if r.balance_was_readable:
        blocks.append(Paragraph(BALANCE_WAS_READABLE))
    if r.balance_lines:
        blocks += [Paragraph("Baseline balance of the arms, as the key holder saw it before committing:")]
        blocks += [Paragraph(line) for line in r.balance_lines]
    if r.commitment_opening is not None:
        opening = r.commitment_opening
        rows_opening = [
            ("commitment (published before dosing)", opening["commitment"]),
            ("salt", opening["salt"]),
            ("canonical allocation (animal ID -> arm index)", opening["allocation"]),
            ("recompute the commitment with", opening["command"]),
        ]
        blocks.append(table(("item", "value"), rows_opening, "Commitment opening: anyone can check it"))
    return blocks


#: Stages whose people must not know the allocation for the study to count as blinded.
STAGES_MEANT_BLIND = ("conduct", "outcome assessment")


def _blinding(data: ReportData) -> list[Block]:
    b = data.blinding
    rows = [
        (
            stage.stage,
            ", ".join(stage.people) or "not recorded",
            yes_no(stage.knew_allocation),
            ", ".join(f"{a.os_account} on {a.host}" for a in stage.accounts) or "not recorded",
            yes_no(bool(stage.account_mismatches)) if stage.accounts else "not recorded",
        )
        for stage in b.stages
    ]
    blocks: list[Block] = [
        Heading(2, "5. Blinding"),
        Paragraph(
            f"Key holder (prepared the coded syringes, held the passphrase): {b.key_holder}. Each animal has "
            "its own blind code; the allocation was encrypted and committed by SHA-256 before dosing."
        ),
        table(
            ("stage", "people", "knew the allocation", "OS account (host)", "declared person differs"),
            rows,
            "Who knew the allocation at each stage, and the operating-system account that did it",
        ),
    ]
    mismatched = [stage for stage in b.stages if stage.account_mismatches]
    if mismatched:
        blocks.append(
            Paragraph(
                "The person declared differs from the operating-system account that acted: "
                + "; ".join(
                    f"{stage.stage}: "
                    + ", ".join(
                        f"recorded as {a.declared} by OS account {a.os_account} on {a.host}"
                        for a in stage.account_mismatches
                    )
                    for stage in mismatched
                )
                + ". Who did these stages rests on the declared names alone."
            )
        )
    unblinded = [stage for stage in b.stages if stage.stage in STAGES_MEANT_BLIND and stage.knew_allocation]
    if unblinded:
        blocks.append(
            Paragraph(
                "Blinding was incomplete: "
                + "; ".join(f"{stage.stage} was done by someone who held the key" for stage in unblinded)
                + ". Blinding needs the key holder to stay out of dosing, testing and scoring."
            )
        )
    status = (
        "The allocation is still sealed."
        if data.blinded
        else f"The allocation was unmasked {b.unmasked_at.isoformat() if b.unmasked_at else MISSING} by "
        f"{b.unmasked_by}, after which the analysis was run."
    )
    blocks.append(
        Paragraph(f"{status} Emergency unblindings: {len(data.emergency_unblindings)} (listed at the end).")
    )
    return blocks


def _outcome_measures(data: ReportData) -> list[Block]:
    present = list(dict.fromkeys(data.outcomes["outcome"].astype(str)))
    rows = []
    for name in present:
        definition = data.definition(name)
        rows.append((definition.label, definition.unit, yes_no(definition.primary), definition.definition))
    blocks: list[Block] = [
        Heading(2, "6. Outcome measures"),
        table(("outcome", "unit", "primary", "definition"), rows, "Outcomes"),
    ]
    primary = data.definition(PRIMARY_OUTCOME)
    blocks.append(Paragraph(f"Primary outcome: {primary.label} ({primary.unit}). {primary.definition}"))
    for scoring in data.scoring:
        params = [(key, value) for key, value in scoring.parameters.items()]
        params += [("scored window (s)", f"{num(scoring.window_s[0])}-{num(scoring.window_s[1])}")]
        params += [("software version", scoring.software_version)]
        caption = f"Scoring method '{scoring.method}'" + (
            f": {scoring.description}" if scoring.description else ""
        )
        blocks.append(table(("parameter", "value"), params, caption))
    return blocks


def _statistical_methods(data: ReportData, analysis: StudyAnalysis | None) -> list[Block]:
    blocks: list[Block] = [Heading(2, "7. Statistical methods")]
    versions = ", ".join(f"{name} {value}" for name, value in package_versions(data.software).items())
    if analysis is None:
        blocks.append(
            Paragraph(
                "Blind report: outcomes are described over all animals pooled (n, mean, SD, median, "
                "quartiles) for data checks only. No group comparison is made before unmasking."
            )
        )
    else:
        blocks.append(Bullets(analysis.methods))
        blocks += _assumption_table(data, analysis.outcomes)
    blocks.append(Paragraph(f"Software: {versions}."))
    return blocks


def _assumption_table(data: ReportData, analyses: Sequence[OutcomeAnalysis]) -> list[Block]:
    rows = []
    for a in analyses:
        normality = "; ".join(
            f"{check.group}: W = {num(check.w, 3)}, p = {pvalue(check.p)}"
            if not check.note
            else f"{check.group}: {check.note}"
            for check in a.assumptions.normality
        )
        checks = a.assumptions
        spread = checks.levene_note or f"W = {num(checks.levene_statistic, 3)}, p = {pvalue(checks.levene_p)}"
        rows.append((data.title(a.outcome, a.scoring, a.period), normality, spread))
    return [
        table(
            ("outcome", "Shapiro-Wilk per arm", "Brown-Forsythe"),
            rows,
            "Assumption checks (reported, not used to choose tests)",
        )
    ]


def _animals(data: ReportData) -> list[Block]:
    animals = data.animals
    sexes = ", ".join(f"{sex}: {count}" for sex, count in sorted(_count(a.sex for a in animals).items()))
    ages = [a.age_weeks for a in animals if a.age_weeks is not None]
    weights = [a.baseline_weight_g for a in animals if a.baseline_weight_g is not None]
    sources = ", ".join(sorted({a.source for a in animals if a.source})) or "not stated"
    strains = ", ".join(sorted({a.strain for a in animals})) or data.study.strain
    lines = [
        f"Species: {data.study.species}; strain: {strains}; source: {sources}.",
        f"Sex: {sexes}.",
        f"Age at the start: {_spread(ages)} weeks.",
        f"Baseline body weight: {_mean_sd(weights)} g.",
    ]
    blocks: list[Block] = [Heading(2, "8. Experimental animals"), Bullets(tuple(lines))]
    if not data.blinded:
        rows = []
        for arm in data.arm_names:
            members = [a for a in animals if a.arm == arm]
            arm_weights = [a.baseline_weight_g for a in members if a.baseline_weight_g is not None]
            arm_sexes = _count(a.sex for a in members)
            rows.append(
                (
                    arm,
                    len(members),
                    ", ".join(f"{s}: {n}" for s, n in sorted(arm_sexes.items())),
                    _mean_sd(arm_weights),
                )
            )
        blocks.append(table(("arm", "n", "sex", "baseline weight (g), mean +- SD"), rows, "Animals per arm"))
    columns = ["code", "sex", "cage", "age (weeks)", "baseline weight (g)", "source", "excluded"]
    if not data.blinded:
        columns[1:1] = ["lab ID", "arm"]
    rows = []
    for a in sorted(animals, key=lambda a: a.code):
        row = [
            a.code,
            a.sex,
            a.cage or "",
            num(a.age_weeks, 3),
            num(a.baseline_weight_g, 3),
            a.source or "",
            yes_no(a.code in data.excluded_codes),
        ]
        if not data.blinded:
            row[1:1] = [a.label, a.arm or "not allocated"]
        rows.append(row)
    blocks.append(table(columns, rows, "Animals" + (" (blind codes only)" if data.blinded else "")))
    return blocks


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def _spread(values: Sequence[float]) -> str:
    """``median (min-max), n = k`` or not recorded."""
    if not values:
        return "not recorded"
    low, high = num(min(values), 3), num(max(values), 3)
    return f"median {num(statistics.median(values), 3)} (range {low}-{high}, n = {len(values)})"


def _mean_sd(values: Sequence[float]) -> str:
    if not values:
        return "not recorded"
    sd = statistics.stdev(values) if len(values) > 1 else float("nan")
    return f"{num(statistics.fmean(values), 3)} +- {num(sd, 2)} (n = {len(values)})"


def _procedures(data: ReportData) -> list[Block]:
    s, p = data.study, data.procedures
    if data.blinded:
        treatment = (
            f"One {s.route} injection at {num(s.volume_ml_per_kg)} mL/kg, the same volume for every arm; "
            "treatments are named once the allocation is unmasked."
        )
    else:
        treatment = (
            f"{s.compound} {num(s.dose_mg_per_kg)} mg/kg {s.route} against {s.vehicle}, one injection, "
            f"both at {num(s.volume_ml_per_kg)} mL/kg."
        )
    temperatures = [t for t in p.water_temp_c if t is not None]
    outside = sum(not 23 <= t <= 25 for t in temperatures)
    lines = [
        treatment,
        f"Planned time from dose to test: {num(s.test_hours_post_dose)} h; "
        f"recorded: {_spread(p.hours_post_dose)} h.",
        f"FST water temperature: {_spread(temperatures)} C ({outside} outside 23-25 C); "
        f"depth: {_spread(p.water_depth_cm)} cm.",
        *p.notes,
    ]
    blocks: list[Block] = [Heading(2, "9. Experimental procedures"), Bullets(tuple(lines))]
    if p.spt_periods:
        rows = [
            (
                period.label,
                period.phase,
                period.starts_at.isoformat(),
                period.ends_at.isoformat(),
                num(period.sucrose_pct),
            )
            for period in p.spt_periods
        ]
        blocks.append(
            table(("period", "phase", "start", "end", "sucrose (%)"), rows, "Sucrose preference periods")
        )
    return blocks


def _images(figures: Sequence[FigureFile], keys: Iterable[tuple[str | None, ...]]) -> list[Block]:
    """The figures with the given keys, in the order of the keys."""
    by_key = {figure.key: figure for figure in figures}
    return [Image(by_key[key].path.name, by_key[key].caption) for key in keys if key in by_key]


def _results(data: ReportData, analysis: StudyAnalysis | None, figures: Sequence[FigureFile]) -> list[Block]:
    blocks: list[Block] = [Heading(2, "10. Results")]
    if analysis is None:
        blocks += _blind_results(data)
        blocks += _images(figures, (figure.key for figure in figures))
        return blocks + _agreement(data)
    ordered = sorted(analysis.outcomes, key=lambda a: a.outcome != PRIMARY_OUTCOME)
    blocks += _primary_statement(data, ordered)
    for result in ordered:
        blocks += _outcome_result(data, result)
        blocks += _images(figures, [("outcome", result.outcome, result.scoring, result.period)])
    blocks += _images(figures, (figure.key for figure in figures if figure.key[0] == "per_minute"))
    for repeated in analysis.repeated:
        blocks += _mixed_result(data, repeated)
        blocks += _images(figures, [("periods", repeated.scoring)])
    return blocks + _agreement(data)


def _blind_results(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Paragraph("Data check over all animals pooled; nothing is grouped by arm.")]
    rows = []
    wide: dict[str, dict[str, str]] = {}
    for outcome, method, period, group in outcome_groups(data.analysed_outcomes):
        s = summarize("all animals", group["value"].to_numpy(float))
        name = data.title(outcome, method, period)
        rows.append(
            (
                name,
                s.n,
                num(s.mean),
                num(s.sd),
                num(s.median),
                f"{num(s.q1)}-{num(s.q3)}",
                f"{num(s.minimum)}-{num(s.maximum)}",
            )
        )
        for code, value in zip(group["code"].astype(str), group["value"], strict=True):
            wide.setdefault(code, {})[name] = num(float(value))
    blocks.append(table(("outcome", "n", "mean", "SD", "median", "IQR", "range"), rows, "All animals pooled"))
    names = [row[0] for row in rows]
    values = [(code, *(wide[code].get(name, "missing") for name in names)) for code in sorted(wide)]
    blocks.append(table(("code", *names), values, "Values by blind code (excluded animals left out)"))
    return blocks


def _primary_statement(data: ReportData, ordered: Sequence[OutcomeAnalysis]) -> list[Block]:
    lines = []
    for result in ordered:
        if result.outcome != PRIMARY_OUTCOME:
            continue
        for c in result.comparisons:
            lines.append(
                f"{data.title(result.outcome, result.scoring, result.period)}: {c.arm} minus {c.reference} "
                f"(n = {c.n_arm} and {c.n_reference}) = "
                f"{num(c.mean_difference)} {result.unit} (95% CI {interval(*c.mean_difference_ci)}), "
                "Hedges' g = "
                f"{num(c.hedges_g)} (95% CI {interval(*c.hedges_g_ci)}), Welch p = {pvalue(c.welch_p)}."
            )
    return [Paragraph("Primary outcome."), Bullets(tuple(lines))] if lines else []


def _outcome_result(data: ReportData, result: OutcomeAnalysis) -> list[Block]:
    unit = f" ({result.unit})" if result.unit else ""
    blocks: list[Block] = [Heading(3, data.title(result.outcome, result.scoring, result.period) + unit)]
    summary_rows = [
        (s.group, s.n, num(s.mean), num(s.sd), num(s.sem), num(s.median), f"{num(s.q1)}-{num(s.q3)}")
        for s in result.summaries
    ]
    per = "cage means" if result.experimental_unit == "cage" else "animals"
    blocks.append(table(("arm", "n", "mean", "SD", "SEM", "median", "IQR"), summary_rows, f"Per arm ({per})"))
    holm = {}
    if result.multi_arm is not None:
        m = result.multi_arm
        blocks.append(
            Paragraph(
                f"All arms: one-way ANOVA F({num(m.anova_df[0])}, {num(m.anova_df[1])}) = {num(m.anova_f)}, "
                f"p = {pvalue(m.anova_p)}; Welch's ANOVA F({num(m.welch_df[0])}, {num(m.welch_df[1])}) = "
                f"{num(m.welch_f)}, p = {pvalue(m.welch_p)}; "
                f"Kruskal-Wallis H({m.kruskal_df}) = {num(m.kruskal_h)}, "
                f"p = {pvalue(m.kruskal_p)}."
            )
        )
        holm = {pair.comparison.arm: pair for pair in m.versus_reference}
    header = ["comparison", "mean difference (95% CI)", "Welch t (df)", "Welch p"]
    header += ["Welch p (Holm)"] if holm else []
    header += ["Mann-Whitney U", "M-W p"] + (["M-W p (Holm)"] if holm else []) + ["Hedges' g (95% CI)"]
    rows = []
    for c in result.comparisons:
        row = [
            f"{c.arm} - {c.reference}",
            f"{num(c.mean_difference)} ({interval(*c.mean_difference_ci)})",
            f"{num(c.welch_t)} ({num(c.welch_df, 3)})",
            pvalue(c.welch_p),
        ]
        row += [pvalue(holm[c.arm].welch_p_holm)] if holm else []
        row += [num(c.mann_whitney_u), pvalue(c.mann_whitney_p)]
        row += [pvalue(holm[c.arm].mann_whitney_p_holm)] if holm else []
        rows.append([*row, f"{num(c.hedges_g)} ({interval(*c.hedges_g_ci)})"])
    if rows:
        blocks.append(table(header, rows, "Each arm minus the reference arm"))
    if result.two_way is not None:
        blocks += _anova_table(result.two_way)
    notes = [*result.notes, *(note for c in result.comparisons for note in c.notes)]
    if notes:
        blocks.append(Bullets(tuple(notes)))
    return blocks


def _anova_table(anova: TwoWayAnova) -> list[Block]:
    cells = ", ".join(f"{arm} {sex}: {n}" for arm, sex, n in anova.cells)
    if not anova.rows:
        return [Paragraph(f"Two-way ANOVA arm x sex not fitted: {anova.note} (cells: {cells}).")]
    rows = [(row.term, num(row.sum_sq), num(row.df), num(row.f), pvalue(row.p)) for row in anova.rows]
    return [
        table(
            ("term", "sum of squares", "df", "F", "p"),
            rows,
            f"Two-way ANOVA arm x sex, Type II (cells: {cells})",
        )
    ]


def _mixed_result(data: ReportData, repeated: RepeatedOutcome) -> list[Block]:
    model = repeated.model
    name = data.title(repeated.outcome, repeated.scoring)
    blocks: list[Block] = [Heading(3, f"{name} over periods: mixed model")]
    if not model.converged:
        return [*blocks, Paragraph(f"Mixed model not reported: {model.note}")]
    rows = [
        (e.term, num(e.estimate), num(e.se), num(e.z), pvalue(e.p), interval(*e.ci))
        for e in model.fixed_effects
    ]
    blocks.append(
        table(
            ("term", "estimate", "SE", "z", "p", "95% CI"),
            rows,
            f"Fixed effects ({model.n_units} {repeated.experimental_unit}s, "
            f"{model.n_observations} observations, "
            f"periods {', '.join(model.periods)})",
        )
    )
    blocks.append(
        Paragraph(
            f"Arm x period: Wald chi-square({model.interaction_df}) = {num(model.interaction_chi2)}, "
            f"p = {pvalue(model.interaction_p)}. "
            f"Random-intercept variance {num(model.random_intercept_variance)}, "
            f"residual variance {num(model.residual_variance)}." + (f" {model.note}." if model.note else "")
        )
    )
    return blocks


def _agreement(data: ReportData) -> list[Block]:
    if not data.agreement:
        return []
    rows = [
        (
            data.definition(a.outcome).label,
            f"{a.other_method} vs {a.reference_method}",
            a.n,
            num(a.pearson_r, 3),
            num(a.bias, 3),
            interval(a.lower_limit, a.upper_limit),
        )
        for a in data.agreement
    ]
    header = ("outcome", "methods", "n", "Pearson r", "bias (other - reference)", "95% limits of agreement")
    return [
        Heading(3, "Agreement between scoring methods"),
        table(header, rows, "Pearson r and Bland-Altman bias and limits (Bland & Altman 1986), same animals"),
    ]


def _unblindings_and_amendments(data: ReportData) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Emergency unblindings and amendments after unmasking")]
    if data.emergency_unblindings:
        header = ["code", "reason", "by", "at"]
        if not data.blinded:
            header.insert(1, "arm")
        rows = []
        for u in data.emergency_unblindings:
            row = [u.code, u.reason, u.by, u.at.isoformat()]
            if not data.blinded:
                row.insert(1, u.arm or MISSING)
            rows.append(row)
        blocks.append(table(header, rows, "Emergency unblindings"))
    else:
        blocks.append(Paragraph("No emergency unblinding."))
    if data.amendments:
        rows = [(a.what, a.reason, a.by, a.at.isoformat()) for a in data.amendments]
        blocks.append(table(("what", "reason", "by", "at"), rows, "Amendments after unmasking"))
    else:
        blocks.append(Paragraph("No amendment after unmasking."))
    return blocks


def report_blocks(
    data: ReportData, analysis: StudyAnalysis | None, figures: Sequence[FigureFile]
) -> list[Block]:
    """The whole report as blocks, in ARRIVE Essential 10 order."""
    return [
        *_title(data),
        *_design(data),
        *_sample_size(data),
        *_exclusions(data),
        *_randomisation(data),
        *_blinding(data),
        *_outcome_measures(data),
        *_statistical_methods(data, analysis),
        *_animals(data),
        *_procedures(data),
        *_results(data, analysis, figures),
        *_unblindings_and_amendments(data),
    ]


# Writers


_MD_MARKUP = re.compile(r"([\\`*_\[\]>|#~]|<(?=[A-Za-z/!?]))")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_LIST_MARKER = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))(?=\s|$)")


def markdown_text(text: str, starts_block: bool = False) -> str:
    """Plain text as Markdown that shows it literally, as `html.escape` does for the HTML page.

    Line breaks become spaces; backslashes, backticks, ``* _ [ ] > | # ~``, a ``<`` that would open a tag
    and an ``&`` that would start an entity are backslash-escaped, so a study named ``<script>`` or ``*x*``
    renders as typed, raw HTML never reaches the page and a ``|`` cannot split a table cell. With
    `starts_block` (a paragraph, a list item), a leading list marker (``-``, ``+``, ``1.``) is escaped too.
    """
    flat = " ".join(text.splitlines())
    escaped = _MD_ENTITY.sub(r"\\&", _MD_MARKUP.sub(r"\\\1", flat))
    if starts_block:
        escaped = _MD_LIST_MARKER.sub(
            lambda found: found[1] + (f"\\{found[2]}" if found[2] else f"{found[3]}\\{found[4]}"), escaped
        )
    return escaped


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as GitHub-flavoured Markdown, every text escaped with `markdown_text`."""
    md = markdown_text
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {md(block.text)}")
        elif isinstance(block, Paragraph):
            out.append(f"> **{md(block.text)}**" if block.banner else md(block.text, starts_block=True))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {md(item, starts_block=True)}" for item in block.items))
        elif isinstance(block, Table):
            lines = [f"**{md(block.caption)}**", ""] if block.caption else []
            lines.append("| " + " | ".join(md(cell) for cell in block.header) + " |")
            lines.append("|" + "---|" * len(block.header))
            lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in block.rows]
            out.append("\n".join(lines))
        else:
            out.append(f"![{md(block.caption)}]({block.source})\n\n*{md(block.caption)}*")
    return "\n\n".join(out) + "\n"


def to_html(blocks: Sequence[Block], title: str) -> str:
    """The blocks as one self-contained HTML page (inline CSS, figures by relative path)."""
    e = html.escape
    body: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{e(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            body.append(
                f'<p class="banner">{e(block.text)}</p>' if block.banner else f"<p>{e(block.text)}</p>"
            )
        elif isinstance(block, Bullets):
            body.append("<ul>" + "".join(f"<li>{e(item)}</li>" for item in block.items) + "</ul>")
        elif isinstance(block, Table):
            caption = f"<caption>{e(block.caption)}</caption>" if block.caption else ""
            head = "".join(f"<th>{e(cell)}</th>" for cell in block.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in block.rows
            )
            body.append(f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        else:
            body.append(
                f'<figure><img src="{e(block.source)}" alt="{e(block.caption)}">'
                f"<figcaption>{e(block.caption)}</figcaption></figure>"
            )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def analyse(data: ReportData) -> StudyAnalysis | None:
    """The group analysis of the analysed (not excluded) animals; None for a blind report."""
    if data.blinded or data.reference_arm is None:
        return None
    return analyse_study(data.analysed_outcomes, data.reference_arm, by_cage=data.cage_is_unit)


def write_report(data: ReportData, out_dir: Path) -> ReportFiles:
    """Write report.md, report.html, the figures, data.csv, data.xlsx and manifest.json into ``out_dir``.

    Each file is written atomically; a folder that cannot be written is refused before any file is.
    """
    ensure_folder(out_dir)
    analysis = analyse(data)
    figures = draw_figures(data, out_dir)
    blocks = report_blocks(data, analysis, figures)
    title = f"{data.study.name}: {'blind ' if data.blinded else ''}study report"
    markdown = write_text(out_dir / "report.md", to_markdown(blocks))
    page = write_text(out_dir / "report.html", to_html(blocks, title))
    csv_path = write_csv(tidy_table(data), out_dir / "data.csv")
    xlsx_path = write_xlsx(workbook_sheets(data, analysis), out_dir / "data.xlsx")
    written = [markdown, page, csv_path, xlsx_path, *(figure.path for figure in figures)]
    manifest_path = write_manifest(data, written, out_dir / "manifest.json")
    return ReportFiles(
        markdown, page, csv_path, xlsx_path, manifest_path, tuple(f.path for f in figures), analysis
    )

"""The unmasked report's group statistics: the primary outcome, each outcome per arm, models over periods.

Every number comes from :func:`analysis.outcomes.analyse_study` on the animals not excluded, written in the
report's number formats (:mod:`behavlab.report.formats`).
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.comparisons import MultiArmComparison, TwoArmComparison
from analysis.models import TwoWayAnova
from analysis.outcomes import OutcomeAnalysis, RepeatedOutcome, StudyAnalysis, analyse_study
from analysis.summaries import AssumptionChecks, NormalityCheck
from behavlab.report.blocks import Block, Bullets, Heading, Paragraph, Table, table
from behavlab.report.common import NO_PRIMARY
from behavlab.report.data import ReportData
from behavlab.report.formats import interval, num, pvalue


def analyse(data: ReportData) -> StudyAnalysis | None:
    """The group analysis of the analysed (not excluded) animals; None for a blind report."""
    if data.blinded or data.reference_arm is None:
        return None
    return analyse_study(
        data.with_roster_columns(data.analysed_outcomes),
        data.reference_arm,
        by_cage=data.cage_is_unit,
        factor_name=data.factor_name or "factor",
    )


def assumption_table(data: ReportData, analyses: Sequence[OutcomeAnalysis]) -> list[Block]:
    """Shapiro-Wilk per arm and Brown-Forsythe for each outcome: reported, not used to choose tests."""
    rows = [
        (
            data.title(a.outcome, a.scoring, a.period),
            normality_text(a.assumptions.normality),
            spread_text(a.assumptions),
        )
        for a in analyses
    ]
    return [
        table(
            ("outcome", "Shapiro-Wilk per arm", "Brown-Forsythe"),
            rows,
            "Assumption checks (reported, not used to choose tests)",
        )
    ]


def normality_text(checks: Sequence[NormalityCheck]) -> str:
    """Shapiro-Wilk of each group: "group: W = .., p = .." (or why it could not run), joined."""
    return "; ".join(
        f"{check.group}: {check.note}"
        if check.note
        else f"{check.group}: W = {num(check.w, 3)}, p = {pvalue(check.p)}"
        for check in checks
    )


def spread_text(checks: AssumptionChecks) -> str:
    """Brown-Forsythe's W and p across the groups, or why it could not run."""
    return checks.levene_note or f"W = {num(checks.levene_statistic, 3)}, p = {pvalue(checks.levene_p)}"


def method_lines(data: ReportData, analysis: StudyAnalysis) -> tuple[str, ...]:
    """Each method text once, after the outcomes it was used for ("Every outcome" when used for all)."""
    used: dict[str, dict[str, None]] = {}
    for result in analysis.outcomes:
        for text in result.methods:
            used.setdefault(text, {})[data.title(result.outcome, result.scoring, result.period)] = None
    every = {data.title(r.outcome, r.scoring, r.period): None for r in analysis.outcomes}
    for repeated in analysis.repeated:
        title = f"{data.title(repeated.outcome, repeated.scoring)} over periods"
        used.setdefault(repeated.model.method, {})[title] = None
    return tuple(
        f"{'Every outcome' if titles == every and len(every) > 1 else '; '.join(titles)}: {text}"
        for text, titles in used.items()
    )


def primary_statement(data: ReportData, ordered: Sequence[OutcomeAnalysis]) -> list[Block]:
    """Each arm against the reference on the declared primary outcome and method, one sentence each."""
    if data.primary is None:
        return [Paragraph(NO_PRIMARY)]
    lines = []
    for result in ordered:
        if not data.is_primary(result.outcome, result.scoring):
            continue
        title = data.title(result.outcome, result.scoring, result.period)
        lines += [comparison_line(title, result.unit, c) for c in result.comparisons]
    if not lines:
        declared = data.title(data.primary.outcome, data.primary.method)
        return [Paragraph(f"The declared primary outcome, {declared}, has no result.")]
    return [Paragraph("Primary outcome, as declared."), Bullets(tuple(lines))]


def comparison_line(title: str, unit: str, c: TwoArmComparison) -> str:
    """One arm minus the reference: n, mean difference and Hedges' g with their CIs, Welch's p."""
    return (
        f"{title}: {c.arm} minus {c.reference} (n = {c.n_arm} and {c.n_reference}) = "
        f"{num(c.mean_difference)} {unit} (95% CI {interval(*c.mean_difference_ci)}), Hedges' g = "
        f"{num(c.hedges_g)} (95% CI {interval(*c.hedges_g_ci)}), Welch p = {pvalue(c.welch_p)}."
    )


def outcome_result(data: ReportData, result: OutcomeAnalysis) -> list[Block]:
    """One outcome: each arm's summary, the omnibus tests, each arm against the reference, notes."""
    unit = f" ({result.unit})" if result.unit else ""
    summary_rows = [
        (s.group, s.n, num(s.mean), num(s.sd), num(s.sem), num(s.median), f"{num(s.q1)}-{num(s.q3)}")
        for s in result.summaries
    ]
    per = "cage means" if result.experimental_unit == "cage" else "animals"
    blocks: list[Block] = [
        Heading(3, data.title(result.outcome, result.scoring, result.period) + unit),
        table(("arm", "n", "mean", "SD", "SEM", "median", "IQR"), summary_rows, f"Per arm ({per})"),
    ]
    if result.multi_arm is not None:
        blocks.append(_omnibus(result.multi_arm))
    if result.comparisons:
        blocks.append(_comparisons(result))
    if result.two_way is not None:
        blocks += anova_table(result.two_way)
    notes = [*result.notes, *(note for c in result.comparisons for note in c.notes)]
    if notes:
        blocks.append(Bullets(tuple(notes)))
    return blocks


def _omnibus(m: MultiArmComparison) -> Paragraph:
    """The one-way, Welch and Kruskal-Wallis tests over all arms."""
    return Paragraph(
        f"All arms: one-way ANOVA F({num(m.anova_df[0])}, {num(m.anova_df[1])}) = {num(m.anova_f)}, "
        f"p = {pvalue(m.anova_p)}; Welch's ANOVA F({num(m.welch_df[0])}, {num(m.welch_df[1])}) = "
        f"{num(m.welch_f)}, p = {pvalue(m.welch_p)}; "
        f"Kruskal-Wallis H({m.kruskal_df}) = {num(m.kruskal_h)}, "
        f"p = {pvalue(m.kruskal_p)}."
    )


def _comparisons(result: OutcomeAnalysis) -> Table:
    """Each arm minus the reference arm, with Holm-adjusted p-values when there are more than two arms."""
    multi = result.multi_arm
    holm = {} if multi is None else {pair.comparison.arm: pair for pair in multi.versus_reference}
    header = ["comparison", "mean difference (95% CI)", "Welch t (df)", "Welch p"]
    header += ["Welch p (Holm)"] if holm else []
    header += ["Mann-Whitney U", "M-W p"] + (["M-W p (Holm)"] if holm else []) + ["Hedges' g (95% CI)"]
    rows: list[list[str]] = []
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
    return table(header, rows, "Each arm minus the reference arm")


def anova_table(anova: TwoWayAnova) -> list[Block]:
    """The two-way ANOVA arm x sex, or why it was not fitted."""
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


def mixed_result(data: ReportData, repeated: RepeatedOutcome) -> list[Block]:
    """The mixed model of an outcome over periods: fixed effects and the arm x period test."""
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
    if model.design_tests:
        tests = [(t.term, num(t.statistic), f"{t.df[0]:g}", pvalue(t.p)) for t in model.design_tests]
        stated = f"cohorts {', '.join(model.cohorts)} as an additive fixed block" if model.cohorts else ""
        levels = f"levels {', '.join(model.factor_levels)}" if model.factor_levels else ""
        caption = "; ".join(part for part in ("Wald tests", levels, stated) if part)
        blocks.append(table(("term", "Wald chi-square", "df", "p"), tests, caption))
    return blocks

"""The pre-declared primary analysis as report blocks, and what makes every other result exploratory.

With a protocol, its primary analysis (:mod:`behavlab.report.primary`) comes first and is the only result
called primary; without one, or when the randomization waived it, the report says so and every result is
exploratory.
"""

from __future__ import annotations

from analysis.block_contrasts import BlockContrast, BlockContrasts
from analysis.blocks import CohortAnalysis
from analysis.comparisons import TwoArmComparison
from analysis.factorial import FactorialAnalysis
from analysis.multiarm import ArmsAnalysis, OmnibusTest, TrendTest
from analysis.outcomes import RepeatedOutcome
from behavlab.report.blocks import Block, Bullets, Heading, Paragraph, table
from behavlab.report.data import ReportData
from behavlab.report.formats import interval, num, pvalue
from behavlab.report.group_results import comparison_line, mixed_result, normality_text, spread_text
from behavlab.report.primary import PrimaryAnalysis

NO_PLAN = (
    "No protocol plan was declared before the randomization, so no analysis was pre-specified: every result "
    "below is exploratory."
)
WAIVED = (
    "The randomization was run without a protocol (waived, as its record says), so no analysis was "
    "pre-specified: every result below is exploratory."
)
OTHERS_EXPLORATORY = "Every result below other than the pre-declared primary analysis is exploratory."
ARMS_TEST_NAMES = {
    "welch_anova": "Welch's ANOVA",
    "dunnett": "Dunnett's comparisons with the reference",
    "trend": "the linear trend contrast",
    "kruskal_wallis": "Kruskal-Wallis",
}


def primary_blocks(data: ReportData, primary: PrimaryAnalysis | None) -> list[Block]:
    """The primary analysis as declared and its result, or why every result is exploratory."""
    protocol = data.protocol
    if protocol is None or primary is None:
        return [Paragraph(WAIVED if data.protocol_waived else NO_PLAN)]
    plan = protocol.plan
    title = data.title(primary.outcome, primary.method)
    blocks: list[Block] = [
        Heading(3, "Primary analysis, pre-declared in the protocol"),
        Paragraph(
            f"As declared in protocol version {protocol.version}: {title}, by {primary.stated}; "
            f"alpha = {num(plan.alpha)}."
        ),
    ]
    if primary.absent_arms:
        absent = ", ".join(primary.absent_arms)
        blocks.append(Paragraph(f"Arms without a primary value, left out of the primary analysis: {absent}."))
    result = primary.result
    if result is None:
        blocks.append(Paragraph(f"The primary analysis has no result: {primary.note}."))
    elif isinstance(result, TwoArmComparison):
        unit = data.definition(primary.outcome).unit
        blocks.append(Bullets((comparison_line(title, unit, result),)))
    elif isinstance(result, ArmsAnalysis):
        blocks += arms_blocks(result)
    elif isinstance(result, FactorialAnalysis):
        blocks += factorial_blocks(result)
    elif isinstance(result, CohortAnalysis):
        blocks += cohort_blocks(result)
    elif isinstance(result, BlockContrasts):
        blocks += block_contrast_blocks(result)
    elif isinstance(result, RepeatedOutcome):
        blocks += mixed_result(data, result)
    return [*blocks, Paragraph(OTHERS_EXPLORATORY)]


def _trend_paragraph(
    title: str,
    coefficients: tuple[tuple[str, float], ...],
    trend: TrendTest | BlockContrast,
    ci_label: str,
) -> Paragraph:
    """The dose trend's sentence: its coefficients, the contrast with its CI, t and p."""
    weights = ", ".join(f"{arm} {num(c)}" for arm, c in coefficients)
    return Paragraph(
        f"{title} (coefficients {weights}): contrast = {num(trend.estimate)} ({ci_label} "
        f"{interval(*trend.ci)}), t({num(trend.df, 3)}) = {num(trend.t)}, p = {pvalue(trend.p)}."
    )


def _omnibus(test: OmnibusTest) -> str:
    df = num(test.df[0]) if test.df[1] != test.df[1] else f"{num(test.df[0])}, {num(test.df[1])}"
    return f"{test.name}({df}) = {num(test.statistic)}, p = {pvalue(test.p)}"


def arms_blocks(result: ArmsAnalysis) -> list[Block]:
    """The k-arm tests: the primary one named, Dunnett's table, the trend, the omnibus tests and checks."""
    level = f"{result.confidence * 100:g}%"
    rows = [
        (
            f"{d.arm} - {d.reference}",
            f"{d.n_arm} / {d.n_reference}",
            f"{num(d.mean_difference)} ({interval(*d.mean_difference_ci)})",
            num(d.statistic),
            pvalue(d.p),
            f"{num(d.hedges_g)} ({interval(*d.hedges_g_ci)})",
        )
        for d in result.dunnett
    ]
    header = ("comparison", "n", f"mean difference (simultaneous {level} CI)", "t", "Dunnett p", "Hedges' g")
    blocks: list[Block] = [
        Paragraph(f"Primary test: {ARMS_TEST_NAMES[result.primary]}; the other tests are secondary."),
        table(header, rows, f"Dunnett's comparisons of each arm with {result.reference}"),
        Paragraph(f"{_omnibus(result.welch_anova)}; {_omnibus(result.kruskal_wallis)}."),
    ]
    if result.trend is not None:
        blocks.append(
            _trend_paragraph(
                "Linear trend over the doses", result.trend.coefficients, result.trend, f"{level} CI"
            )
        )
    checks = result.assumptions
    blocks.append(
        Paragraph(
            f"Assumption checks (reported, not used to choose the test): Shapiro-Wilk per arm "
            f"{normality_text(checks.per_arm.normality)}; {normality_text((checks.residuals,))}; "
            f"Brown-Forsythe {spread_text(checks.per_arm)}."
        )
    )
    return [*blocks, *([Bullets(result.notes)] if result.notes else [])]


def factorial_blocks(result: FactorialAnalysis) -> list[Block]:
    """The arm x factor ANOVA with partial eta squared, the simple effects, the cells and the checks."""
    cells = ", ".join(f"{arm} / {level}: {n}" for arm, level, n in result.cells)
    if result.note:
        return [Paragraph(f"Two-way ANOVA arm x {result.factor} not fitted: {result.note} (cells: {cells}).")]
    typ = "II" if result.sums_of_squares == 2 else "III"
    rows = [
        (r.term, num(r.sum_sq), num(r.df), num(r.f), pvalue(r.p), num(r.partial_eta_squared, 3))
        for r in result.rows
    ]
    effects = [
        (
            e.factor_level,
            f"{e.arm} - {e.reference}",
            f"{num(e.estimate)} ({interval(*e.ci)})",
            f"{num(e.t)} ({num(e.df)})",
            pvalue(e.p),
        )
        for e in result.simple_effects
    ]
    return [
        table(
            ("term", "sum of squares", "df", "F", "p", "partial eta squared"),
            rows,
            f"Two-way ANOVA arm x {result.factor}, Type {typ} (cells: {cells})",
        ),
        table(
            (result.factor, "comparison", "difference (95% CI)", "t (df)", "p"),
            effects,
            f"Simple effects of each arm within each {result.factor} level",
        ),
        Paragraph(
            "Assumption checks (reported only): Shapiro-Wilk per cell "
            f"{normality_text(result.assumptions.normality)}; "
            f"{normality_text((result.residuals,))}; Brown-Forsythe "
            f"{spread_text(result.assumptions)}."
        ),
    ]


def cohort_blocks(result: CohortAnalysis) -> list[Block]:
    """The arm effects pooled over cohorts, the term tests and the residuals' check."""
    if result.note:
        return [Paragraph(f"Cohort model not fitted: {result.note}.")]
    tests = [(t.term, t.test, num(t.statistic), interval(*t.df), pvalue(t.p)) for t in result.tests]
    effects = [
        (
            f"{e.arm} - {e.reference}",
            num(e.estimate),
            num(e.se),
            num(e.statistic),
            pvalue(e.p),
            interval(*e.ci),
        )
        for e in result.arm_effects
    ]
    return [
        table(("term", "test", "statistic", "df", "p"), tests, f"Cohorts {', '.join(result.cohorts)}"),
        table(
            ("comparison", "estimate", "SE", "t", "p", "95% CI"), effects, "Arm effects adjusted for cohort"
        ),
        Paragraph(f"Residuals (reported only): {normality_text((result.residuals,))}."),
    ]


def block_contrast_blocks(result: BlockContrasts) -> list[Block]:
    """The declared contrasts on the cohort block model: each arm with the reference, the trend, the check."""
    if result.note:
        return [Paragraph(f"Cohort block model not fitted: {result.note}.")]
    rows = [
        (c.name, num(c.estimate), num(c.se), f"{num(c.t)} ({num(c.df)})", pvalue(c.p), pvalue(c.p_adjusted),
         interval(*c.ci))
        for c in result.comparisons
    ]  # fmt: skip
    primary = (
        "the linear trend contrast" if result.primary == "trend" else "the comparisons with the reference"
    )
    blocks: list[Block] = [
        Paragraph(f"Primary test: {primary}, with the cohort as a fixed block; the others are secondary."),
        table(
            (
                "comparison",
                "estimate",
                "SE",
                "t (df)",
                "p",
                f"{result.adjustment.title()} p",
                "simultaneous CI",
            ),
            rows,
            f"Each arm with {result.reference}, cohorts {', '.join(result.cohorts)} as a fixed block",
        ),
    ]
    if result.trend is not None:
        blocks.append(
            _trend_paragraph(
                "Linear trend over the doses, adjusted for cohort",
                result.trend_coefficients,
                result.trend,
                "CI",
            )
        )
    blocks.append(Paragraph(f"Method: {result.method}"))
    return [*blocks, Paragraph(f"Residuals (reported only): {normality_text((result.residuals,))}.")]

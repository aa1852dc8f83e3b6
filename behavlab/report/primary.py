"""The pre-declared primary analysis: the protocol's primary outcome, scoring method and test, as declared.

The design decides the model, never the data: two arms, Welch's t (as every two-arm report); k arms,
:func:`analysis.multiarm.analyse_arms` with the declared test named primary (with trend scores, the arms'
doses, when the plan declares a dose trend); a non-randomized factor,
:func:`analysis.factorial.factorial_anova` (the interaction and the drug's simple effects); cohorts, the
cohort as an additive fixed block: in the factorial model, the declared k-arm contrasts on the block model
(:func:`analysis.block_contrasts.block_contrasts`, Holm-adjusted as stated), or two arms'
:func:`analysis.blocks.cohort_analysis`; repeated periods, the mixed model. The text says what ran.
A k-arm test (and its dose trend) runs over the arms with a primary value; the arms without one (all
excluded or unscored) are named in the result.
Everything else the report shows is exploratory. Nothing here runs while the report is blind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.block_contrasts import BlockContrasts, BlockPrimary, block_contrasts
from analysis.blocks import CohortAnalysis, cohort_analysis
from analysis.comparisons import TwoArmComparison, compare_two_arms
from analysis.errors import AnalysisError
from analysis.factorial import FactorialAnalysis, factorial_anova
from analysis.multiarm import ArmsAnalysis, analyse_arms
from analysis.outcomes import RepeatedOutcome, StudyAnalysis, cage_means
from analysis.plan import (
    DOSE_TREND,
    MIXED_MODEL,
    TREND_CONTRAST,
    TWO_WAY_ANOVA,
    WELCH_ANOVA_DUNNETT,
    WELCH_T,
    ProtocolPlan,
)
from behavlab.report.data import ReportData

#: The k-arm analysis's primary test (`analysis.multiarm.PRIMARY_TESTS`) for each k-arm test a plan names.
PLAN_TEST_PRIMARY: Mapping[str, BlockPrimary] = {WELCH_ANOVA_DUNNETT: "dunnett", TREND_CONTRAST: "trend"}
#: How each plan test is run, as the report states it.
PLAN_TEST_TEXT = {
    WELCH_T: "Welch's t-test of the two arms",
    WELCH_ANOVA_DUNNETT: "Dunnett's comparisons of each arm with the reference (Welch's ANOVA beside them)",
    TREND_CONTRAST: "the linear trend contrast over the arms' doses",
    TWO_WAY_ANOVA: "two-way ANOVA arm x factor, the interaction first, with the drug's simple effects",
    MIXED_MODEL: "the mixed model of the outcome over its periods",
}
COHORT_BLOCK_STATED = "cohorts pooled with the cohort as an additive fixed block"
#: How each plan test runs when cohorts are pooled with the cohort as a fixed block, as the report says.
COHORT_BLOCK_TEXT = {
    WELCH_T: (
        "the t test of the arm in OLS value ~ arm + cohort (pooled residual variance, not Welch's t), "
        f"{COHORT_BLOCK_STATED}"
    ),
    WELCH_ANOVA_DUNNETT: (
        "the declared comparisons of each arm with the reference, by t in OLS value ~ arm + cohort, "
        f"{COHORT_BLOCK_STATED}, adjusted by Holm's method (Dunnett's adjustment is not available on a "
        "model; Welch's ANOVA is not run)"
    ),
    TREND_CONTRAST: (
        "the linear trend contrast over the arms' doses, by t in OLS value ~ arm + cohort, "
        f"{COHORT_BLOCK_STATED} (each arm with the reference beside it, Holm-adjusted)"
    ),
    TWO_WAY_ANOVA: f"{PLAN_TEST_TEXT[TWO_WAY_ANOVA]}, {COHORT_BLOCK_STATED}",
}
PrimaryResult = (
    TwoArmComparison | ArmsAnalysis | FactorialAnalysis | CohortAnalysis | BlockContrasts | RepeatedOutcome
)


@dataclass(frozen=True)
class PrimaryAnalysis:
    """The declared primary analysis: what it tested, how, and its result (None: the reason in ``note``).

    ``absent_arms``: the study's arms without a primary value, left out of a k-arm test and its trend.
    """

    outcome: str
    method: str | None
    test: str
    cohort_block: bool
    result: PrimaryResult | None
    note: str = ""
    absent_arms: tuple[str, ...] = ()

    @property
    def stated(self) -> str:
        """The declared test as run: with cohorts, on the cohort block model, saying how."""
        return COHORT_BLOCK_TEXT[self.test] if self.cohort_block else PLAN_TEST_TEXT[self.test]


def primary_units(data: ReportData, plan: ProtocolPlan) -> pd.DataFrame:
    """One row per experimental unit of the declared primary outcome and method (cage means if cages).

    Columns ``code``, ``arm``, ``sex``, ``cage``, ``value``, ``factor_level`` and ``cohort`` (None when none).
    """
    rows = data.analysed_outcomes
    method = rows["method"]
    chosen = (rows["outcome"] == plan.primary_outcome) & (
        method.isna() if plan.primary_method is None else method == plan.primary_method
    )
    units = data.with_roster_columns(rows.loc[chosen & rows["value"].notna()])
    return cage_means(units) if data.cage_is_unit else units


def primary_analysis(data: ReportData, analysis: StudyAnalysis) -> PrimaryAnalysis | None:
    """The protocol's analysis of its primary outcome; None while blind, without a plan, or when waived."""
    protocol = data.protocol
    if data.blinded or protocol is None or data.protocol_waived or data.reference_arm is None:
        return None
    plan = protocol.plan
    if plan.test == MIXED_MODEL:
        key = (plan.primary_outcome, plan.primary_method)
        repeated = next((r for r in analysis.repeated if (r.outcome, r.scoring) == key), None)
        note = "" if repeated else "the primary outcome was not measured over two or more periods"
        return PrimaryAnalysis(*key, plan.test, False, repeated, note)
    units = primary_units(data, plan)
    measured = set(units["arm"].astype(str))
    present = tuple(arm for arm in data.arm_names if arm in measured)
    absent = tuple(arm for arm in data.arm_names if arm not in measured)
    cohort_block = units["cohort"].nunique() > 1
    declared = (plan.primary_outcome, plan.primary_method, plan.test, cohort_block)
    repeated_units = sorted(set(units.loc[units["code"].duplicated(), "code"].astype(str)))
    if repeated_units:
        return PrimaryAnalysis(*declared, None, f"more than one value for {repeated_units}", absent)
    try:
        return PrimaryAnalysis(*declared, _fit(data, plan, units, present, cohort_block), absent_arms=absent)
    except AnalysisError as error:
        return PrimaryAnalysis(*declared, None, str(error), absent)


def _fit(
    data: ReportData, plan: ProtocolPlan, units: pd.DataFrame, present: tuple[str, ...], cohort_block: bool
) -> PrimaryResult:
    """The declared test on the primary units, the cohort as a fixed block when there are cohorts.

    ``present``: the arms with a primary value, reference first; a k-arm test and its trend use only them.
    """
    reference = str(data.reference_arm)
    if plan.test == TWO_WAY_ANOVA:
        return factorial_anova(
            units, reference, factor=data.factor_name or "factor", cohort_block=cohort_block
        )
    if cohort_block and plan.test == WELCH_T:
        return cohort_analysis(units, reference, cohort_as="block")
    declared_trend = plan.test == TREND_CONTRAST or DOSE_TREND in plan.comparisons
    doses = {arm.name: arm.dose_mg_per_kg for arm in data.arms if arm.name in present}
    if cohort_block:
        return block_contrasts(
            units,
            reference,
            primary=PLAN_TEST_PRIMARY[plan.test],
            trend_scores=doses if declared_trend else None,
        )
    groups = {arm: units.loc[units["arm"] == arm, "value"].to_numpy(float) for arm in data.arm_names}
    if plan.test == WELCH_T:
        other = next(arm for arm in data.arm_names if arm != reference)
        return compare_two_arms(other, groups[other], reference, groups[reference])
    return analyse_arms(
        {arm: groups[arm] for arm in present},
        reference,
        primary=PLAN_TEST_PRIMARY[plan.test],
        trend_scores=doses if declared_trend else None,
    )

"""A study's analysis plan, fixed before randomization: what is measured, how it is tested, how many animals.

The plan holds the primary outcome and its scoring method, the secondary outcomes, the comparisons of
interest, the test, alpha, the smallest effect of interest (Cohen's d), the power, the sample size computed
from them by :func:`analysis.power.sample_size` (its inputs recorded), the planned n per arm (which may
differ from the computed one), the inclusion and exclusion criteria and outlier rules, and the test time
after dosing.

Every problem of a stated plan is reported at once (:class:`PlanError`), each naming the field and what it
accepts. A plan's canonical JSON (keys sorted, no spaces, UTF-8) and its SHA-256 do not depend on the order in
which its fields were given, so the hash names the plan.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from analysis.errors import AnalysisError
from analysis.power import MINIMUM_N_PER_ARM, SampleSize, input_problems, sample_size

#: The tests the analysis runs, by name.
WELCH_T = "welch-t"
WELCH_ANOVA_DUNNETT = "welch-anova+dunnett"
TREND_CONTRAST = "trend-contrast"
TWO_WAY_ANOVA = "two-way-anova"
MIXED_MODEL = "mixed-model"
TESTS = (WELCH_T, WELCH_ANOVA_DUNNETT, TREND_CONTRAST, TWO_WAY_ANOVA, MIXED_MODEL)
#: The comparisons a plan may name as of interest.
EACH_VS_REFERENCE = "each-vs-reference"
DOSE_TREND = "dose-trend"
DRUG_X_FACTOR = "drug-x-factor"
COMPARISONS = (EACH_VS_REFERENCE, DOSE_TREND, DRUG_X_FACTOR)
#: The comparison each test answers, when the plan names none.
TEST_COMPARISON = {
    WELCH_T: EACH_VS_REFERENCE,
    WELCH_ANOVA_DUNNETT: EACH_VS_REFERENCE,
    TREND_CONTRAST: DOSE_TREND,
    TWO_WAY_ANOVA: DRUG_X_FACTOR,
    MIXED_MODEL: EACH_VS_REFERENCE,
}
#: How a plan names each input of `analysis.power.sample_size` in its problems.
SIZING_FIELDS = {
    "smallest_effect_d": "smallest effect d",
    "n_arms": "arms",
    "alpha": "alpha",
    "power": "power",
}
MAX_CRITERIA_CHARS = 2000
MAX_TEST_HOURS = 24 * 14.0
PLAN_SCHEMA = 1


@dataclass(frozen=True)
class PlanDesign:
    """What the study fixes: arms, whether it has a factor, the outcomes and methods it knows, its test time.

    `outcomes` maps each known outcome to whether a scoring method measures it.
    """

    n_arms: int
    has_factor: bool
    outcomes: Mapping[str, bool]
    methods: Sequence[str]
    test_hours_post_dose: float


@dataclass(frozen=True)
class ProtocolPlan:
    """The whole plan; an empty `test` or `comparisons`, or no test time, mean the design's (`make_plan`)."""

    primary_outcome: str
    primary_method: str | None
    smallest_effect_d: float
    test_hours_post_dose: float | None = None
    secondary_outcomes: tuple[str, ...] = ()
    comparisons: tuple[str, ...] = ()
    test: str = ""
    alpha: float = 0.05
    power: float = 0.8
    planned_n_per_arm: int | None = None
    inclusion_criteria: str = ""
    exclusion_criteria: str = ""
    outlier_rules: str = ""
    n_arms: int = 2
    sample_size: SampleSize | None = None


class PlanError(AnalysisError):
    """A plan refused: every problem, each naming its field and what the field accepts."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"protocol plan refused ({len(self.problems)} {noun}):", *(f"  {p}" for p in self.problems)]
        super().__init__("\n".join(lines))


def default_test(design: PlanDesign) -> str:
    """The test a design is analysed by unless the plan names another."""
    if design.has_factor:
        return TWO_WAY_ANOVA
    return WELCH_T if design.n_arms == 2 else WELCH_ANOVA_DUNNETT


def make_plan(plan: ProtocolPlan, design: PlanDesign) -> ProtocolPlan:
    """The plan with its defaults filled in and its sample size computed; PlanError lists every problem."""
    test = plan.test or default_test(design)
    filled = replace(
        plan,
        test=test,
        comparisons=plan.comparisons or (TEST_COMPARISON.get(test, EACH_VS_REFERENCE),),
        n_arms=design.n_arms,
        test_hours_post_dose=(
            design.test_hours_post_dose if plan.test_hours_post_dose is None else plan.test_hours_post_dose
        ),
    )
    problems = plan_problems(filled, design)
    if problems:
        raise PlanError(problems)
    computed = sample_size(
        filled.smallest_effect_d, n_arms=design.n_arms, alpha=filled.alpha, power=filled.power
    )
    return replace(
        filled,
        sample_size=computed,
        planned_n_per_arm=filled.planned_n_per_arm or computed.n_per_arm,
    )


def plan_problems(plan: ProtocolPlan, design: PlanDesign) -> list[str]:
    """Every problem of a plan for this design, each as 'field: value issue; accepted: ...'."""
    return [
        *_outcome_problems(plan, design),
        *_test_problems(plan, design),
        *_number_problems(plan),
        *_text_problems(plan),
    ]


def _outcome_problems(plan: ProtocolPlan, design: PlanDesign) -> list[str]:
    known = ", ".join(design.outcomes)
    problems = []
    if plan.primary_outcome not in design.outcomes:
        problems.append(f"primary outcome: {plan.primary_outcome!r} not known; accepted: {known}")
    elif design.outcomes[plan.primary_outcome] and plan.primary_method not in design.methods:
        problems.append(
            f"primary method: {plan.primary_method!r} does not score {plan.primary_outcome}; "
            f"accepted: {', '.join(design.methods)}"
        )
    elif not design.outcomes[plan.primary_outcome] and plan.primary_method is not None:
        problems.append(
            f"primary method: {plan.primary_method!r}, but {plan.primary_outcome} is not scored by a method; "
            "accepted: none"
        )
    for outcome in plan.secondary_outcomes:
        if outcome not in design.outcomes or outcome == plan.primary_outcome:
            problems.append(
                f"secondary outcome: {outcome!r} is not a known outcome other than the primary; "
                f"accepted: {known}"
            )
    return problems


def _test_problems(plan: ProtocolPlan, design: PlanDesign) -> list[str]:
    problems = []
    if plan.test not in TESTS:
        problems.append(f"test: {plan.test!r} not known; accepted: {', '.join(TESTS)}")
    elif plan.test == WELCH_T and design.n_arms != 2:
        problems.append(
            f"test: welch-t compares two arms, the study has {design.n_arms}; accepted: "
            f"{WELCH_ANOVA_DUNNETT}, {TREND_CONTRAST}"
        )
    elif plan.test in (WELCH_ANOVA_DUNNETT, TREND_CONTRAST) and design.n_arms < 3:
        problems.append(f"test: {plan.test} needs three or more arms, the study has 2; accepted: {WELCH_T}")
    elif plan.test == TWO_WAY_ANOVA and not design.has_factor:
        problems.append(
            f"test: {TWO_WAY_ANOVA} needs the study's factor, it has none; accepted: {default_test(design)}"
        )
    for comparison in plan.comparisons:
        if comparison not in COMPARISONS:
            problems.append(f"comparison: {comparison!r} not known; accepted: {', '.join(COMPARISONS)}")
        elif comparison == DRUG_X_FACTOR and not design.has_factor:
            problems.append(
                f"comparison: {DRUG_X_FACTOR} needs the study's factor; accepted: "
                f"{EACH_VS_REFERENCE}, {DOSE_TREND}"
            )
        elif comparison == DOSE_TREND and design.n_arms < 3:
            problems.append(
                f"comparison: {DOSE_TREND} needs three or more ordered arms; accepted: {EACH_VS_REFERENCE}"
            )
    return problems


def _number_problems(plan: ProtocolPlan) -> list[str]:
    sizing = input_problems(plan.smallest_effect_d, plan.n_arms, plan.alpha, plan.power)
    problems = [f"{SIZING_FIELDS[name]}: {problem}" for name, problem in sizing.items()]
    if plan.planned_n_per_arm is not None and plan.planned_n_per_arm < MINIMUM_N_PER_ARM:
        problems.append(
            f"planned n per arm: {plan.planned_n_per_arm}; accepted: a whole number >= {MINIMUM_N_PER_ARM}"
        )
    hours = plan.test_hours_post_dose
    if hours is not None and not (math.isfinite(hours) and 0 <= hours <= MAX_TEST_HOURS):
        problems.append(f"test hours after dosing: {hours:g}; accepted: 0 to {MAX_TEST_HOURS:g}")
    return problems


def _text_problems(plan: ProtocolPlan) -> list[str]:
    texts = {
        "inclusion criteria": plan.inclusion_criteria,
        "exclusion criteria": plan.exclusion_criteria,
        "outlier rules": plan.outlier_rules,
    }
    return [
        f"{name}: {len(text)} characters; accepted: at most {MAX_CRITERIA_CHARS}"
        for name, text in texts.items()
        if len(text) > MAX_CRITERIA_CHARS
    ]


def canonical_json(plan: ProtocolPlan) -> str:
    """The plan as JSON with sorted keys and no spaces: the same plan always gives the same text."""
    document = {"schema": PLAN_SCHEMA, **asdict(plan)}
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def plan_sha256(canonical: str) -> str:
    """The SHA-256 (hex) of a plan's canonical JSON text."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def plan_from_json(text: str) -> ProtocolPlan:
    """The plan stored as canonical JSON."""
    document = json.loads(text)
    document.pop("schema", None)
    size = document.pop("sample_size", None)
    return ProtocolPlan(
        **{
            **document,
            "secondary_outcomes": tuple(document.get("secondary_outcomes", ())),
            "comparisons": tuple(document.get("comparisons", ())),
        },
        sample_size=None if size is None else SampleSize(**size),
    )

"""What a study's protocol plan may name (its outcomes and methods) and the design it is checked against.

The plan itself, its checks and its hash are the pure `analysis.plan`; here the study supplies its arms, its
factor, its planned test time and the outcomes and methods the application knows, and a refused plan becomes
one InvalidInputError listing every problem.
"""

from dataclasses import replace

from sqlmodel import Session

from analysis.plan import PlanDesign, PlanError, ProtocolPlan, make_plan
from behavlab.errors import InvalidInputError
from behavlab.models import Study
from behavlab.report.measures import IMMOBILITY_OUTCOME, LATENCY_OUTCOME, OUTCOME_UNITS, SPT_OUTCOME
from behavlab.services.lookup import study_arms
from behavlab.services.scoring_methods import PRIMARY_METHODS

#: Outcomes measured by a scoring method (the others, sucrose preference, have none).
SCORED_OUTCOMES = (IMMOBILITY_OUTCOME, LATENCY_OUTCOME)
PRIMARY_OUTCOMES = tuple(OUTCOME_UNITS)
#: Short names an outcome may be given by.
OUTCOME_ALIASES = {"immobility": IMMOBILITY_OUTCOME, "latency": LATENCY_OUTCOME, "preference": SPT_OUTCOME}


def outcome_name(text: str) -> str:
    """An outcome's stored name, from it or its short name (immobility, latency, preference)."""
    text = text.strip()
    return OUTCOME_ALIASES.get(text, text)


def study_design(session: Session, study: Study) -> PlanDesign:
    """What the study fixes for its plan: arms, factor, planned test time, known outcomes and methods."""
    return PlanDesign(
        n_arms=len(study_arms(session, study)),
        has_factor=study.factor_name is not None,
        outcomes={name: name in SCORED_OUTCOMES for name in OUTCOME_UNITS},
        methods=PRIMARY_METHODS,
        test_hours_post_dose=study.test_hours_post_dose,
    )


def checked_plan(session: Session, study: Study, plan: ProtocolPlan) -> ProtocolPlan:
    """The plan completed for the study (defaults, computed sample size); every problem in one refusal."""
    named = replace(
        plan,
        primary_outcome=outcome_name(plan.primary_outcome),
        secondary_outcomes=tuple(outcome_name(name) for name in plan.secondary_outcomes),
    )
    try:
        return make_plan(named, study_design(session, study))
    except PlanError as exc:
        raise InvalidInputError(f"study {study.name!r}: {exc}") from exc

"""A study's current roster as the pure libraries see it: one cohorts RosterEntry per animal.

Also what the roster is made of that other views share: each animal's current cage, its first and latest live
weight (as subqueries by animal) and which animals are excluded.
"""

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ScalarSelect
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from behavlab.models import Animal, CageAssignment, Cohort, Exclusion, Study, Weight
from behavlab.services.voiding import not_voided
from cohorts.roster import RosterEntry


def current_roster(session: Session, study: Study, include_excluded: bool = False) -> list[RosterEntry]:
    """Animals in ID order with their current cage, baseline (first) weight, factor level and cohort.

    Excluded animals are left out unless `include_excluded`.
    """
    animals = session.exec(
        select(Animal).where(Animal.study_id == study.id).order_by(col(Animal.label))
    ).all()
    cages = current_cages(session, study)
    first_weights = session.connection().execute(
        select_columns(col(Animal.id), live_weight(col(Weight.weight_g), latest=False)).where(
            col(Animal.study_id) == study.id
        )
    )
    baseline = {animal_id: weight_g for animal_id, weight_g in first_weights if weight_g is not None}
    excluded = set() if include_excluded else excluded_animals(session, study)
    cohorts = dict(session.exec(select(Cohort.id, Cohort.name).where(Cohort.study_id == study.id)).all())
    return [
        RosterEntry(
            animal_id=animal.label,
            sex=animal.sex,
            strain=animal.strain,
            dob=animal.date_of_birth,
            cage=cages[animal.id],
            ear_tag=animal.ear_tag,
            weight_g=baseline.get(animal.id),
            source=animal.source,
            notes=animal.notes,
            factor_level=animal.factor_level,
            cohort=None if animal.cohort_id is None else cohorts[animal.cohort_id],
        )
        for animal in animals
        if animal.id not in excluded and animal.id is not None
    ]


def current_cages(session: Session, study: Study) -> dict[int, str]:
    """The current cage of each of the study's animals, by animal id: its latest assignment.

    Latest by time, then entry order; one query selecting columns only, so 100,000 animals list fast.
    """
    rows = session.connection().execute(
        select_columns(col(Animal.id), current_cage()).where(col(Animal.study_id) == study.id)
    )
    stored = cast(Sequence[tuple[int, str | None]], rows.all())  # stored rows: every id is set
    return {animal_id: cage for animal_id, cage in stored if cage is not None}


def current_cage() -> ScalarSelect[str]:
    """The animal's current cage: its latest assignment by time, then entry order."""
    return (
        select_columns(col(CageAssignment.cage))
        .where(col(CageAssignment.animal_id) == Animal.id)
        .order_by(col(CageAssignment.since).desc(), col(CageAssignment.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def live_weight(column: Any, latest: bool) -> ScalarSelect[Any]:
    """`column` of the animal's first (baseline) or `latest` live (not voided) weight, in time order."""
    order = (col(Weight.measured_at), col(Weight.id))
    return (
        select_columns(column)
        .where(col(Weight.animal_id) == Animal.id, not_voided("weight", Weight.id))
        .order_by(*(key.desc() for key in order) if latest else order)
        .limit(1)
        .scalar_subquery()
    )


def excluded_animals(session: Session, study: Study) -> set[int]:
    """The ids of the study's animals excluded from the analysis."""
    return set(
        session.exec(
            select(Exclusion.animal_id)
            .join(Animal, col(Animal.id) == Exclusion.animal_id)
            .where(Animal.study_id == study.id)
        )
    )

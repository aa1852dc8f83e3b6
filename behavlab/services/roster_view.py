"""A study's current roster as the pure libraries see it: one cohorts RosterEntry per animal.

Also the two lookups the roster is made of that other views share: each animal's current cage and which
animals are excluded.
"""

from collections.abc import Sequence

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
    ids = [animal.id for animal in animals]
    cages = current_cages(session, ids)
    baseline: dict[int, float] = {}
    for weight in session.exec(
        select(Weight)
        .where(col(Weight.animal_id).in_(ids), not_voided("weight", Weight.id))
        .order_by(col(Weight.measured_at), col(Weight.id))
    ):
        baseline.setdefault(weight.animal_id, weight.weight_g)
    excluded = set() if include_excluded else excluded_animals(session, ids)
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


def current_cages(session: Session, animal_ids: Sequence[int | None]) -> dict[int, str]:
    """Each animal's current cage by animal id: its latest cage assignment (by time, then entry order)."""
    assignments = session.exec(
        select(CageAssignment)
        .where(col(CageAssignment.animal_id).in_(animal_ids))
        .order_by(col(CageAssignment.since), col(CageAssignment.id))
    )
    return {assignment.animal_id: assignment.cage for assignment in assignments}


def excluded_animals(session: Session, animal_ids: Sequence[int | None]) -> set[int]:
    """The ids among `animal_ids` of animals excluded from the analysis."""
    return set(session.exec(select(Exclusion.animal_id).where(col(Exclusion.animal_id).in_(animal_ids))))

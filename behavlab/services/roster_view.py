"""A study's current roster as the pure libraries see it: one cohorts RosterEntry per animal.

Also the two lookups the roster is made of that other views share: each animal's current cage and which
animals are excluded.
"""

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
    baseline: dict[int, float] = {}
    for animal_id, weight_g in session.exec(
        select(Weight.animal_id, Weight.weight_g)
        .join(Animal, col(Animal.id) == Weight.animal_id)
        .where(Animal.study_id == study.id, not_voided("weight", Weight.id))
        .order_by(col(Weight.measured_at), col(Weight.id))
    ):
        baseline.setdefault(animal_id, weight_g)
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
    assignments = session.exec(
        select(CageAssignment.animal_id, CageAssignment.cage)
        .join(Animal, col(Animal.id) == CageAssignment.animal_id)
        .where(Animal.study_id == study.id)
        .order_by(col(CageAssignment.since), col(CageAssignment.id))
    )
    return dict(assignments.all())


def excluded_animals(session: Session, study: Study) -> set[int]:
    """The ids of the study's animals excluded from the analysis."""
    return set(
        session.exec(
            select(Exclusion.animal_id)
            .join(Animal, col(Animal.id) == Exclusion.animal_id)
            .where(Animal.study_id == study.id)
        )
    )

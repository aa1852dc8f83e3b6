"""A study's current roster as the pure libraries see it: one cohorts RosterEntry per animal."""

from sqlmodel import Session, col, select

from behavlab.models import Animal, CageAssignment, Exclusion, Study, Weight
from cohorts.roster import RosterEntry


def current_roster(session: Session, study: Study, include_excluded: bool = False) -> list[RosterEntry]:
    """Animals in ID order with their current cage and baseline (first) weight; excluded ones left out."""
    animals = session.exec(
        select(Animal).where(Animal.study_id == study.id).order_by(col(Animal.label))
    ).all()
    ids = [animal.id for animal in animals]
    cages: dict[int, str] = {}
    for row in session.exec(
        select(CageAssignment)
        .where(col(CageAssignment.animal_id).in_(ids))
        .order_by(col(CageAssignment.since), col(CageAssignment.id))
    ):
        cages[row.animal_id] = row.cage
    baseline: dict[int, float] = {}
    for weight in session.exec(
        select(Weight).where(col(Weight.animal_id).in_(ids)).order_by(col(Weight.measured_at), col(Weight.id))
    ):
        baseline.setdefault(weight.animal_id, weight.weight_g)
    excluded = (
        set()
        if include_excluded
        else set(session.exec(select(Exclusion.animal_id).where(col(Exclusion.animal_id).in_(ids))))
    )
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
        )
        for animal in animals
        if animal.id not in excluded and animal.id is not None
    ]

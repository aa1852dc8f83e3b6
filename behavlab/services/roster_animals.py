"""A study's animals as the bench sees them: each with its blind code (if drawn), current cage and exclusion.

Shared by the dosing sheet (coded animals still in the study) and the labels (cage cards list every animal
in a cage, coded or not, excluded or not).
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from behavlab.models import Allocation, Animal, Study
from behavlab.services.lookup import animal_id_of
from behavlab.services.roster_view import current_cages, excluded_animals


@dataclass(frozen=True)
class RosterAnimal:
    """One animal of the study: its code (None before its cohort is randomized), cage (None: none yet)."""

    animal: Animal
    code: str | None
    cage: str | None
    excluded: bool


def roster_animals(session: Session, study: Study) -> list[RosterAnimal]:
    """Every animal of the study, in lab ID order, with its code, current cage and whether it is excluded."""
    rows = session.exec(
        select(Animal, Allocation.blind_code)
        .outerjoin(
            Allocation, (col(Allocation.animal_id) == Animal.id) & (col(Allocation.study_id) == study.id)
        )
        .where(Animal.study_id == study.id)
        .order_by(col(Animal.label))
    ).all()
    excluded = excluded_animals(session, study)
    cages = current_cages(session, study)
    return [
        RosterAnimal(animal, code, cages.get(animal_id_of(animal)), animal.id in excluded)
        for animal, code in rows
    ]


def coded_in_study(session: Session, study: Study) -> list[tuple[str, RosterAnimal]]:
    """The study's coded animals not excluded, each with its code, in lab ID order."""
    return [
        (entry.code, entry)
        for entry in roster_animals(session, study)
        if entry.code is not None and not entry.excluded
    ]

"""Finding recorded things by the names users type, with errors that say what exists."""

from typing import Protocol

from sqlmodel import Session, col, select

from behavlab.errors import InvalidInputError, NotFoundError
from behavlab.models import Allocation, Animal, Arm, Study
from behavlab.services.library_errors import refused_input
from cohorts.blind_codes import ACCEPTED as CODE_ACCEPTED
from cohorts.blind_codes import BlindCodeError, normalize_code


class _Stored(Protocol):
    id: int | None


def stored_id(row: _Stored) -> int:
    """The primary key of a row that has been flushed to the database."""
    if row.id is None:
        raise ValueError(f"this {type(row).__name__} is not stored yet")
    return row.id


def find_study(session: Session, name: str) -> Study:
    """The study called `name`, or an error listing the studies that exist."""
    study = session.exec(select(Study).where(Study.name == name)).first()
    if study is not None:
        return study
    names = session.exec(select(Study.name).order_by(col(Study.name))).all()
    known = ", ".join(names) if names else "none yet; create one with `behavlab study create NAME`"
    raise NotFoundError(f"no study named {name!r}; studies: {known}")


def study_id_of(study: Study) -> int:
    """The primary key of a stored study."""
    if study.id is None:
        raise ValueError(f"study {study.name!r} is not stored yet")
    return study.id


def find_animal_by_label(session: Session, study: Study, label: str) -> Animal:
    """The animal with this roster ID in the study (ignoring case), or a clear error."""
    animals = session.exec(select(Animal).where(Animal.study_id == study.id)).all()
    for animal in animals:
        if animal.label.casefold() == label.strip().casefold():
            return animal
    raise NotFoundError(f"no animal with ID {label!r} in study {study.name!r}")


def find_animal_by_code(session: Session, study: Study, code: str) -> tuple[Animal, Allocation]:
    """The animal holding this (normalized, checked) blind code in the study, or a clear error."""
    allocation = session.exec(
        select(Allocation).where(Allocation.study_id == study.id, Allocation.blind_code == code)
    ).first()
    if allocation is None:
        raise NotFoundError(f"no animal with blind code {code} in study {study.name!r}")
    animal = session.get(Animal, allocation.animal_id)
    if animal is None:
        raise NotFoundError(f"blind code {code} points to no animal")
    return animal, allocation


def animal_id_of(animal: Animal) -> int:
    """The primary key of a stored animal."""
    if animal.id is None:
        raise ValueError(f"animal {animal.label!r} is not stored yet")
    return animal.id


def checked_code(typed: str) -> str:
    """The blind code a user typed, normalized and checked for typos, or InvalidInputError saying why."""
    with refused_input():
        return normalize_code(typed)


def find_animal_by_typed_code(session: Session, study: Study, typed: str) -> tuple[Animal, Allocation]:
    """The animal whose blind code was typed (checked for typos first); a lab ID typed instead is named so."""
    try:
        return find_animal_by_code(session, study, checked_code(typed))
    except (InvalidInputError, NotFoundError):
        if not _is_label(session, study, typed):
            raise
    raise InvalidInputError(
        f"{typed!r} is an animal ID, not a blind code; expected the animal's blind code: {CODE_ACCEPTED}"
    )


def _is_label(session: Session, study: Study, typed: str) -> bool:
    try:
        find_animal_by_label(session, study, typed)
    except NotFoundError:
        return False
    return True


def find_animal(session: Session, study: Study, key: str) -> Animal:
    """The animal named by its lab ID (ignoring case) or, failing that, by its blind code."""
    try:
        return find_animal_by_label(session, study, key)
    except NotFoundError:
        pass
    try:
        return find_animal_by_code(session, study, normalize_code(key))[0]
    except (BlindCodeError, NotFoundError):
        raise NotFoundError(
            f"no animal with lab ID or blind code {key!r} in study {study.name!r}; "
            "expected an animal ID of the roster or its blind code"
        ) from None


def find_coded_animal(session: Session, study: Study, key: str) -> tuple[Animal, Allocation]:
    """The randomized animal named by its lab ID or its blind code, with its allocation (for its code)."""
    animal = find_animal(session, study, key)
    allocation = session.exec(select(Allocation).where(Allocation.animal_id == animal.id)).first()
    if allocation is None:
        raise NotFoundError(f"animal {animal.label} has no blind code: it was not randomized")
    return animal, allocation


def codes_by_lab_id(session: Session, study: Study) -> dict[str, str]:
    """Each randomized animal's blind code by its lab ID, for sheets whose rows name animals either way."""
    return dict(
        session.exec(
            select(Animal.label, Allocation.blind_code)
            .join(Allocation, col(Allocation.animal_id) == Animal.id)
            .where(Allocation.study_id == study.id)
        ).all()
    )


def study_arms(session: Session, study: Study) -> list[Arm]:
    """The study's arms in their fixed order (vehicle first)."""
    return list(session.exec(select(Arm).where(Arm.study_id == study.id).order_by(col(Arm.position))).all())


def blind_codes(session: Session, study: Study) -> dict[int, str]:
    """Each allocated animal's blind code, by animal id (empty before randomization)."""
    return dict(
        session.exec(
            select(Allocation.animal_id, Allocation.blind_code).where(Allocation.study_id == study.id)
        ).all()
    )

"""Adding a study's animals from a roster file: every row or none, with the study's factor and cohorts."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError
from behavlab.models import Animal, CageAssignment, Study, Weight, utc_now
from behavlab.services.animals import refuse_unless_past
from behavlab.services.audit import record_study_event
from behavlab.services.cohort_batches import cohort_id_by_name, cohort_names, refuse_late_animals
from behavlab.services.library_errors import refused_files
from behavlab.services.lookup import animal_id_of, find_study, study_id_of
from behavlab.services.workspace import Workspace
from cohorts.roster import RosterEntry, read_roster, roster_sha256


@dataclass(frozen=True)
class RosterImport:
    """What an accepted roster added; `default_weighed_at` is the import time given to untimed weights."""

    n_animals: int
    n_weights: int
    roster_sha256: str
    default_weighed_at: datetime | None = None


def import_roster(
    workspace: Workspace,
    study_name: str,
    path: Path,
    today: date | None = None,
    weighed_at: datetime | None = None,
) -> RosterImport:
    """Add every animal of a roster file, or refuse it whole with every problem listed.

    A roster weight is recorded at its row's ``weighed_at``, else at `weighed_at`, else at the import time,
    which the result then names.
    """
    now = utc_now()
    if weighed_at is not None:
        refuse_unless_past(weighed_at, now, "weighed_at")
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        cohorts = cohort_names(session, study)
    with refused_files(f"roster {path.name}"):
        entries = read_roster(
            path,
            today=today,
            now=now,
            precision_g=study.weight_precision_g,
            factor_name=study.factor_name,
            cohorts=cohorts,
        )
    if not entries:
        raise InvalidInputError(f"roster {path.name} has no animals; nothing was recorded")
    untimed_at = weighed_at or now
    with writing(workspace.engine) as session:
        study = find_study(session, study_name)
        refuse_late_animals(session, study, entries)
        existing = {
            label.casefold()
            for label in session.exec(select(Animal.label).where(Animal.study_id == study.id))
        }
        clashes = sorted(entry.animal_id for entry in entries if entry.animal_id.casefold() in existing)
        if clashes:
            raise ConflictError(
                f"roster {path.name} refused, nothing was recorded: already on study {study.name!r}: "
                f"{', '.join(clashes)}"
            )
        cohort_ids = cohort_id_by_name(session, study)
        for entry in entries:
            cohort_id = None if entry.cohort is None else cohort_ids[entry.cohort]
            _add_animal(session, workspace, study, entry, cohort_id, now, entry.weighed_at or untimed_at)
        digest = roster_sha256(entries)
        record_study_event(
            session,
            workspace,
            study,
            AuditAction.ANIMALS_IMPORT,
            {"file": path.name, "n_animals": len(entries), "roster_sha256": digest},
        )
    weighed = [entry for entry in entries if entry.weight_g is not None]
    defaulted = weighed_at is None and any(entry.weighed_at is None for entry in weighed)
    return RosterImport(len(entries), len(weighed), digest, now if defaulted else None)


def _add_animal(
    session: Session,
    workspace: Workspace,
    study: Study,
    entry: RosterEntry,
    cohort_id: int | None,
    housed_since: datetime,
    weighed_at: datetime,
) -> None:
    animal = Animal(
        study_id=study_id_of(study),
        label=entry.animal_id,
        ear_tag=entry.ear_tag,
        sex=entry.sex,
        strain=entry.strain,
        date_of_birth=entry.dob,
        source=entry.source,
        notes=entry.notes,
        factor_level=entry.factor_level,
        cohort_id=cohort_id,
    )
    session.add(animal)
    session.flush()
    session.add(CageAssignment(animal_id=animal_id_of(animal), cage=entry.cage, since=housed_since))
    if entry.weight_g is not None:
        session.add(
            Weight(
                animal_id=animal_id_of(animal),
                weight_g=entry.weight_g,
                measured_at=weighed_at,
                recorded_by=workspace.actor,
            )
        )

"""The list of studies: each with its number of arms and roster size, read in three queries however many."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import col, func, select

from behavlab.db.session import reading
from behavlab.models import Animal, Arm, Study
from behavlab.services.workspace import Workspace


@dataclass(frozen=True)
class StudySummary:
    """One study as the studies list shows it."""

    study: Study
    n_arms: int
    n_animals: int


def list_studies(workspace: Workspace) -> Sequence[StudySummary]:
    """Every study, oldest first, with its number of arms and how many animals are on its roster."""
    with reading(workspace.engine) as session:
        studies = session.exec(select(Study).order_by(col(Study.created_at), col(Study.id))).all()
        n_arms: dict[int | None, int] = dict(
            session.exec(select(Arm.study_id, func.count()).group_by(col(Arm.study_id))).all()
        )
        n_animals: dict[int | None, int] = dict(
            session.exec(select(Animal.study_id, func.count()).group_by(col(Animal.study_id))).all()
        )
    return [StudySummary(study, n_arms.get(study.id, 0), n_animals.get(study.id, 0)) for study in studies]

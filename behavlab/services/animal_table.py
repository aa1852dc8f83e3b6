"""Animals as the bench lists them: one query, one row per animal, however long their weight histories.

Each animal's current cage, baseline and latest live weight and exclusion reason are correlated scalar
subqueries (each an index lookup by animal id), so the database joins them and Python receives one row per
animal: no per-weight row, dictionary or ORM object. `list_animals` (`behavlab.services.animals`) reads each
animal's whole status this way; the Animals screen reads only what its table shows (`list_animal_lines`).
"""

from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import ScalarSelect
from sqlalchemy import select as select_columns
from sqlalchemy.sql.selectable import Select
from sqlmodel import col

from behavlab.db.session import reading
from behavlab.models import Allocation, Animal, Exclusion, Study, Weight
from behavlab.services.lookup import find_study
from behavlab.services.roster_view import current_cage, live_weight
from behavlab.services.workspace import Workspace
from cohorts.weights import weight_loss_exceeds


class AnimalLine(NamedTuple):
    """One animal as the Animals screen shows it; the code is None until randomization."""

    label: str
    blind_code: str | None
    cage: str | None
    sex: str
    last_weight_g: float | None
    weight_loss_flag: bool
    exclusion_reason: str | None

    @property
    def excluded(self) -> bool:
        """Whether an exclusion is recorded for this animal."""
        return self.exclusion_reason is not None


#: A row of `list_animal_lines`' query: label, code, cage, sex, baseline g, last g, exclusion reason.
LineRow = tuple[str, str | None, str | None, str, float | None, float | None, str | None]


def list_animal_lines(workspace: Workspace, study_name: str) -> list[AnimalLine]:
    """Every animal of the study in roster-ID order with what the Animals screen shows of it.

    The same cage, code, last weight (g) and flags as `list_animals`, in one query.
    """
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        query = animals_query(
            study, col(Animal.label), col(Allocation.blind_code), current_cage(), col(Animal.sex)
        )
        rows = session.connection().execute(query).all()
    return [
        AnimalLine(label, code, cage, sex, last_g, loss_flag(baseline_g, last_g), reason)
        for label, code, cage, sex, baseline_g, last_g, reason in cast(Sequence[LineRow], rows)
    ]


def animals_query(study: Study, *columns: Any) -> Select[Any]:
    """The study's animals in roster-ID order: `columns`, then baseline g, last g and exclusion reason.

    `columns` may name the animal's own columns, its blind code (`Allocation.blind_code`; None before
    randomization) and the subqueries of this module.
    """
    return (
        select_columns(
            *columns,
            live_weight(col(Weight.weight_g), latest=False),
            live_weight(col(Weight.weight_g), latest=True),
            exclusion_reason(),
        )
        .select_from(Animal)
        .outerjoin(Allocation, col(Allocation.animal_id) == Animal.id)
        .where(col(Animal.study_id) == study.id)
        .order_by(col(Animal.label))
    )


def exclusion_reason() -> ScalarSelect[str]:
    """The reason of the animal's latest recorded exclusion (None if it is not excluded)."""
    return (
        select_columns(col(Exclusion.reason))
        .where(col(Exclusion.animal_id) == Animal.id)
        .order_by(col(Exclusion.id).desc())
        .limit(1)
        .scalar_subquery()
    )


def loss_flag(baseline_g: float | None, last_g: float | None) -> bool:
    """The welfare flag: the latest weight too far below the baseline (False without both)."""
    return baseline_g is not None and last_g is not None and weight_loss_exceeds(baseline_g, last_g)

"""Animals as the bench lists them: one query, one row per animal, however long their weight histories.

Each animal's current cage, baseline and latest live weight and exclusion reason are correlated scalar
subqueries (each an index lookup by animal id), so the database joins them and Python receives one row per
animal: no per-weight row, dictionary or ORM object. `list_animals` (`behavlab.services.animals`) reads each
animal's whole status this way; the Animals screen reads only what its table shows (`list_animal_lines`).
"""

from collections.abc import Sequence
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, ScalarSelect, or_
from sqlalchemy import select as select_columns
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.selectable import Select
from sqlmodel import col

from behavlab.db.session import reading
from behavlab.models import Allocation, Animal, Exclusion, Study, Weight
from behavlab.services.animal_view import AnimalOrder, AnimalView
from behavlab.services.lookup import find_study
from behavlab.services.roster_view import current_cage, live_weight
from behavlab.services.workspace import Workspace
from cohorts.weights import weight_loss_exceeds

#: The labels of `animals_query`'s current cage and latest live weight (g) columns.
CAGE, LAST_WEIGHT = "cage", "last_weight_g"


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


#: The columns `animals_query` ends every row with: cage, code, baseline g, last g, exclusion reason.
AnimalColumns = tuple[str | None, str | None, float | None, float | None, str | None]
#: A row of `list_animal_lines`' query: label, sex, then `AnimalColumns`.
LineRow = tuple[str, str, *AnimalColumns]


def list_animal_lines(
    workspace: Workspace, study_name: str, view: AnimalView = AnimalView()
) -> list[AnimalLine]:
    """The study's animals as `view` selects and sorts them, with what the Animals screen shows of each.

    The same cage, code, last weight (g) and flags as `list_animals`, in one query that also filters and
    sorts, so the screen receives only the rows it shows, in their order.
    """
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        query = animals_query(study, col(Animal.label), col(Animal.sex), view=view)
        rows = cast(Sequence[LineRow], session.connection().execute(query).all())
    return [
        AnimalLine(label, code, cage, sex, last_g, loss_flag(baseline_g, last_g), reason)
        for label, sex, cage, code, baseline_g, last_g, reason in rows
    ]


def animals_query(study: Study, *leading: Any, view: AnimalView = AnimalView()) -> Select[Any]:
    """The study's animals `view` selects, in its order: `leading` columns, then `AnimalColumns`.

    `leading` may name the animal's own columns and the subqueries of `roster_view`. The blind code is None
    before randomization; the filter and the sort run in the database.
    """
    cage = current_cage().label(CAGE)
    query = (
        select_columns(
            *leading,
            cage,
            col(Allocation.blind_code),
            live_weight(col(Weight.weight_g), latest=False),
            live_weight(col(Weight.weight_g), latest=True).label(LAST_WEIGHT),
            exclusion_reason(),
        )
        .select_from(Animal)
        .outerjoin(Allocation, col(Allocation.animal_id) == Animal.id)
        .where(col(Animal.study_id) == study.id)
    )
    if view.narrowed:
        searched = (col(Animal.label), col(Allocation.blind_code), cage)
        needle = view.matching.strip()
        query = query.where(or_(*(column.icontains(needle, autoescape=True) for column in searched)))
    sort_by: dict[AnimalOrder, ColumnElement[Any] | Mapped[str]] = {
        AnimalOrder.CODE: col(Allocation.blind_code),
        AnimalOrder.CAGE: cage,
        AnimalOrder.SEX: col(Animal.sex),
        AnimalOrder.WEIGHT: query.selected_columns[LAST_WEIGHT],
    }
    first = [sort_by[view.order].asc().nulls_last()] if view.order in sort_by else []
    return query.order_by(*first, col(Animal.label))


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

"""The list of studies: each with its treatment, number of arms and roster size, read in one query.

The query names its tables' columns through light Core constructs instead of the table classes, so listing
the studies (the first thing a user runs) does not build the ORM's classes; `tests/behavlab/services/
test_studies.py` holds the columns to the models'.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, Integer, ScalarSelect, String, TableClause, column, func, select, table

from behavlab.db.driver_errors import translated_errors
from behavlab.models.utc_time import UTCDateTime
from behavlab.services.workspace import Workspace

_STUDY = table(
    "study",
    column("id", Integer),
    column("name", String),
    column("compound", String),
    column("dose_mg_per_kg", Float),
    column("route", String),
    column("vehicle", String),
    column("volume_ml_per_kg", Float),
    column("created_at", UTCDateTime),
)
_ARM = table("arm", column("study_id", Integer))
_ANIMAL = table("animal", column("study_id", Integer))


@dataclass(frozen=True)
class StudySummary:
    """One study as the studies list shows it: its default treatment, arms, roster size and creation (UTC)."""

    name: str
    compound: str
    dose_mg_per_kg: float
    route: str
    vehicle: str
    volume_ml_per_kg: float
    created_at: datetime
    n_arms: int
    n_animals: int


def _count_by_study(counted: TableClause) -> ScalarSelect[int]:
    """A scalar subquery: how many rows of `counted` belong to the outer query's study."""
    return select(func.count()).where(counted.c.study_id == _STUDY.c.id).scalar_subquery()


def list_studies(workspace: Workspace) -> Sequence[StudySummary]:
    """Every study, oldest first, with its number of arms and how many animals are on its roster."""
    query = select(
        _STUDY.c.name,
        _STUDY.c.compound,
        _STUDY.c.dose_mg_per_kg,
        _STUDY.c.route,
        _STUDY.c.vehicle,
        _STUDY.c.volume_ml_per_kg,
        _STUDY.c.created_at,
        _count_by_study(_ARM),
        _count_by_study(_ANIMAL),
    ).order_by(_STUDY.c.created_at, _STUDY.c.id)
    with translated_errors(), workspace.engine.connect() as connection:
        return [StudySummary(*row) for row in connection.execute(query)]

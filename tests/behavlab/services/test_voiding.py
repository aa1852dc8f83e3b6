"""Listing voided records: each void named by its animal's code, in a number of queries that does not grow
with the number of voids (one per kind of record voided)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import col, select

from behavlab.db.session import reading
from behavlab.models import Weight
from behavlab.services import Workspace, void_record
from behavlab.services.lookup import find_study
from behavlab.services.voiding import voided_records
from tests.behavlab.randomized_study import RandomizedStudy


@contextmanager
def _counted_statements(workspace: Workspace) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(workspace.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(workspace.engine, "before_cursor_execute", count)


def _listing(workspace: Workspace, study: str) -> tuple[list[str | None], int]:
    """The listed voids' codes and how many statements listing them took."""
    with reading(workspace.engine) as session:
        found = find_study(session, study)
        with _counted_statements(workspace) as statements:
            records = voided_records(session, found)
        return [record.code for record in records], len(statements)


def test_listing_voids_takes_one_query_per_kind_of_record_however_many_voids(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    with reading(workspace.engine) as session:
        weights = session.exec(select(Weight.id, Weight.animal_id).order_by(col(Weight.id))).all()[:4]
    void_record(workspace, randomized.name, "weight", weights[0][0] or 0, "typo")
    codes, one_void = _listing(workspace, randomized.name)
    assert len(codes) == 1 and codes[0] in randomized.codes.values()
    for weight_id, _ in weights[1:]:
        void_record(workspace, randomized.name, "weight", weight_id or 0, "typo")
    codes, four_voids = _listing(workspace, randomized.name)
    assert len(codes) == 4 and set(codes) <= set(randomized.codes.values())
    assert four_voids == one_void

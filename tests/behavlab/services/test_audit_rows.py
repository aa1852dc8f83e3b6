"""The data is tamper-evident, not only the log: every direct SQL edit of an audited row is named by verify.

Each attack is the one a technician with write access to the database would try; each is named by table and
row id (never by anything that tells an arm), and the log itself still verifies, so the difference is in the
data. The last tests show what rewriting the log as well achieves, and what catches it.
"""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert, text
from sqlmodel import col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.append_only import drop_append_only_guards
from behavlab.db.row_digests import (
    DELETED,
    EDITED,
    INSERTED,
    RowDigest,
    RowProblem,
    UnauditedWriteError,
    model_table,
    rows_digest,
    table_digests,
)
from behavlab.db.session import reading, writing
from behavlab.models import Animal, AuditEvent, AuditRow, CageAssignment, Weight, utc_now
from behavlab.services import (
    Workspace,
    add_fst_session,
    current_head,
    list_events,
    record_dose,
    record_manual_score,
    verify_chain,
    verify_extends,
)
from behavlab.services.audit import changed_rows, event_digest, record_event
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.synth.videos import write_fst_video


@pytest.fixture
def scored(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> RandomizedStudy:
    """The randomized study with one animal dosed, tested and scored 150 s immobile by hand."""
    code = randomized.code_in_arm(0)
    video = write_fst_video(tmp_path / "fst.avi", duration_s=1.0, fps=10, size=(64, 48), seed=1).video
    dosed = randomized.weighed_at + timedelta(minutes=30)
    record_dose(workspace, randomized.name, code, at=dosed)
    add_fst_session(workspace, randomized.name, code, video, tested_at=dosed + timedelta(hours=1))
    record_manual_score(workspace, randomized.name, code, 150.0, "ana")
    return randomized


def _one(connection: Connection, sql: str) -> int:
    return int(connection.execute(text(sql)).scalar_one())


def _score_edit(c: Connection) -> set[RowProblem]:
    score = _one(c, "SELECT id FROM immobilityscore")
    c.execute(text("UPDATE immobilityscore SET immobility_s = 300"))
    return {RowProblem("immobilityscore", str(score), EDITED)}


def _dose_volume_edit(c: Connection) -> set[RowProblem]:
    dose = _one(c, "SELECT id FROM doseevent")
    c.execute(text("UPDATE doseevent SET volume_ml = volume_ml * 2"))
    return {RowProblem("doseevent", str(dose), EDITED)}


def _weight_edit(c: Connection) -> set[RowProblem]:
    weight = _one(c, "SELECT max(id) FROM weight")
    c.execute(text("UPDATE weight SET weight_g = weight_g + 1.5 WHERE id = :id"), {"id": weight})
    return {RowProblem("weight", str(weight), EDITED)}


def _weight_insert(c: Connection) -> set[RowProblem]:
    c.execute(
        insert(model_table("weight")).values(
            animal_id=_one(c, "SELECT min(id) FROM animal"),
            weight_g=31.0,
            measured_at=utc_now(),
            recorded_by="tech",
        )
    )
    return {RowProblem("weight", str(_one(c, "SELECT max(id) FROM weight")), INSERTED)}


def _cage_delete(c: Connection) -> set[RowProblem]:
    cage = _one(c, "SELECT max(id) FROM cageassignment")
    c.execute(text("DELETE FROM cageassignment WHERE id = :id"), {"id": cage})
    return {RowProblem("cageassignment", str(cage), DELETED)}


def _blind_codes_swapped(c: Connection) -> set[RowProblem]:
    first, second = c.execute(text("SELECT id, blind_code FROM allocation ORDER BY id LIMIT 2")).all()
    swap = text("UPDATE allocation SET blind_code = :code WHERE id = :id")
    c.execute(swap, {"code": "SWAP", "id": first.id})
    c.execute(swap, {"code": first.blind_code, "id": second.id})
    c.execute(swap, {"code": second.blind_code, "id": first.id})
    return {RowProblem("allocation", str(first.id), EDITED), RowProblem("allocation", str(second.id), EDITED)}


EDITS: dict[str, Callable[[Connection], set[RowProblem]]] = {
    "immobility set to 300 s": _score_edit,
    "dose volume doubled": _dose_volume_edit,
    "weight changed": _weight_edit,
    "weight inserted": _weight_insert,
    "cage assignment deleted": _cage_delete,
    "two animals' blind codes swapped": _blind_codes_swapped,
}


def test_an_untouched_study_verifies_row_by_row(workspace: Workspace, scored: RandomizedStudy) -> None:
    report = verify_chain(workspace)
    assert report.ok, report.describe()
    # 24 animals with cage, weight, allocation; study, arms, randomization, key, dose, session, score
    assert report.rows_checked >= 4 * 24 + 8
    assert f"{report.rows_checked} rows match" in report.describe()


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_each_direct_sql_edit_is_named_by_table_and_row(
    workspace: Workspace, scored: RandomizedStudy, edit: str
) -> None:
    with workspace.engine.begin() as connection:
        expected = EDITS[edit](connection)
    report = verify_chain(workspace)
    assert report.chain_ok and not report.ok
    assert set(report.row_problems) == expected
    line = report.describe()
    assert line.startswith("audited data differs from the log: ")
    for problem in expected:
        assert f"{problem.table_name} " in line and problem.row_id in line and problem.kind in line
    revealing = ["vehicle", "ketamine", "saline", *scored.codes, *scored.codes.values()]
    assert not [word for word in revealing if word in line]


def test_a_step_can_check_just_the_rows_it_relies_on(workspace: Workspace, scored: RandomizedStudy) -> None:
    with reading(workspace.engine) as session:
        assert changed_rows(session, "allocation") == []
    with workspace.engine.begin() as connection:
        swapped = _blind_codes_swapped(connection)
    with reading(workspace.engine) as session:
        assert set(changed_rows(session, "allocation")) == swapped
        first = min(p.row_id for p in swapped)
        assert changed_rows(session, "allocation", [first]) == [RowProblem("allocation", first, EDITED)]
        assert changed_rows(session, "weight") == []


def test_a_row_a_service_deletes_or_changes_through_the_session_stays_verified(
    workspace: Workspace, scored: RandomizedStudy
) -> None:
    with writing(workspace.engine) as session:
        cage = session.exec(select(CageAssignment).order_by(col(CageAssignment.id))).first()
        animal = session.exec(select(Animal).order_by(col(Animal.id))).first()
        assert cage is not None and animal is not None
        session.delete(cage)
        animal.notes = "moved to quarantine"
        session.add(animal)
        record_event(
            session, actor="tester", action=AuditAction.ANIMALS_IMPORT, entity="animal", entity_id=animal.id
        )
    assert verify_chain(workspace).ok
    with reading(workspace.engine) as session:
        recorded = session.exec(select(AuditRow).order_by(col(AuditRow.id).desc()).limit(2)).all()
    assert {(r.table_name, r.sha256 is None) for r in recorded} == {
        ("animal", False),
        ("cageassignment", True),
    }


def test_a_write_no_event_covers_is_refused_and_rolled_back(
    workspace: Workspace, scored: RandomizedStudy
) -> None:
    with reading(workspace.engine) as session:
        before = len(session.exec(select(Weight)).all())
        animal_id = session.exec(select(Animal.id)).first()
    refused = pytest.raises(UnauditedWriteError, match=r"rows written after .* last audit event: weight \d+")
    with refused, writing(workspace.engine) as session:
        session.add(Weight(animal_id=animal_id, weight_g=25.0, measured_at=utc_now(), recorded_by="x"))
        record_event(
            session, actor="tester", action=AuditAction.WEIGHT_RECORD, entity="animal", entity_id=animal_id
        )
        session.add(Weight(animal_id=animal_id, weight_g=26.0, measured_at=utc_now(), recorded_by="x"))
    bulk = pytest.raises(UnauditedWriteError, match="bulk INSERT/UPDATE/DELETE on audited table")
    with bulk, writing(workspace.engine) as session:
        session.execute(
            insert(Weight),
            [{"animal_id": animal_id, "weight_g": 1.0, "measured_at": utc_now(), "recorded_by": "x"}],
        )
    with reading(workspace.engine) as session:
        assert len(session.exec(select(Weight)).all()) == before
    assert verify_chain(workspace).ok


def _rechain(connection: Connection, from_event: int, changes: dict[str, object]) -> None:
    """Rewrite one event and recompute its hash and every later one, as a careful attacker would."""
    events = connection.execute(
        select(AuditEvent.__table__).where(col(AuditEvent.id) >= from_event).order_by(col(AuditEvent.id))
    ).mappings()
    prev_hash: str | None = None
    for row in [dict(r) for r in events]:
        if row["id"] == from_event:
            row |= changes
        if prev_hash is not None:
            row["prev_hash"] = prev_hash
        fields = {k: v for k, v in row.items() if k not in ("id", "hash")}
        prev_hash = event_digest(**fields)
        connection.execute(
            text(
                "UPDATE auditevent SET payload = :payload, rows_sha256 = :rows, prev_hash = :prev, "
                "hash = :hash WHERE id = :id"
            ),
            {
                "payload": row["payload"],
                "rows": row["rows_sha256"],
                "prev": row["prev_hash"],
                "hash": prev_hash,
                "id": row["id"],
            },
        )


def _score_event(workspace: Workspace, name: str) -> AuditEvent:
    return next(e for e in list_events(workspace, study_name=name) if e.action == "fst.manual_score")


def test_recomputing_every_hash_after_an_edit_still_fails_on_the_row(
    workspace: Workspace, scored: RandomizedStudy
) -> None:
    event = _score_event(workspace, scored.name)
    with workspace.engine.begin() as connection:
        drop_append_only_guards(connection)
        expected = _score_edit(connection)
        _rechain(connection, event.id or 0, {"payload": event.payload.replace("150", "300")})
    report = verify_chain(workspace)
    assert report.chain_ok
    assert set(report.row_problems) == expected


def _edit_score_and_forge_its_digest(connection: Connection) -> None:
    """Set the score to 300 s and overwrite its recorded digest with the edited row's, as an owner could."""
    drop_append_only_guards(connection)
    (problem,) = _score_edit(connection)
    forged = table_digests(connection, model_table("immobilityscore"), [problem.row_id])[problem.row_id]
    connection.execute(
        text("UPDATE auditrow SET sha256 = :sha WHERE table_name = 'immobilityscore' AND row_id = :id"),
        {"sha": forged, "id": problem.row_id},
    )


def test_rewriting_the_row_digest_too_breaks_the_event_that_recorded_it(
    workspace: Workspace, scored: RandomizedStudy
) -> None:
    event = _score_event(workspace, scored.name)
    with workspace.engine.begin() as connection:
        _edit_score_and_forge_its_digest(connection)
    report = verify_chain(workspace)
    assert report.row_problems == ()
    assert (report.first_bad_event_id, report.problem) == (
        event.id,
        "the row digests stored with it do not match its hash",
    )


def test_a_log_rewritten_through_its_row_digests_verifies_alone_but_not_against_a_printed_head(
    workspace: Workspace, scored: RandomizedStudy
) -> None:
    """With no secret, a whole rewritten log (data, digests and hashes) is self-consistent; only a chain head
    that left the database (printed on a sheet or report) shows the events it covered were rewritten."""
    printed = current_head(workspace)
    event = _score_event(workspace, scored.name)
    with workspace.engine.begin() as connection:
        _edit_score_and_forge_its_digest(connection)
        rows = [
            RowDigest(r.table_name, r.row_id, r.sha256)
            for r in connection.execute(select(AuditRow.__table__).where(AuditRow.event_id == event.id))
        ]
        _rechain(
            connection,
            event.id or 0,
            {"payload": event.payload.replace("150", "300"), "rows_sha256": rows_digest(rows)},
        )
    assert verify_chain(workspace).ok
    check = verify_extends(workspace, printed.hash, printed.events)
    assert not check.ok

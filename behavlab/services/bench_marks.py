"""Marks made at the bench while an FST video records, and the test start in video time they give.

The technician marks "camera started" when the recording begins, then "mouse in" and "mouse out" for each
animal in its tank, with the wall-clock time of each key press. An animal's latest "mouse in", less its
recording's "camera started" mark (or, without one, the video's own creation time), is its test start in
video seconds.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlmodel import Session, col, select

from behavlab.audit_actions import AuditAction
from behavlab.db.session import reading, writing
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.models import Animal, Exclusion, FstBenchMark, Study
from behavlab.services.audit import record_event
from behavlab.services.guards import refuse_if_unmasked, refuse_unless_randomized
from behavlab.services.library_errors import tracking_errors
from behavlab.services.lookup import animal_id_of, blind_codes, find_coded_animal, find_study, stored_id
from behavlab.services.text import checked_text
from behavlab.services.workspace import Workspace
from tracking.video.probe import probe_video

CAMERA_STARTED = "camera started"
MOUSE_IN = "mouse in"
MOUSE_OUT = "mouse out"
MouseMark = Literal["mouse in", "mouse out"]
BENCH_MARK_ENTITY = "fst_bench_mark"
#: How bench times are shown in a start's basis: the clock the technician read.
CLOCK_FORMAT = "%H:%M:%S"


@dataclass(frozen=True)
class BenchMarkView:
    """One stored mark: its kind, its wall-clock time, and for a mouse mark the animal's code and tank."""

    id: int
    kind: str
    at: datetime
    code: str | None
    tank: str | None
    camera_mark_id: int | None


@dataclass(frozen=True)
class BenchStart:
    """An animal's test start in video seconds, and how its bench time became video time (its basis)."""

    start_s: float
    basis: str


class BenchStartError(InvalidInputError):
    """An animal's "mouse in" mark cannot be turned into a start in its video; the message says why."""


def record_camera_started(workspace: Workspace, study_name: str, at: datetime) -> BenchMarkView:
    """Mark the moment the camera started recording (wall clock, aware); audited."""
    at = _aware(at)
    with writing(workspace.engine) as session:
        study = _open_study(session, study_name)
        mark = FstBenchMark(
            study_id=stored_id(study), kind=CAMERA_STARTED, at=at, recorded_by=workspace.actor
        )
        return _store(session, workspace, study, mark, code=None)


def record_mouse_mark(
    workspace: Workspace,
    study_name: str,
    kind: MouseMark,
    typed_animal: str,
    tank: str,
    at: datetime,
    camera_mark_id: int | None = None,
) -> BenchMarkView:
    """Mark an animal (lab ID or blind code) put into or taken out of its tank at `at`; audited.

    The mark points at the recording's camera mark: `camera_mark_id` when given, else the study's latest
    "camera started" at or before `at` (none: the video's creation time will convert it).
    """
    at = _aware(at)
    tank = _tank(tank)
    with writing(workspace.engine) as session:
        study = _open_study(session, study_name)
        animal, code = _bench_animal(session, study, typed_animal)
        _refuse_out_of_order(session, animal_id_of(animal), code, kind, at)
        camera = _camera_mark(session, study, at, camera_mark_id)
        mark = FstBenchMark(
            study_id=stored_id(study),
            kind=kind,
            at=at,
            animal_id=animal_id_of(animal),
            tank=tank,
            camera_mark_id=None if camera is None else stored_id(camera),
            recorded_by=workspace.actor,
        )
        return _store(session, workspace, study, mark, code=code)


def bench_code(workspace: Workspace, study_name: str, typed_animal: str) -> str:
    """The blind code of the animal typed (lab ID or code) that may go into a tank, or why it may not."""
    with reading(workspace.engine) as session:
        return _bench_animal(session, _open_study(session, study_name), typed_animal)[1]


def list_bench_marks(workspace: Workspace, study_name: str) -> Sequence[BenchMarkView]:
    """Every bench mark of the study in time order, animals named by their blind code."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        codes = blind_codes(session, study)
        marks = session.exec(
            select(FstBenchMark)
            .where(FstBenchMark.study_id == study.id)
            .order_by(col(FstBenchMark.at), col(FstBenchMark.id))
        ).all()
        return [_view(mark, None if mark.animal_id is None else codes.get(mark.animal_id)) for mark in marks]


def bench_start(session: Session, animal_id: int, video: Path) -> BenchStart | None:
    """The animal's latest "mouse in" mark as seconds into `video`, or None when it has no such mark.

    The mark's clock time less its recording's "camera started" mark, or without one less the video's own
    creation time. BenchStartError when neither exists, or the mark falls before it or past the video's end.
    """
    mouse_in = _latest_mouse_in(session, animal_id)
    if mouse_in is None:
        return None
    with tracking_errors(f"bench start from {video.name}"):
        header = probe_video(video)
    camera = None if mouse_in.camera_mark_id is None else session.get(FstBenchMark, mouse_in.camera_mark_id)
    if camera is not None:
        origin, basis = camera.at, f"the camera started mark at {clock_text(camera.at)}"
    elif header.created_at is not None:
        origin, basis = header.created_at, f"the video's creation time {clock_text(header.created_at)}"
    else:
        raise BenchStartError(
            f"the 'mouse in' mark at {clock_text(mouse_in.at)} cannot be placed in {video.name}: no "
            "'camera started' mark and the video has no creation time; enter the test start instead"
        )
    start_s = (mouse_in.at - origin).total_seconds()
    if start_s < 0:
        raise BenchStartError(f"the 'mouse in' mark at {clock_text(mouse_in.at)} is before {basis}")
    if header.duration_s is not None and start_s > header.duration_s:
        raise BenchStartError(
            f"the 'mouse in' mark at {clock_text(mouse_in.at)} is {start_s:.1f} s after {basis}, "
            f"past the end of {video.name} ({header.duration_s:.1f} s)"
        )
    return BenchStart(start_s=round(start_s, 3), basis=f"mouse in at {clock_text(mouse_in.at)} less {basis}")


def _open_study(session: Session, study_name: str) -> Study:
    study = find_study(session, study_name)
    refuse_unless_randomized(session, study, "record bench marks")
    refuse_if_unmasked(session, study, "record bench marks")
    return study


def _bench_animal(session: Session, study: Study, typed_animal: str) -> tuple[Animal, str]:
    animal, allocation = find_coded_animal(session, study, typed_animal)
    code = allocation.blind_code
    if session.exec(select(Exclusion.id).where(Exclusion.animal_id == animal.id)).first() is not None:
        raise ConflictError(f"animal {code} is excluded; no bench mark is recorded for it")
    return animal, code


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise InvalidInputError(f"bench time {at.isoformat()} has no time zone; give it with its UTC offset")
    return at


def _tank(tank: str) -> str:
    name = checked_text(tank.strip(), "tank")
    if not name:
        raise InvalidInputError("a mouse mark needs its tank (e.g. 1-4 or the tank's ROI label)")
    return name


def clock_text(at: datetime) -> str:
    """A time as the bench's local clock shows it, e.g. 10:02:03."""
    return f"{at.astimezone():{CLOCK_FORMAT}}"


def _latest_mouse_in(session: Session, animal_id: int, before: datetime | None = None) -> FstBenchMark | None:
    query = select(FstBenchMark).where(FstBenchMark.animal_id == animal_id, FstBenchMark.kind == MOUSE_IN)
    if before is not None:
        query = query.where(col(FstBenchMark.at) <= before)
    return session.exec(query.order_by(col(FstBenchMark.at).desc(), col(FstBenchMark.id).desc())).first()


def _refuse_out_of_order(session: Session, animal_id: int, code: str, kind: str, at: datetime) -> None:
    """Refuse a mouse taken out that was never put in, or put in while it is still in the water.

    A second "mouse in" would silently move the animal's test start; it needs a "mouse out" first.
    """
    latest = session.exec(
        select(FstBenchMark)
        .where(FstBenchMark.animal_id == animal_id, col(FstBenchMark.kind).in_([MOUSE_IN, MOUSE_OUT]))
        .where(col(FstBenchMark.at) <= at)
        .order_by(col(FstBenchMark.at).desc(), col(FstBenchMark.id).desc())
    ).first()
    if kind == MOUSE_OUT and (latest is None or latest.kind != MOUSE_IN):
        raise ConflictError(f"animal {code} is not in the water at {clock_text(at)}; mark it in first")
    if kind == MOUSE_IN and latest is not None and latest.kind == MOUSE_IN:
        raise ConflictError(
            f"animal {code} is already in the water, since {clock_text(latest.at)} (tank {latest.tank}); "
            "its start is kept: mark it out first to start it again"
        )


def _camera_mark(session: Session, study: Study, at: datetime, mark_id: int | None) -> FstBenchMark | None:
    """The recording's camera mark: the one named (checked), else the study's latest at or before `at`."""
    query = select(FstBenchMark).where(FstBenchMark.study_id == study.id, FstBenchMark.kind == CAMERA_STARTED)
    if mark_id is None:
        latest = query.where(col(FstBenchMark.at) <= at).order_by(col(FstBenchMark.at).desc())
        return session.exec(latest).first()
    camera = session.exec(query.where(FstBenchMark.id == mark_id)).first()
    if camera is None:
        raise NotFoundError(f"no 'camera started' mark {mark_id} in study {study.name!r}")
    if camera.at > at:
        raise ConflictError(
            f"the mark at {clock_text(at)} is before its camera started ({clock_text(camera.at)})"
        )
    return camera


def _store(
    session: Session, workspace: Workspace, study: Study, mark: FstBenchMark, code: str | None
) -> BenchMarkView:
    session.add(mark)
    session.flush()
    payload = {"kind": mark.kind, "at": mark.at.isoformat(), "code": code, "tank": mark.tank}
    record_event(
        session,
        actor=workspace.actor,
        action=AuditAction.FST_BENCH_MARK,
        entity=BENCH_MARK_ENTITY,
        entity_id=mark.id,
        study_id=study.id,
        payload={**payload, "camera_mark_id": mark.camera_mark_id},
    )
    return _view(mark, code)


def _view(mark: FstBenchMark, code: str | None) -> BenchMarkView:
    return BenchMarkView(
        id=stored_id(mark),
        kind=mark.kind,
        at=mark.at,
        code=code,
        tank=mark.tank,
        camera_mark_id=mark.camera_mark_id,
    )

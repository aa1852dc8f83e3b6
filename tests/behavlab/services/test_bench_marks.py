"""Bench marks: camera started, mouse in and out, audited and refused like other writes; the test start in
video seconds they give, from the camera mark or the video's own creation time."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from behavlab.db.session import reading
from behavlab.errors import ConflictError, InvalidInputError, NotFoundError
from behavlab.services import (
    BenchStartError,
    Workspace,
    bench_code,
    bench_start,
    exclude_animal,
    list_bench_marks,
    list_events,
    record_camera_started,
    record_mouse_mark,
    unmask_study,
)
from behavlab.services.lookup import find_animal_by_code, find_study
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tests.tracking.videos import write_pyav

CAMERA = datetime(2026, 3, 4, 10, 2, 3, tzinfo=UTC)
#: 30 s of frames at 10 fps.
FRAMES = [np.full((32, 32), 8 * (i % 30), np.uint8) for i in range(300)]


def _video(folder: Path, created: datetime | None = None) -> Path:
    metadata = None if created is None else {"creation_time": created.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return write_pyav(folder / "bench.mp4", "mpeg4", FRAMES, fps=10, metadata=metadata)


def _start(workspace: Workspace, study: str, code: str, video: Path):  # type: ignore[no-untyped-def]
    with reading(workspace.engine) as session:
        animal, _ = find_animal_by_code(session, find_study(session, study), code)
        return bench_start(session, animal.id or 0, video)


def test_marks_are_stored_audited_and_listed_by_code(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    label = next(label for label, c in randomized.codes.items() if c == code)
    camera = record_camera_started(workspace, randomized.name, CAMERA)
    mouse_in = record_mouse_mark(
        workspace, randomized.name, "mouse in", label, "2", CAMERA + timedelta(seconds=9)
    )
    record_mouse_mark(workspace, randomized.name, "mouse out", code, "2", CAMERA + timedelta(minutes=6))
    assert mouse_in.camera_mark_id == camera.id
    marks = list_bench_marks(workspace, randomized.name)
    assert [(m.kind, m.code, m.tank) for m in marks] == [
        ("camera started", None, None),
        ("mouse in", code, "2"),
        ("mouse out", code, "2"),
    ]
    assert marks[1].at == CAMERA + timedelta(seconds=9)
    events = [e for e in list_events(workspace, randomized.name) if e.action == "fst.bench_mark"]
    assert len(events) == 3
    assert label not in str([e.payload for e in events])


def test_refusals(workspace: Workspace, randomized: RandomizedStudy) -> None:
    code = randomized.code_in_arm(1)
    at = CAMERA + timedelta(seconds=5)
    with pytest.raises(NotFoundError, match="no animal with lab ID or blind code 'NOPE'"):
        record_mouse_mark(workspace, randomized.name, "mouse in", "NOPE", "1", at)
    with pytest.raises(InvalidInputError, match="needs its tank"):
        record_mouse_mark(workspace, randomized.name, "mouse in", code, " ", at)
    with pytest.raises(InvalidInputError, match="no time zone"):
        record_camera_started(workspace, randomized.name, datetime(2026, 3, 4, 10, 0))
    with pytest.raises(ConflictError, match=f"animal {code} is not in the water at "):
        record_mouse_mark(workspace, randomized.name, "mouse out", code, "1", at)
    with pytest.raises(NotFoundError, match="no 'camera started' mark 999"):
        record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", at, camera_mark_id=999)
    late_camera = record_camera_started(workspace, randomized.name, at + timedelta(seconds=1))
    with pytest.raises(ConflictError, match="before its camera started"):
        record_mouse_mark(
            workspace, randomized.name, "mouse in", code, "1", at, camera_mark_id=late_camera.id
        )
    assert bench_code(workspace, randomized.name, code.lower()) == code
    exclude_animal(workspace, randomized.name, code, "injured", criterion_set_a_priori=True)
    with pytest.raises(ConflictError, match=f"animal {code} is excluded"):
        bench_code(workspace, randomized.name, code)
    with pytest.raises(ConflictError, match=f"animal {code} is excluded"):
        record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", at)
    assert [m.kind for m in list_bench_marks(workspace, randomized.name)] == ["camera started"]


def test_a_mouse_in_the_water_is_not_put_in_again_so_its_start_stays(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    record_camera_started(workspace, randomized.name, CAMERA)
    record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", CAMERA + timedelta(seconds=5))
    with pytest.raises(ConflictError, match=f"animal {code} is already in the water, since .* \\(tank 1\\)"):
        record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", CAMERA + timedelta(seconds=40))
    record_mouse_mark(workspace, randomized.name, "mouse out", code, "1", CAMERA + timedelta(seconds=365))
    with pytest.raises(ConflictError, match="is not in the water"):
        record_mouse_mark(workspace, randomized.name, "mouse out", code, "1", CAMERA + timedelta(seconds=370))
    record_mouse_mark(workspace, randomized.name, "mouse in", code, "2", CAMERA + timedelta(seconds=400))
    kinds = [m.kind for m in list_bench_marks(workspace, randomized.name)]
    assert kinds == ["camera started", "mouse in", "mouse out", "mouse in"]


def test_refused_after_unmasking(workspace: Workspace, randomized: RandomizedStudy) -> None:
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="bench test")
    with pytest.raises(ConflictError, match="unmasked and locked; cannot record bench marks"):
        record_camera_started(workspace, randomized.name, CAMERA)


def test_start_from_the_camera_mark(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    video = _video(tmp_path, created=CAMERA - timedelta(seconds=30))
    assert _start(workspace, randomized.name, code, video) is None
    record_camera_started(workspace, randomized.name, CAMERA)
    record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", CAMERA + timedelta(seconds=4))
    record_mouse_mark(workspace, randomized.name, "mouse out", code, "1", CAMERA + timedelta(seconds=6))
    record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", CAMERA + timedelta(seconds=12.5))
    start = _start(workspace, randomized.name, code, video)
    assert start is not None
    assert start.start_s == 12.5
    camera_clock = f"{CAMERA.astimezone():%H:%M:%S}"
    assert start.basis.endswith(f"less the camera started mark at {camera_clock}")


def test_start_from_the_video_creation_time(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    record_mouse_mark(workspace, randomized.name, "mouse in", code, "1", CAMERA + timedelta(seconds=7))
    start = _start(workspace, randomized.name, code, _video(tmp_path, created=CAMERA))
    assert start is not None
    assert start.start_s == 7.0
    assert f"the video's creation time {CAMERA.astimezone():%H:%M:%S}" in start.basis


@pytest.mark.parametrize(
    ("created", "mouse_in_after_s", "refusal"),
    [
        (None, 5, "no 'camera started' mark and the video has no creation time"),
        (CAMERA + timedelta(seconds=10), 5, "is before the video's creation time"),
        (CAMERA, 45, r"45.0 s after .* past the end of bench.mp4 \(30.0 s\)"),
    ],
)
def test_start_refused_when_the_mark_cannot_be_placed(
    workspace: Workspace,
    randomized: RandomizedStudy,
    tmp_path: Path,
    created: datetime | None,
    mouse_in_after_s: float,
    refusal: str,
) -> None:
    code = randomized.code_in_arm(1)
    at = CAMERA + timedelta(seconds=mouse_in_after_s)
    record_mouse_mark(workspace, randomized.name, "mouse in", code, "3", at)
    with pytest.raises(BenchStartError, match=refusal):
        _start(workspace, randomized.name, code, _video(tmp_path, created=created))

"""`behavlab fst mark`: the camera started, a mouse in and out, at a typed or the current time."""

from behavlab.services import Workspace, list_bench_marks
from tests.behavlab.cli.invoke import Invoke
from tests.behavlab.randomized_study import RandomizedStudy


def test_marks_typed_at_the_command_line(
    cli: Invoke, workspace: Workspace, randomized: RandomizedStudy
) -> None:
    code = randomized.code_in_arm(0)
    study = randomized.name
    camera = cli("fst", "mark", study, "--camera-started", "--at", "2026-03-04T10:02:03+00:00")
    assert camera.exit_code == 0, camera.output
    assert "camera started" in camera.output
    mouse_in = cli(
        "fst", "mark", study, "--in", code.lower(), "--tank", "2", "--at", "2026-03-04T10:02:15+00:00"
    )
    assert mouse_in.exit_code == 0, mouse_in.output
    assert f"mouse in {code} tank 2" in mouse_in.output
    assert cli("fst", "mark", study, "--out", code, "--tank", "2").exit_code == 0
    both = cli("fst", "mark", study, "--camera-started", "--in", code, "--tank", "1")
    assert both.exit_code == 1 and "exactly one of --camera-started" in both.stderr
    no_tank = cli("fst", "mark", study, "--in", code)
    assert no_tank.exit_code == 1 and "--in needs --tank" in no_tank.stderr
    marks = list_bench_marks(workspace, study)
    assert [(m.kind, m.code) for m in marks] == [
        ("camera started", None),
        ("mouse in", code),
        ("mouse out", code),
    ]
    assert marks[1].camera_mark_id == marks[0].id

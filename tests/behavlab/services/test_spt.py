"""SPT periods and bottle sheets: corrected preference, side-switch warnings, anhedonia, all-or-nothing."""

from datetime import timedelta
from pathlib import Path

import pytest

from behavlab.errors import ConflictError, InvalidInputError
from behavlab.services import Workspace, create_spt_period, record_spt_bottles, spt_results
from tests.behavlab.randomized_study import RandomizedStudy


def _bottles(path: Path, rows: list[tuple[str, str, float, float, float, float]]) -> Path:
    lines = ["code,sucrose_side,sucrose_start_g,sucrose_end_g,water_start_g,water_end_g"]
    lines += [",".join(str(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_preference_is_corrected_for_spillage_and_sides_must_switch(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    a, b = randomized.code_in_arm(0), randomized.code_in_arm(1)
    start = randomized.weighed_at
    create_spt_period(workspace, randomized.name, "day1", start, start + timedelta(hours=12), "baseline")
    create_spt_period(
        workspace, randomized.name, "day2", start + timedelta(hours=12), start + timedelta(hours=23)
    )
    first = record_spt_bottles(
        workspace,
        randomized.name,
        "day1",
        _bottles(
            tmp_path / "d1.csv",
            [
                (a, "L", 200, 194.2, 200, 198.2),
                (b, "R", 200, 198, 200, 196.2),
                ("control", "", 200, 199.8, 200, 199.8),
            ],
        ),
    )
    assert first.n_animals == 2 and first.warnings == [] and first.anhedonic == [b]
    second = record_spt_bottles(
        workspace,
        randomized.name,
        "day2",
        _bottles(tmp_path / "d2.csv", [(a, "L", 200, 195, 200, 199), (b, "L", 200, 196, 200, 199)]),
    )
    assert second.warnings == [f"sucrose side not switched since the previous period for {a}"]
    lines = {(line.period, line.code): line for line in spt_results(workspace, randomized.name)}
    day1 = lines[("day1", a)]
    assert (day1.sucrose_ml, day1.water_ml) == pytest.approx((5.6, 1.6))
    assert day1.preference_pct == pytest.approx(5.6 / 7.2 * 100)
    assert day1.total_ml_per_g is not None and not day1.anhedonic
    with pytest.raises(ConflictError, match="already has its bottle sheet"):
        record_spt_bottles(workspace, randomized.name, "day1", tmp_path / "d1.csv")


def test_a_faulty_sheet_is_refused_whole(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    a, b = randomized.code_in_arm(0), randomized.code_in_arm(1)
    start = randomized.weighed_at
    create_spt_period(workspace, randomized.name, "d", start, start + timedelta(hours=12))
    bad = _bottles(tmp_path / "bad.csv", [(a, "L", 200, 201, 200, 198), (b, "R", 200, 200, 200, 200)])
    with pytest.raises(InvalidInputError) as caught:
        record_spt_bottles(workspace, randomized.name, "d", bad)
    assert "row 2, sucrose_end_g" in str(caught.value) and "row 3, code" in str(caught.value)
    assert spt_results(workspace, randomized.name) == []
    with pytest.raises(InvalidInputError, match="accepted: habituation, baseline, test"):
        create_spt_period(workspace, randomized.name, "x", start, start + timedelta(hours=1), "pilot")

"""Sheets typed in the app: a time-sampling sheet bin by bin, a period's bottle weights as a grid.

What is typed goes through the parser a sheet file goes through, and what is stored is what was typed.
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from behavlab.errors import InvalidInputError
from behavlab.services import (
    Workspace,
    add_fst_session,
    bottle_grid,
    create_spt_period,
    list_events,
    record_manual_score,
    record_typed_spt_bottles,
    spt_results,
)
from behavlab.services.spt import check_typed_bottle_cell
from behavlab.services.time_sampling import TYPED_SHEET, check_sampling_code
from tests.behavlab.randomized_study import RandomizedStudy
from tracking.synth.videos import write_fst_video


@pytest.fixture
def swim_code(workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path) -> str:
    """One animal with a short swim video; its code."""
    code = randomized.code_in_arm(0)
    video = tmp_path / "swim.mp4"
    write_fst_video(video, duration_s=4, fps=5, size=(48, 32), seed=1, latency_s=(1.0, 2.0))
    add_fst_session(workspace, randomized.name, code, video)
    return code


def test_typed_bins_are_stored_as_typed_with_their_counts(
    workspace: Workspace, randomized: RandomizedStudy, swim_code: str
) -> None:
    typed = ["s"] * 12 + ["Climbing"] * 6 + ["I"] * 30
    score = record_manual_score(workspace, randomized.name, swim_code, None, "ana", 20.5, bins=typed)
    assert (score.immobility_s, score.latency_s) == (150.0, 20.5)
    assert json.loads(score.time_sampling) == {"immobile": 30, "swimming": 12, "climbing": 6}
    stored = json.loads(score.parameters)["time_sampling"]
    assert (stored["sheet"], stored["typed"], stored["bin_s"]) == (TYPED_SHEET, typed, 5.0)
    (event,) = [e for e in list_events(workspace, randomized.name) if e.action == "fst.manual_score"]
    payload = json.loads(event.payload)
    assert payload["bins"] == "S" * 12 + "C" * 6 + "I" * 30 and payload["typed"] == typed


def test_a_wrong_typed_bin_is_refused_by_its_number_and_nothing_stored(
    workspace: Workspace, randomized: RandomizedStudy, swim_code: str
) -> None:
    typed = ["I"] * 48
    typed[9] = "f"
    with pytest.raises(InvalidInputError, match=r"bin 10: 'f' is not a known behavior; accepted: immobile"):
        record_manual_score(workspace, randomized.name, swim_code, None, "ana", bins=typed)
    with pytest.raises(InvalidInputError, match="not both"):
        record_manual_score(workspace, randomized.name, swim_code, None, "ana", sheet=Path("x.csv"), bins=[])
    with pytest.raises(InvalidInputError, match="bin 3: 'q'"):
        check_sampling_code(3, "q")
    assert check_sampling_code(3, "S") == "swimming"
    with workspace.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM immobilityscore")).scalar_one() == 0


def test_the_bottle_grid_lists_codes_and_controls_and_stores_the_typed_csv(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    start = randomized.weighed_at
    create_spt_period(workspace, randomized.name, "day1", start, start + timedelta(hours=12))
    grid = bottle_grid(workspace, randomized.name)
    assert grid.rows == [*sorted(randomized.codes.values()), "control", "control"]
    assert grid.open_periods == ["day1"]
    a, b = grid.rows[:2]
    lines = [
        {"code": a, "sucrose_side": "l", "sucrose_start_g": "200", "sucrose_end_g": "194,2",
         "water_start_g": "200", "water_end_g": "198.2"},
        {"code": b, "sucrose_side": "", "sucrose_start_g": "", "sucrose_end_g": "",
         "water_start_g": "", "water_end_g": ""},
        {"code": "control", "sucrose_side": "", "sucrose_start_g": "200", "sucrose_end_g": "199.8",
         "water_start_g": "200", "water_end_g": "199.8"},
    ]  # fmt: skip
    recorded = record_typed_spt_bottles(workspace, randomized.name, "day1", lines)
    assert recorded.n_animals == 1
    (line,) = spt_results(workspace, randomized.name)
    assert (line.code, line.sucrose_side) == (a, "L")
    assert (line.sucrose_ml, line.water_ml) == pytest.approx((5.6, 1.6))
    with workspace.engine.connect() as connection:
        name, content = connection.execute(text("SELECT file_name, content FROM sptsheetfile")).one()
    assert name == "typed in behavlab.csv"
    assert bytes(content).decode() == (
        "code,sucrose_side,sucrose_start_g,sucrose_end_g,water_start_g,water_end_g\n"
        f'{a},l,200,"194,2",200,198.2\ncontrol,,200,199.8,200,199.8\n'
    )
    assert bottle_grid(workspace, randomized.name).open_periods == []


def test_a_faulty_typed_grid_is_refused_whole_naming_each_row_by_its_code(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    start = randomized.weighed_at
    create_spt_period(workspace, randomized.name, "day1", start, start + timedelta(hours=12))
    a, b = sorted(randomized.codes.values())[:2]
    lines = [
        {"code": a, "sucrose_side": "L", "sucrose_start_g": "200", "sucrose_end_g": "201",
         "water_start_g": "200", "water_end_g": "199"},
        {"code": b, "sucrose_side": "R", "sucrose_start_g": "200", "sucrose_end_g": "",
         "water_start_g": "200", "water_end_g": "199"},
    ]  # fmt: skip
    with pytest.raises(InvalidInputError) as caught:
        record_typed_spt_bottles(workspace, randomized.name, "day1", lines)
    message = str(caught.value)
    assert f"typed in behavlab.csv ({a}), row 2, sucrose_end_g: '201'" in message
    assert f"typed in behavlab.csv ({b}), row 3, sucrose_end_g: '' is empty" in message
    assert spt_results(workspace, randomized.name) == []
    with pytest.raises(InvalidInputError, match=rf"^{a}, sucrose_start_g: '200.001' is finer than 0.01 g"):
        check_typed_bottle_cell(a, "sucrose_start_g", "200.001")

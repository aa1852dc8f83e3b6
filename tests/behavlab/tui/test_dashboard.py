"""The dashboard uses its screen: the plan with done and due times, the next step, welfare, a grid by code."""

from datetime import timedelta

from textual.pilot import Pilot
from textual.widgets import Static

from behavlab.services import Workspace, record_dose
from behavlab.services.animals import record_weight
from behavlab.services.display import local_minute
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.screens.dosing import DosingScreen
from behavlab.tui.widgets.row_table import RowTable
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import rendered_text, settle, table_rows

SIZE = (120, 36)


def _text(app: BehavlabApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


#: How many 0.1-s pauses to wait for the grid to paint: a CI worker busy with PostgreSQL took over 2 s.
PAINT_WAITS = 150


async def _grid_lines_shown(pilot: Pilot[None], codes: set[str], needed: int) -> int:
    """Screen lines showing an animal's code, waiting (a while) for `needed`: a busy machine paints late."""
    shown = 0
    for _ in range(PAINT_WAITS):
        shown = sum(any(code in line for code in codes) for line in rendered_text(pilot.app))
        if shown >= needed:
            break
        await pilot.pause(0.1)
    return shown


async def test_the_dashboard_shows_the_plan_the_next_step_welfare_and_every_animal_by_code(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    dosed, thin = randomized.code_in_arm(0), randomized.code_in_arm(1)
    dosed_at = randomized.weighed_at + timedelta(hours=1)
    record_dose(workspace, randomized.name, dosed, at=dosed_at)
    record_weight(workspace, randomized.name, thin, 15.0)  # baselines are 18-23 g: more than 15% lost
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        timeline = _text(app, "#timeline").splitlines()
        assert [line.split()[1] for line in timeline] == [
            "protocol",
            "roster",
            "randomization",
            "dosing",
            "FST",
            "unmask",
        ]
        fst_due = local_minute(dosed_at + timedelta(hours=24))
        dosing, fst = timeline[3], timeline[4]
        assert dosing.startswith("1/24") and "due now" in dosing
        assert fst.startswith("0/24") and f"due {fst_due}" in fst and "0 recorded, 0 scored" in fst
        assert _text(app, "#next") == "next: weigh on the dosing day, then dose 23 coded animals (d)"
        welfare = _text(app, "#welfare")
        assert welfare.startswith("welfare: 1 more than 15% below baseline weight") and thin in welfare
        rows = {row[0]: row for row in table_rows(app.screen, "#progress")}
        assert set(rows) == set(randomized.codes.values())
        header = list(app.screen.query_one("#progress", RowTable).columns)
        assert header[:2] == ["code", "cage"]
        assert rows[dosed][header.index("dosed")] == local_minute(dosed_at)
        assert rows[dosed][header.index("FST due")] == fst_due
        assert rows[thin][header.index("flags")] == "weight loss"
        assert rows[thin][header.index("weighed today")] == "yes"
        assert await _grid_lines_shown(pilot, set(rows), 15) >= 15, "the grid fills the screen"
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DosingScreen)

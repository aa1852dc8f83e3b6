"""The randomize screen draws one cohort at a time and randomizes without a protocol only when confirmed;
the dashboard names the study's factor and its cohorts."""

from pathlib import Path

from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Checkbox, Select, Static

from behavlab.db.session import reading
from behavlab.models import Randomization
from behavlab.services import (
    ProtocolPlan,
    StudySettings,
    Workspace,
    create_study,
    declare_protocol,
    import_roster,
    list_animals,
    list_cohorts,
)
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.screens.randomize import RandomizeScreen
from behavlab.tui.widgets.confirm import ConfirmScreen
from tests.behavlab.factories import write_roster
from tests.behavlab.randomized_study import PASSPHRASE
from tests.behavlab.stress_study import COHORTS, create_stress_study
from tests.behavlab.tui.helpers import notices, open_step, settle, table_rows, type_text

SIZE = (140, 44)


async def _seal(pilot: Pilot[None]) -> None:
    """Type the passphrase twice in the focused field and confirm the commit."""
    for _ in range(2):
        await type_text(pilot, PASSPHRASE)
        await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmScreen)
    await pilot.press("y")
    await settle(pilot)


async def test_a_study_in_cohorts_is_randomized_one_chosen_cohort_at_a_time(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_stress_study(workspace, tmp_path)
    declare_protocol(workspace, "stress", ProtocolPlan("immobility", "motion", 1.2))
    first, second = COHORTS
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "z")
        screen = app.screen
        assert isinstance(screen, RandomizeScreen)
        assert screen.query_one("#cohort-choice").display
        choice = screen.query_one("#cohort", Select)
        assert choice.value == first
        choice.value = second
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert sum(int(row[1]) for row in table_rows(screen, "#balance")) == 16, "the chosen cohort alone"
        await _seal(pilot)
        assert isinstance(app.screen, DashboardScreen)
        drawn = {cohort.name: cohort.randomized for cohort in list_cohorts(workspace, "stress")}
        assert drawn == {first: False, second: True}
        timeline = str(app.screen.query_one("#timeline").render())
        assert "factor: stress (roster column, not randomized)" in timeline
        assert f"cohort {first}: starts {COHORTS[first].isoformat()}, 16 animals, randomized no" in timeline
        assert (
            f"cohort {second}: starts {COHORTS[second].isoformat()}, 16 animals, randomized yes" in timeline
        )
        await pilot.press("z")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RandomizeScreen)
        assert screen.query_one("#randomize-options").display, "a cohort is still to be drawn"
        recorded = str(screen.query_one("#recorded", Static).render())
        assert "randomization 1:" in recorded and "Cohorts not yet randomized" in recorded
        assert screen.query_one("#cohort", Select).value == first


async def test_randomizing_without_a_protocol_is_a_confirmed_choice_and_recorded(
    workspace: Workspace, tmp_path: Path
) -> None:
    create_study(workspace, StudySettings(name="bare"))
    import_roster(workspace, "bare", write_roster(tmp_path / "roster.csv", 8))
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "z")
        screen = app.screen
        assert isinstance(screen, RandomizeScreen)
        assert not screen.query_one("#cohort-choice").display, "no cohorts, no choice"
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert any("has no protocol plan" in message for message in notices(app))
        assert table_rows(screen, "#balance") == []
        waiver = screen.query_one("#no-protocol", Checkbox)
        waiver.value = True
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and not waiver.value, "declined: the box is unticked"
        waiver.value = True
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen and waiver.value
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert sum(int(row[1]) for row in table_rows(screen, "#balance")) == 8
        await _seal(pilot)
        assert all(animal.blind_code for animal in list_animals(workspace, "bare"))
        with reading(workspace.engine) as session:
            (drawn,) = session.exec(select(Randomization)).all()
        assert drawn.protocol_waived and drawn.protocol_id is None
        await pilot.press("z")
        await settle(pilot)
        recorded = str(app.screen.query_one("#recorded", Static).render())
        assert "without a protocol (waiver recorded)" in recorded
        assert "The study is randomized" in recorded

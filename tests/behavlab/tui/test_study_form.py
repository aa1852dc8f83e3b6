"""The new-study form takes any number of arms (NAME:SUBSTANCE:DOSE[:STOCK]; ...) and a reference arm."""

from textual.widgets import Input, Static

from behavlab.services import Workspace, get_study, list_studies
from behavlab.tui.app import BehavlabApp
from behavlab.tui.widgets.form import FormScreen


async def _submit(workspace: Workspace, values: dict[str, str]) -> str:
    """Type the values into the new-study form and save; the refusal shown if the form stayed open."""
    app = BehavlabApp(workspace)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        for name, value in values.items():
            form.query_one(f"#field-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        if isinstance(app.screen, FormScreen):
            return str(app.screen.query_one("#refusal", Static).render())
    return ""


async def test_the_form_creates_a_dose_response_study(workspace: Workspace) -> None:
    arms = "vehicle:saline:0; ket3:ketamine:3; ket10:ketamine:10; ket30:ketamine:30:3"
    assert await _submit(workspace, {"name": "dr", "arms": arms, "reference": "vehicle"}) == ""
    overview = get_study(workspace, "dr")
    assert [(arm.name, arm.dose_mg_per_kg) for arm in overview.arms] == [
        ("vehicle", 0.0),
        ("ket3", 3.0),
        ("ket10", 10.0),
        ("ket30", 30.0),
    ]
    assert overview.reference.name == "vehicle"


async def test_the_form_refuses_bad_arms_and_stays_open(workspace: Workspace) -> None:
    refusal = await _submit(workspace, {"name": "bad", "arms": "vehicle:saline:0; x:ketamine:ten"})
    assert "--arm 2, dose_mg_per_kg: 'ten' is not a number" in refusal
    assert list_studies(workspace) == []

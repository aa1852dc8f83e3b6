"""The protocol form (p on the dashboard): the whole plan recorded through the services, and a change refused
without its reason, keeping the form as typed."""

from textual.widgets import Input, Select, Static

from behavlab.services import StudySettings, Workspace, create_study, study_protocol
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.widgets.form import FormScreen
from tests.behavlab.tui.helpers import settle

SIZE = (140, 60)


async def test_the_form_records_the_plan_and_a_change_needs_its_reason(workspace: Workspace) -> None:
    create_study(workspace, StudySettings(name="planned"))
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-outcome", Select).value = "fst_immobility_s"
        form.query_one("#field-method", Select).value = "motion"
        form.query_one("#field-smallest_effect_d", Input).value = "1.2"
        form.query_one("#field-exclusion", Input).value = "injured before the test"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        declared = study_protocol(workspace, "planned")
        assert declared is not None and declared.plan is not None and declared.plan_sha256 is not None
        assert (declared.plan.test, declared.plan.planned_n_per_arm) == ("welch-t", 12)
        assert declared.plan.exclusion_criteria == "injured before the test"
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-smallest_effect_d", Input).value == "1.2"
        form.query_one("#field-smallest_effect_d", Input).value = "0.9"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "a change without its reason keeps the form"
        assert "needs its reason" in str(form.query_one("#refusal", Static).render())
        form.query_one("#field-reason", Input).value = "pilot variance was larger"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        changed = study_protocol(workspace, "planned")
        assert changed is not None and changed.plan is not None
        assert (changed.version, changed.plan.smallest_effect_d) == (2, 0.9)
        assert changed.plan_sha256 != declared.plan_sha256

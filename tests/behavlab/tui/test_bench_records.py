"""Bench settings and corrections in the terminal app: a study's syringe and balance settings as typed, the
primary outcome declared and changed with a reason, a wrong dose, weight, score or session voided with its
reason after a dialog that names it, and quick weights checked to the study's balance precision."""

import json
from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static

from behavlab.services import (
    StudySettings,
    Workspace,
    add_fst_session,
    create_study,
    get_study,
    import_roster,
    list_animals,
    list_events,
    list_fst_sessions,
    list_voided,
    record_dose,
    record_manual_score,
    record_weights,
    study_protocol,
)
from behavlab.services.display import local_minute
from behavlab.tui.app import BehavlabApp
from behavlab.tui.screens.animals import AnimalsScreen
from behavlab.tui.screens.dashboard import DashboardScreen
from behavlab.tui.screens.dosing import DosingScreen
from behavlab.tui.screens.fst import FstScreen
from behavlab.tui.screens.studies import StudiesScreen
from behavlab.tui.widgets.form import FormScreen
from behavlab.tui.widgets.row_table import RowTable
from tests.behavlab.factories import baseline_weights, earlier_today, write_roster, write_weights
from tests.behavlab.randomized_study import RandomizedStudy
from tests.behavlab.tui.helpers import notices, open_step, settle, table_rows, type_text
from tracking.synth.videos import write_fst_video

SIZE = (140, 44)


def _dialog_text(form: FormScreen) -> str:
    return " ".join(str(part.render()) for part in form.query(Static))


async def test_a_study_is_created_with_the_syringe_and_balance_settings_as_typed(
    workspace: Workspace,
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await type_text(pilot, "fine")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-syringe_graduation_ml", Input).value = "0,005"
        form.query_one("#field-volume_tolerance_pct", Input).value = "three"
        form.query_one("#field-weight_precision_g", Input).value = "0.01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "a refused setting keeps the form as typed"
        assert "volume tolerance %" in str(form.query_one("#refusal", Static).render())
        assert form.query_one("#field-syringe_graduation_ml", Input).value == "0,005"
        form.query_one("#field-volume_tolerance_pct", Input).value = "3"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StudiesScreen)
        study = get_study(workspace, "fine").study
        assert (study.syringe_graduation_ml, study.volume_tolerance_pct, study.weight_precision_g) == (
            0.005,
            3.0,
            0.01,
        )
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.sub_title.startswith("fine | syringe 0.005 mL ±3% | weights to 0.01 g")


async def test_the_primary_outcome_is_declared_then_changed_with_a_reason(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.sub_title.endswith("primary: not declared")
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-outcome", Select).value = "fst_immobility_s"
        form.query_one("#field-method", Select).value = "manual"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.sub_title.endswith("primary: fst_immobility_s by manual")
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert "Declared: fst_immobility_s by manual (version 1" in _dialog_text(form)
        assert form.query_one("#field-method", Select).value == "manual"
        form.query_one("#field-method", Select).value = "motion"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "a change without its reason is refused and keeps the dialog"
        assert "needs its reason" in str(form.query_one("#refusal", Static).render())
        assert form.query_one("#field-method", Select).value == "motion"
        form.query_one("#field-reason", Input).focus()
        await type_text(pilot, "motion was validated against hand scores")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        declared = study_protocol(workspace, randomized.name)
        assert declared is not None
        assert (declared.version, declared.primary_method, declared.reason) == (
            2,
            "motion",
            "motion was validated against hand scores",
        )
        assert ("p", "Protocol") in [
            (binding.key, binding.description) for (_, binding, *_rest) in app.screen.active_bindings.values()
        ]


async def test_a_dose_is_voided_after_a_dialog_naming_it_and_the_animal_can_be_dosed_again(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    weighed = earlier_today(minutes=5)
    record_weights(
        workspace, randomized.name, write_weights(tmp_path / "today.csv", baseline_weights(24), weighed)
    )
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "d")
        table = app.screen.query_one("#dosing", RowTable)
        code, volume = str(table.get_row_at(0)[0]), str(table.get_row_at(0)[4])
        await pilot.press("space")
        await settle(pilot)
        (dose,) = [e for e in list_events(workspace, randomized.name) if e.action == "dose.record"]
        table.move_cursor(row=0)
        await pilot.press("v")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        text = _dialog_text(form)
        assert f"dose of {float(volume):g} mL to {code}" in text and f"given {local_minute(dose.at)}" in text
        await pilot.press("escape")
        await settle(pilot)
        assert list_voided(workspace, randomized.name) == []
        await pilot.press("v")
        await settle(pilot)
        await type_text(pilot, "wrong animal in hand")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DosingScreen)
        (voided,) = list_voided(workspace, randomized.name)
        assert (voided.entity, voided.code, voided.reason) == ("dose", code, "wrong animal in hand")
        table = app.screen.query_one("#dosing", RowTable)
        assert table.get_row_at(0)[0] == code and table.get_row_at(0)[5] == "", "shown as not dosed"
        table.move_cursor(row=0)
        await pilot.press("space")
        await settle(pilot)
        assert isinstance(app.screen, DosingScreen), "dosed again without a reason"
        doses = [e for e in list_events(workspace, randomized.name) if e.action == "dose.record"]
        assert len(doses) == 2 and json.loads(doses[1].payload)["repeat_reason"] is None


async def test_a_weight_is_voided_from_the_animals_screen(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    first = list_animals(workspace, randomized.name)[0]
    assert first.last_weight_g is not None and first.last_weighed_at is not None
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "a")
        await pilot.press("v")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        text = _dialog_text(form)
        assert f"weight {first.last_weight_g:g} g of {first.label}" in text
        assert f"measured {local_minute(first.last_weighed_at)}" in text
        await type_text(pilot, "balance not tared")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AnimalsScreen)
        (voided,) = list_voided(workspace, randomized.name)
        assert (voided.entity, voided.reason) == ("weight", "balance not tared")
        assert table_rows(app.screen, "#animals")[0][4] == ""
        assert list_animals(workspace, randomized.name)[0].last_weight_g is None


async def test_a_score_then_its_session_are_voided_from_the_fst_screen(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    code = randomized.code_in_arm(0)
    record_dose(workspace, randomized.name, code, at=randomized.weighed_at + timedelta(hours=1))
    video = write_fst_video(tmp_path / "fst.mp4", duration_s=1, fps=10, size=(96, 64)).video
    view = add_fst_session(workspace, randomized.name, code, video)
    record_manual_score(workspace, randomized.name, code, 150.0, "scorer")
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        await open_step(pilot, "f")
        assert "manual 150.0" in table_rows(app.screen, "#sessions")[0][6]
        await pilot.press("v")
        await settle(pilot)
        assert f"manual score of FST session {view.id}: immobile 150.0 s" in _dialog_text(app.screen)
        await type_text(pilot, "scored the wrong video")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FstScreen)
        assert table_rows(app.screen, "#sessions")[0][6] == "-"
        await pilot.press("V")
        await settle(pilot)
        assert f"FST session {view.id} (" in _dialog_text(app.screen)
        await type_text(pilot, "the animal was not this one")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [(v.entity, v.record_id) for v in list_voided(workspace, randomized.name)][1] == (
            "session",
            view.id,
        )
        assert table_rows(app.screen, "#sessions") == []
        assert list_fst_sessions(workspace, randomized.name) == []


async def test_quick_weights_are_checked_to_the_study_balance_precision(
    workspace: Workspace, tmp_path: Path
) -> None:
    roster = write_roster(tmp_path / "roster.csv", 2, with_weights=False)
    create_study(workspace, StudySettings(name="coarse"))
    create_study(workspace, StudySettings(name="fine", weight_precision_g=0.01))
    for name in ("coarse", "fine"):
        import_roster(workspace, name, roster)
    app = BehavlabApp(workspace)
    async with app.run_test(size=SIZE) as pilot:
        for row, name in enumerate(("coarse", "fine")):
            await settle(pilot)
            app.screen.query_one("#studies", DataTable).move_cursor(row=row)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen.sub_title.startswith(f"{name} | ")
            await pilot.press("a")
            await settle(pilot)
            await pilot.press("w")
            await type_text(pilot, "20.05")
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("escape", "escape", "escape")
        refusals = [message for message in notices(app) if "20.05" in message]
        assert len(refusals) == 1 and "finer than 0.1 g" in refusals[0]
    assert [a.last_weight_g for a in list_animals(workspace, "coarse")] == [None, None]
    assert list_animals(workspace, "fine")[0].last_weight_g == 20.05

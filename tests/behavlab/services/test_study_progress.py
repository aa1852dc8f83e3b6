"""A study's plan and progress: concrete due times, done flags and the next step at each stage, by code."""

from collections.abc import Hashable
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from behavlab.services import (
    StudySettings,
    Workspace,
    add_fst_session,
    create_spt_period,
    create_study,
    import_roster,
    record_dose,
    record_manual_score,
    record_spt_bottles,
    unmask_study,
)
from behavlab.services.animals import record_weight
from behavlab.services.study_plan import PlanStep, StepKind, next_of
from behavlab.services.study_progress import StudyProgress, study_progress
from tests.behavlab.factories import write_roster
from tests.behavlab.leaks import arm_separating_columns
from tests.behavlab.randomized_study import PASSPHRASE, RandomizedStudy
from tests.behavlab.tui.helpers import write_bottles
from tracking.synth.videos import write_fst_video


def _step(progress: StudyProgress, label: str) -> PlanStep:
    return next(step for step in progress.steps if step.label == label)


def _dose_all(workspace: Workspace, randomized: RandomizedStudy) -> dict[str, datetime]:
    """Dose every animal from 10:00 on the weighing day, a minute apart in code order."""
    start = randomized.weighed_at + timedelta(hours=1)
    times = {code: start + timedelta(minutes=i) for i, code in enumerate(sorted(randomized.codes.values()))}
    for code, at in times.items():
        record_dose(workspace, randomized.name, code, at=at)
    return times


def test_an_unweighed_roster_comes_first_and_rows_are_by_lab_id(workspace: Workspace, tmp_path: Path) -> None:
    create_study(workspace, StudySettings(name="fresh"))
    import_roster(workspace, "fresh", write_roster(tmp_path / "roster.csv", 4, with_weights=False))
    progress = study_progress(workspace, "fresh")
    kinds = [step.kind for step in progress.steps]
    assert kinds == [
        StepKind.PROTOCOL,
        StepKind.ROSTER,
        StepKind.RANDOMIZATION,
        StepKind.DOSING,
        StepKind.FST,
        StepKind.UNMASK,
    ]
    assert [step.done for step in progress.steps] == [True, False, False, False, False, False]
    assert progress.next_step is not None and progress.next_step.todo == "weigh every animal"
    assert sorted(row.key for row in progress.animals) == ["F001", "F002", "M001", "M002"]


def test_the_randomized_study_is_due_for_dosing_then_each_fst_at_its_dose_plus_the_interval(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    dosing_morning = randomized.weighed_at + timedelta(hours=3)
    before = study_progress(workspace, randomized.name, now=dosing_morning)
    assert before.next_step is not None and before.next_step.kind is StepKind.DOSING
    assert before.next_step.todo == "weigh on the dosing day, then dose 24 coded animals"
    assert {row.key for row in before.animals} == set(randomized.codes.values())
    assert all(row.weighed_today for row in before.animals)
    assert not any(row.weighed_today for row in study_progress(workspace, randomized.name).animals)

    times = _dose_all(workspace, randomized)
    progress = study_progress(workspace, randomized.name, now=dosing_morning)
    dosing, fst = _step(progress, "dosing"), _step(progress, "FST")
    assert (dosing.done, dosing.n_done, dosing.done_at) == (True, 24, max(times.values()))
    first, last = min(times.values()), max(times.values())
    assert (fst.done, fst.due_from, fst.due_until) == (
        False,
        first + timedelta(hours=24),
        last + timedelta(hours=24),
    )
    rows = {row.key: row for row in progress.animals}
    for code, at in times.items():
        assert (rows[code].dosed_at, rows[code].fst_due_at, rows[code].n_doses) == (
            at,
            at + timedelta(hours=24),
            1,
        )
    assert progress.next_step == fst  # not due yet: the step due soonest
    assert fst.todo == "record the FST of 24 animals, each 24 h after its dose"


def test_spt_periods_fall_in_the_plan_by_time_and_are_done_with_their_bottle_sheet(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    start = randomized.weighed_at
    create_spt_period(
        workspace, randomized.name, "base", start - timedelta(hours=14), start, phase="baseline"
    )
    times = _dose_all(workspace, randomized)
    create_spt_period(
        workspace, randomized.name, "day1", start + timedelta(hours=2), start + timedelta(hours=14)
    )
    at_noon = start + timedelta(hours=3)
    progress = study_progress(workspace, randomized.name, now=at_noon)
    labels = [step.label for step in progress.steps]
    assert labels == [
        "protocol",
        "roster",
        "randomization",
        "SPT base",
        "dosing",
        "SPT day1",
        "FST",
        "unmask",
    ]
    assert _step(progress, "dosing").due_from == start  # after the baseline period's bottles
    assert progress.next_step == _step(progress, "SPT base")  # ended, its sheet is still missing
    code = min(times)
    record_spt_bottles(
        workspace,
        randomized.name,
        "base",
        write_bottles(tmp_path / "b.csv", [(code, "L", 200, 190, 200, 198)]),
    )
    progress = study_progress(workspace, randomized.name, now=at_noon)
    base, day1 = _step(progress, "SPT base"), _step(progress, "SPT day1")
    assert (base.done, base.n_done, base.done_at) == (True, 1, start)
    assert progress.next_step == day1 and "set out the bottles of SPT day1" in day1.todo
    assert next(row for row in progress.animals if row.key == code).spt_done == 1
    late = study_progress(workspace, randomized.name, now=start + timedelta(hours=15))
    assert late.next_step is not None and late.next_step.todo == "enter the bottle weights of SPT day1"


def test_fst_sessions_are_recorded_then_scored_and_unmasking_ends_the_plan(
    workspace: Workspace, randomized: RandomizedStudy, tmp_path: Path
) -> None:
    times = _dose_all(workspace, randomized)
    code = min(times)
    video = write_fst_video(tmp_path / "fst.mp4", duration_s=1, fps=10, size=(96, 64)).video
    add_fst_session(workspace, randomized.name, code, video, tested_at=times[code] + timedelta(hours=24))
    next_day = times[code] + timedelta(hours=25)
    progress = study_progress(workspace, randomized.name, now=next_day)
    fst = _step(progress, "FST")
    assert progress.next_step == fst and fst.todo == "score the recorded FST sessions (1 unscored)"
    record_manual_score(workspace, randomized.name, code, 120.0, "blind scorer")
    progress = study_progress(workspace, randomized.name, now=next_day)
    fst = _step(progress, "FST")
    assert (fst.n_done, fst.due_from) == (1, sorted(times.values())[1] + timedelta(hours=24))
    assert fst.todo == "record the FST of 23 animals, each 24 h after its dose"
    assert next(row for row in progress.animals if row.key == code).fst_scored
    unmask_study(workspace, randomized.name, PASSPHRASE, force_reason="progress test")
    progress = study_progress(workspace, randomized.name, now=next_day)
    assert progress.next_step is None and _step(progress, "unmask").done
    assert _step(progress, "unmask").done_at is not None


def test_weight_loss_beyond_the_limit_is_flagged_per_animal(
    workspace: Workspace, randomized: RandomizedStudy
) -> None:
    label = sorted(randomized.codes)[0]
    code = randomized.codes[label]
    baseline = next(row for row in study_progress(workspace, randomized.name).animals if row.key == code)
    assert baseline.last_weight_g is not None
    record_weight(workspace, randomized.name, code, round(baseline.last_weight_g * 0.8, 1))
    progress = study_progress(workspace, randomized.name)
    (flagged,) = progress.flagged
    assert flagged.key == code and flagged.weighed_today
    assert flagged.weight_change_pct is not None and -20.5 < flagged.weight_change_pct < -19.5


def test_no_progress_column_splits_the_arms(workspace: Workspace, randomized: RandomizedStudy) -> None:
    _dose_all(workspace, randomized)
    progress = study_progress(workspace, randomized.name)
    arm_of: dict[Hashable, str | int] = {
        randomized.codes[label]: arm for label, arm in randomized.arms.items()
    }
    rows: dict[Hashable, list[dict[str, Any]]] = {
        row.key: [{k: v for k, v in asdict(row).items() if k != "key"}] for row in progress.animals
    }
    assert arm_separating_columns(rows, arm_of) == []


def _plain(kind: StepKind, done: bool = False, due: datetime | None = None) -> PlanStep:
    return PlanStep(kind, str(kind), done, 0, 1, "", f"do {kind}", due_from=due)


def _next_kind(steps: list[PlanStep], now: datetime) -> StepKind | None:
    step = next_of(steps, now)
    return None if step is None else step.kind


def test_next_follows_the_plan_not_a_fixed_list() -> None:
    now = datetime(2025, 3, 3, 12, 0).astimezone()
    later, earlier = now + timedelta(hours=2), now - timedelta(hours=1)
    roster, dosing, fst, spt, unmask = (
        StepKind.ROSTER,
        StepKind.DOSING,
        StepKind.FST,
        StepKind.SPT,
        StepKind.UNMASK,
    )
    assert _next_kind([_plain(roster, True), _plain(dosing), _plain(fst), _plain(unmask)], now) is dosing
    # an untimed step waits for the steps before it: the timed step due soonest comes first
    assert (
        _next_kind([_plain(roster, True), _plain(spt, due=later), _plain(dosing), _plain(unmask)], now) is spt
    )
    assert _next_kind([_plain(dosing, True), _plain(fst, due=later), _plain(spt, due=earlier)], now) is spt
    assert _next_kind([_plain(fst, True), _plain(unmask)], now) is unmask
    assert _next_kind([_plain(fst), _plain(unmask)], now) is fst  # unmasking waits for every other step
    assert _next_kind([_plain(fst, True), _plain(unmask, True)], now) is None

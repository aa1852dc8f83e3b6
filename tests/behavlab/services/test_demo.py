"""The demo study keeps the key holder apart from the technician, as a blinded study must, and films its FST
videos as labs record them: scoring finds each animal's own start and scores it right over its own window."""

from collections import Counter
from itertools import pairwise
from pathlib import Path

from sqlmodel import select

from behavlab.db.session import reading
from behavlab.models import Animal, Randomization
from behavlab.services import (
    DemoPlan,
    Workspace,
    build_report_data,
    list_fst_sessions,
    run_demo,
    unmask_study,
    write_study_report,
)
from behavlab.services.demo import DEMO_KEY_HOLDER, DEMO_PASSPHRASE, DEMO_STUDY, DROP_GAP_S, FIRST_DROP_S
from behavlab.services.demo_designs import DESIGNS, STRESS
from behavlab.services.fst_outcomes import fst_outcomes
from behavlab.services.study_state import recorded_randomizations
from tests.tracking.motion.test_staggered_accuracy import IMMOBILITY_TOLERANCE_S, START_TOLERANCE_S
from tracking.rules.presets import FST_DURATION_S
from tracking.rules.starts import StartSource
from tracking.synth.truth import load_truth


def test_the_dose_response_demo_is_randomized_under_its_protocol_by_a_key_holder_who_neither_doses_nor_scores(
    workspace: Workspace, tmp_path: Path
) -> None:
    report = run_demo(workspace, tmp_path, DemoPlan(n_animals=8, jobs=1))
    overview = report.overview
    assert [(arm.name, arm.dose_mg_per_kg) for arm in overview.arms] == [
        ("vehicle", 0.0),
        ("ket3", 3.0),
        ("ket10", 10.0),
        ("ket30", 30.0),
    ]
    assert overview.reference.name == "vehicle"
    assert overview.protocol is not None and overview.protocol.before_randomization
    assert overview.protocol.plan is not None and overview.protocol.plan.test == "welch-anova+dunnett"
    (drawn,) = _randomizations(workspace)
    assert drawn.protocol_id is not None and not drawn.protocol_waived
    stages = {stage.stage: stage for stage in build_report_data(workspace, DEMO_STUDY).blinding.stages}
    assert stages["allocation"].people == (DEMO_KEY_HOLDER,)
    assert stages["conduct"].people == (workspace.actor,) and not stages["conduct"].knew_allocation
    assert not stages["outcome assessment"].knew_allocation
    _check_the_demo_reports(workspace, tmp_path, [arm.name for arm in overview.arms])


def _check_the_demo_reports(workspace: Workspace, tmp_path: Path, arms: list[str]) -> None:
    """Blind, the report gives the protocol, no arm; unmasked, the declared Dunnett, deviations, every arm."""
    blind = write_study_report(workspace, DEMO_STUDY, tmp_path / "blind").files
    markdown = blind.markdown.read_text()
    assert "The protocol in force, sealed before randomization" in markdown
    assert "welch-anova+dunnett" in markdown
    for path in (blind.markdown, blind.html, blind.csv):
        text = path.read_text()
        assert not any(arm in text for arm in arms[1:]), path
    unmask_study(workspace, DEMO_STUDY, DEMO_PASSPHRASE)
    markdown = write_study_report(workspace, DEMO_STUDY, tmp_path / "report").files.markdown.read_text()
    assert "Primary analysis, pre-declared in the protocol" in markdown
    assert "Primary test: Dunnett's comparisons with the reference" in markdown
    assert all(f"{arm} - vehicle" in markdown for arm in arms[1:])
    assert "## Deviations from the protocol" in markdown
    assert "Sample size per arm: planned and reached" in markdown


def test_the_demo_films_staggered_drops_and_scores_each_animal_from_its_detected_start(
    workspace: Workspace, tmp_path: Path
) -> None:
    report = run_demo(workspace, tmp_path, DemoPlan(n_animals=8, jobs=1))
    immobility = fst_outcomes(workspace, DEMO_STUDY).immobility_s
    sessions = {view.code: view for view in list_fst_sessions(workspace, DEMO_STUDY)}
    assert len(report.starts) == len(sessions) == 8
    filmed_by_video: dict[str, list[float]] = {}
    for start in report.starts:
        filmed_by_video.setdefault(sessions[start.code].video, []).append(start.filmed_s)
    assert len(filmed_by_video) == 2, "four tanks to a video"
    for drops in filmed_by_video.values():
        filmed = sorted(drops)
        assert FIRST_DROP_S[0] <= filmed[0] <= FIRST_DROP_S[1]
        gaps = [later - earlier for earlier, later in pairwise(filmed)]
        assert all(DROP_GAP_S[0] - 0.1 <= gap <= DROP_GAP_S[1] + 0.1 for gap in gaps), filmed
    for start in report.starts:
        assert start.stored is not None and start.stored.source == StartSource.DETECTED.value, start
        assert abs(start.stored.start_s - start.filmed_s) <= START_TOLERANCE_S, start
        assert f"{start.code}: start {start.stored.start_s:.1f} s detected (filmed " in start.line()
        view = sessions[start.code]
        truth = load_truth((tmp_path / view.video).with_suffix(".truth.json"))
        tank = next(tank for tank in truth.tanks if tank.roi.label == view.roi_label)
        assert tank.entry_s == start.filmed_s
        assert truth.n_frames / truth.fps >= tank.entry_s + FST_DURATION_S
        error = immobility[start.code]["motion"] - tank.test_immobility_s()
        assert abs(error) <= IMMOBILITY_TOLERANCE_S, (start.code, error)


def test_the_stress_demo_stratifies_by_its_roster_factor_and_declares_the_interaction(
    workspace: Workspace, tmp_path: Path
) -> None:
    report = run_demo(workspace, tmp_path, DemoPlan(design=STRESS, n_animals=12, jobs=1))
    study = report.overview.study
    assert study.name == DESIGNS[STRESS].study and study.factor_name == "stress"
    assert [arm.dose_mg_per_kg for arm in report.overview.arms] == [0.0, 10.0]
    plan = report.protocol.plan
    assert plan is not None and (plan.test, plan.comparisons) == ("two-way-anova", ("drug-x-factor",))
    with reading(workspace.engine) as session:
        levels = Counter(session.exec(select(Animal.sex, Animal.factor_level)).all())
    assert levels == {("M", "CUS"): 3, ("M", "control"): 3, ("F", "CUS"): 3, ("F", "control"): 3}
    (recorded,) = recorded_randomizations(workspace, study.name)
    assert "stress" in recorded.strata and not recorded.protocol_waived
    assert report.scoring.scored == 12 and not report.scoring.failures


def _randomizations(workspace: Workspace) -> list[Randomization]:
    with reading(workspace.engine) as session:
        return list(session.exec(select(Randomization)).all())

"""The demo study keeps the key holder apart from the technician, as a blinded study must, and films its FST
videos as labs record them: scoring finds each animal's own start and scores it right over its own window."""

from itertools import pairwise
from pathlib import Path

from behavlab.services import DemoPlan, Workspace, build_report_data, list_fst_sessions, run_demo
from behavlab.services.demo import DEMO_KEY_HOLDER, DEMO_STUDY, DROP_GAP_S, FIRST_DROP_S
from behavlab.services.fst_outcomes import fst_outcomes
from tests.tracking.motion.test_staggered_accuracy import IMMOBILITY_TOLERANCE_S, START_TOLERANCE_S
from tracking.rules.presets import FST_DURATION_S
from tracking.rules.starts import StartSource
from tracking.synth.truth import load_truth


def test_the_demo_key_holder_neither_doses_nor_scores(workspace: Workspace, tmp_path: Path) -> None:
    run_demo(workspace, tmp_path, DemoPlan(n_animals=4, jobs=1))
    stages = {stage.stage: stage for stage in build_report_data(workspace, DEMO_STUDY).blinding.stages}
    assert stages["allocation"].people == (DEMO_KEY_HOLDER,)
    assert stages["conduct"].people == (workspace.actor,) and not stages["conduct"].knew_allocation
    assert not stages["outcome assessment"].knew_allocation


def test_the_demo_films_staggered_drops_and_scores_each_animal_from_its_detected_start(
    workspace: Workspace, tmp_path: Path
) -> None:
    report = run_demo(workspace, tmp_path, DemoPlan(n_animals=4, jobs=1))
    filmed = sorted(start.filmed_s for start in report.starts)
    assert FIRST_DROP_S[0] <= filmed[0] <= FIRST_DROP_S[1]
    gaps = [later - earlier for earlier, later in pairwise(filmed)]
    assert all(DROP_GAP_S[0] - 0.1 <= gap <= DROP_GAP_S[1] + 0.1 for gap in gaps), filmed
    immobility = fst_outcomes(workspace, DEMO_STUDY).immobility_s
    sessions = {view.code: view for view in list_fst_sessions(workspace, DEMO_STUDY)}
    assert len(report.starts) == len(sessions) == 4
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

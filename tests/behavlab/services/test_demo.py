"""The demo study keeps the key holder apart from the technician, as a blinded study must."""

from pathlib import Path

from behavlab.services import DemoPlan, Workspace, build_report_data, run_demo
from behavlab.services.demo import DEMO_KEY_HOLDER, DEMO_STUDY


def test_the_demo_key_holder_neither_doses_nor_scores(workspace: Workspace, tmp_path: Path) -> None:
    run_demo(workspace, tmp_path, DemoPlan(n_animals=4, jobs=1))
    stages = {stage.stage: stage for stage in build_report_data(workspace, DEMO_STUDY).blinding.stages}
    assert stages["allocation"].people == (DEMO_KEY_HOLDER,)
    assert stages["conduct"].people == (workspace.actor,) and not stages["conduct"].knew_allocation
    assert not stages["outcome assessment"].knew_allocation

"""The demo: the lab's standard study run end to end on a fresh embedded database."""

from behavlab.services.studies import StudyOverview, StudySettings, create_study
from behavlab.services.workspace import Workspace

DEMO_STUDY = "demo-ketamine-fst"


def run_demo(workspace: Workspace) -> StudyOverview:
    """Create the demo study (ketamine 10 mg/kg i.p. against saline at 10 mL/kg) in an empty workspace."""
    return create_study(workspace, StudySettings(name=DEMO_STUDY))

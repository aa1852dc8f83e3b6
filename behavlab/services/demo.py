"""The demo: the lab's standard study run end to end on a fresh embedded database with synthetic mice."""

from dataclasses import dataclass
from pathlib import Path

from behavlab.services.animals import import_roster, record_weights
from behavlab.services.dosing import dosing_sheet, record_dose, write_dosing_sheet
from behavlab.services.randomization import RandomizationOptions, commit_randomization, draft_randomization
from behavlab.services.studies import StudyOverview, StudySettings, create_study, get_study
from behavlab.services.workspace import Workspace
from cohorts.balance import BalanceReport
from cohorts.synth import synthetic_roster, write_roster_csv

DEMO_STUDY = "demo-ketamine-fst"
DEMO_ANIMALS = 24
DEMO_SEED = 20261125
DEMO_PASSPHRASE = "demo passphrase, never for a real study"


@dataclass(frozen=True)
class DemoReport:
    """What the demo did: the study, its balance, the commitment, how many doses, which files it wrote."""

    overview: StudyOverview
    balance: BalanceReport
    commitment: str
    n_doses: int
    files: list[Path]


def run_demo(workspace: Workspace, directory: Path) -> DemoReport:
    """Create the demo study, import 24 synthetic mice, weigh, randomize (sealed), and dose every animal."""
    create_study(workspace, StudySettings(name=DEMO_STUDY))
    roster = write_roster_csv(synthetic_roster(DEMO_ANIMALS, seed=DEMO_SEED), directory / "roster.csv")
    import_roster(workspace, DEMO_STUDY, roster)
    weights = directory / "weights-dosing-day.csv"
    weights.write_text(
        "animal_id,weight_g\n"
        + "".join(
            f"{entry.animal_id},{(entry.weight_g or 0) + 0.2:.1f}\n"
            for entry in synthetic_roster(DEMO_ANIMALS, seed=DEMO_SEED)
        ),
        encoding="utf-8",
    )
    record_weights(workspace, DEMO_STUDY, weights)
    draft = draft_randomization(workspace, DEMO_STUDY, RandomizationOptions(seed=DEMO_SEED))
    preparer = directory / "preparer-sheet.csv"
    committed = commit_randomization(workspace, draft, DEMO_PASSPHRASE, preparer_sheet=preparer)
    sheet = dosing_sheet(workspace, DEMO_STUDY)
    sheet_files = [
        write_dosing_sheet(sheet, directory / f"dosing-sheet.{suffix}") for suffix in ("csv", "html")
    ]
    for line in sheet.lines:
        record_dose(workspace, DEMO_STUDY, line.code)
    return DemoReport(
        overview=get_study(workspace, DEMO_STUDY),
        balance=draft.balance,
        commitment=committed.commitment,
        n_doses=len(sheet.lines),
        files=[roster, weights, preparer, *sheet_files],
    )

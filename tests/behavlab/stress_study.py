"""A stress x drug study run in two cohorts: its roster (stress and cohort columns) and how it is set up."""

from datetime import date, timedelta
from pathlib import Path

from behavlab.services import StudySettings, Workspace, add_cohort, create_study, import_roster
from tests.behavlab.factories import write_csv

STRESS_LEVELS = ("CUS", "control")
COHORTS = {"wave 1": date(2026, 1, 5), "wave 2": date(2026, 1, 26)}


def stress_rows(
    n_cages: int = 8, per_cage: int = 4, cohorts: tuple[str, ...] = tuple(COHORTS)
) -> list[dict[str, str]]:
    """Cages of one sex and one stress level; every (sex, stress) pair in each cohort ("" when none)."""
    born = (date.today() - timedelta(weeks=9)).isoformat()
    rows = []
    for cage in range(n_cages):
        for mate in range(per_cage):
            rows.append(
                {
                    "animal_id": f"S{cage:02d}{mate}",
                    "sex": "MF"[cage % 2],
                    "strain": "C57BL/6J",
                    "dob": born,
                    "cage": f"K{cage:02d}",
                    "weight_g": f"{20 + (cage * per_cage + mate) % 7:.1f}",
                    "stress": STRESS_LEVELS[cage // 2 % 2],
                    "cohort": cohorts[cage * len(cohorts) // n_cages] if cohorts else "",
                }
            )
    return rows


def create_stress_study(
    workspace: Workspace, folder: Path, name: str = "stress", settings: StudySettings | None = None
) -> Path:
    """Create the study (factor stress, two cohorts three weeks apart), import its roster and return it."""
    create_study(workspace, settings or StudySettings(name=name, factor_name="stress"))
    for cohort, starts_on in COHORTS.items():
        add_cohort(workspace, name, cohort, starts_on)
    roster = write_csv(folder / "stress-roster.csv", stress_rows())
    import_roster(workspace, name, roster)
    return roster

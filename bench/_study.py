"""The small blinded study the README pictures start from: synthetic mice weighed, randomized and sealed."""

import csv
from datetime import datetime
from pathlib import Path

from behavlab.services import (
    RandomizationOptions,
    StudySettings,
    Workspace,
    commit_randomization,
    create_study,
    draft_randomization,
    import_roster,
    record_weights,
)
from cohorts.synth import synthetic_roster, write_roster_csv

#: The seed every picture's allocation is drawn with, so the pictures are the same each run.
SEED = 2024


def weighed_randomized_study(
    workspace: Workspace,
    folder: Path,
    name: str,
    *,
    n_animals: int,
    weighed: datetime,
    roster_weighed: datetime,
    passphrase: str,
    no_protocol: bool = False,
) -> list[str]:
    """Create the study, weigh, randomize and seal it; the blind codes, sorted.

    `n_animals` synthetic mice are imported (their roster weights taken at `roster_weighed`) and each is
    weighed again at `weighed`.
    """
    create_study(workspace, StudySettings(name=name))
    roster = synthetic_roster(n_animals)
    import_roster(workspace, name, write_roster_csv(roster, folder / "roster.csv"), weighed_at=roster_weighed)
    weights = folder / "weights.csv"
    with weights.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["animal_id", "weight_g", "measured_at"])
        writer.writerows((entry.animal_id, entry.weight_g, weighed.isoformat()) for entry in roster)
    record_weights(workspace, name, weights)
    draft = draft_randomization(workspace, name, RandomizationOptions(seed=SEED, no_protocol=no_protocol))
    return sorted(commit_randomization(workspace, draft, passphrase).codes.values())

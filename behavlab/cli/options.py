"""What several commands' parameters share: checks on a path naming an existing file, typed times."""

from datetime import datetime
from typing import TypedDict

import typer


class FileChecks(TypedDict):
    """Typer's checks on a path parameter, run before the command."""

    exists: bool
    dir_okay: bool
    readable: bool


#: Unpacked into `typer.Argument` or `typer.Option`: the path must exist, be readable and not be a folder.
EXISTING_FILE: FileChecks = {"exists": True, "dir_okay": False, "readable": True}

#: The dosing volume limit, for the dosing sheet and the syringe labels printed from it.
LIMIT_ML_PER_KG_OPTION = typer.Option(
    10.0, "--limit-ml-per-kg", help="Refuse volumes above this many mL/kg (at most 20)."
)


#: The folder of a scoring written outside the study's scoring folder (`behavlab score --out`), for exports.
SCORES_FOLDER_OPTION = typer.Option(
    None,
    "--scores",
    help="A scoring's output folder, when it was written outside the study's scoring folder.",
    exists=True,
    file_okay=False,
)


def aware_time(moment: datetime | None) -> datetime | None:
    """A typed time as an aware datetime (naive input is local time)."""
    return None if moment is None else (moment if moment.tzinfo else moment.astimezone())

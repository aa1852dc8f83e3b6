"""What several commands' parameters share: checks on a path naming an existing file, typed times."""

from datetime import datetime
from typing import TypedDict


class FileChecks(TypedDict):
    """Typer's checks on a path parameter, run before the command."""

    exists: bool
    dir_okay: bool
    readable: bool


#: Unpacked into `typer.Argument` or `typer.Option`: the path must exist, be readable and not be a folder.
EXISTING_FILE: FileChecks = {"exists": True, "dir_okay": False, "readable": True}


def aware_time(moment: datetime | None) -> datetime | None:
    """A typed time as an aware datetime (naive input is local time)."""
    return None if moment is None else (moment if moment.tzinfo else moment.astimezone())

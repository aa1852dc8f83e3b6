"""What several commands' parameters share: the checks on a path that must name an existing file."""

from typing import TypedDict


class FileChecks(TypedDict):
    """Typer's checks on a path parameter, run before the command."""

    exists: bool
    dir_okay: bool
    readable: bool


#: Unpacked into `typer.Argument` or `typer.Option`: the path must exist, be readable and not be a folder.
EXISTING_FILE: FileChecks = {"exists": True, "dir_okay": False, "readable": True}

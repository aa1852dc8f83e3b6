"""Where the key holder's passphrase comes from: a file, the environment, or a hidden prompt."""

import os
import sys
from pathlib import Path

import typer

from behavlab.errors import InvalidInputError

PASSPHRASE_ENV = "BEHAVLAB_PASSPHRASE"

PASSPHRASE_FILE_OPTION = typer.Option(
    None,
    "--passphrase-file",
    help=f"Read the key holder's passphrase from this file (else ${PASSPHRASE_ENV}, else a hidden prompt).",
    exists=True,
    dir_okay=False,
    readable=True,
)


def read_passphrase(passphrase_file: Path | None, confirm: bool = False) -> str:
    """The passphrase: --passphrase-file, else $BEHAVLAB_PASSPHRASE, else a hidden prompt (twice to seal)."""
    if passphrase_file is not None:
        return passphrase_file.read_text(encoding="utf-8").rstrip("\r\n")
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise InvalidInputError(
            f"a passphrase is needed: give --passphrase-file FILE or set {PASSPHRASE_ENV} "
            "(or run in a terminal to be asked)"
        )
    return str(typer.prompt("Key holder's passphrase", hide_input=True, confirmation_prompt=confirm))

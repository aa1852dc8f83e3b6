"""Where the key holder's passphrase comes from: a file, the environment, or a hidden prompt.

When sealing, the passphrase is checked before anything is stored (`check`): a weak one read from a file
or the environment is refused naming its source and the reason; at the prompt the reason is shown and the
key holder is asked again, up to `PROMPT_ATTEMPTS` times. No message contains the passphrase.
"""

import os
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from behavlab.cli.output import print_warning
from behavlab.errors import InvalidInputError

PASSPHRASE_ENV = "BEHAVLAB_PASSPHRASE"
PROMPT_ATTEMPTS = 3

PASSPHRASE_FILE_OPTION = typer.Option(
    None,
    "--passphrase-file",
    help=f"Read the key holder's passphrase from this file (else ${PASSPHRASE_ENV}, else a hidden prompt).",
    exists=True,
    dir_okay=False,
    readable=True,
)


def read_passphrase(
    passphrase_file: Path | None, confirm: bool = False, check: Callable[[str], None] | None = None
) -> str:
    """The passphrase: --passphrase-file, else $BEHAVLAB_PASSPHRASE, else a hidden prompt (twice to seal).

    `check` (for sealing) raises `InvalidInputError` for a passphrase too weak to use.
    """
    if passphrase_file is not None:
        passphrase = passphrase_file.read_text(encoding="utf-8").rstrip("\r\n")
        _checked(passphrase, check, f"the passphrase in {passphrase_file}")
        return passphrase
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        _checked(from_env, check, f"the passphrase in ${PASSPHRASE_ENV}")
        return from_env
    if not sys.stdin.isatty():
        raise InvalidInputError(
            f"a passphrase is needed: give --passphrase-file FILE or set {PASSPHRASE_ENV} "
            "(or run in a terminal to be asked)"
        )
    attempt = 1
    while True:
        typed = str(typer.prompt("Key holder's passphrase", hide_input=True, confirmation_prompt=confirm))
        try:
            if check is not None:
                check(typed)
        except InvalidInputError as exc:
            if attempt >= PROMPT_ATTEMPTS:
                raise InvalidInputError(f"no passphrase accepted after {attempt} tries: {exc}") from None
            print_warning(f"not accepted: {exc}")
            attempt += 1
        else:
            return typed


def _checked(passphrase: str, check: Callable[[str], None] | None, source: str) -> None:
    """Run `check`, naming where the refused passphrase came from."""
    if check is None:
        return
    try:
        check(passphrase)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{source} is not accepted: {exc}") from None

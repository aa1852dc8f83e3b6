"""Turning a refused input file, or an output that cannot be written, into the app's one clear error."""

from collections.abc import Iterator
from contextlib import contextmanager

from behavlab.errors import InvalidInputError
from cohorts.problems import InputError
from writing.atomic import WriteError


@contextmanager
def refused_files(what: str) -> Iterator[None]:
    """Re-raise a cohorts InputError as one InvalidInputError: a summary line, then one line per problem."""
    try:
        yield
    except InputError as exc:
        count = len(exc.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{what} refused, nothing was recorded ({count} {noun}):", *(f"  {p}" for p in exc.problems)]
        raise InvalidInputError("\n".join(lines)) from exc


@contextmanager
def refused_writes() -> Iterator[None]:
    """Re-raise a failed output write (read-only folder, full disk) as InvalidInputError naming the file."""
    try:
        yield
    except WriteError as exc:
        raise InvalidInputError(str(exc)) from exc

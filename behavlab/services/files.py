"""Turning a refused input file from the pure libraries into the app's error, every problem listed."""

from collections.abc import Iterator
from contextlib import contextmanager

from behavlab.errors import InvalidInputError
from cohorts.problems import InputError


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

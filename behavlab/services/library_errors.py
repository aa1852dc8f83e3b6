"""The one place the services turn the libraries' refusals into the app's :class:`InvalidInputError`.

Each library raises one family for input it refuses: `cohorts` a :class:`~cohorts.errors.CohortsError` (a
refused file is its :class:`~cohorts.problems.InputError`, carrying every problem found), `tracking` a
:class:`~tracking.errors.TrackingError`, and `writing` a :class:`~writing.atomic.WriteError` for an output
that cannot be written. Their messages already name the value and what would be accepted, so they are shown
as they are; a refused file gets one summary line above its problems.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from behavlab.errors import InvalidInputError
from cohorts.errors import CohortsError
from cohorts.problems import InputError
from tracking.errors import TrackingError
from writing.atomic import WriteError


@contextmanager
def refused_input(context: str | None = None) -> Iterator[None]:
    """Re-raise a `cohorts` refusal as InvalidInputError, its message after ``context`` when one is given."""
    try:
        yield
    except CohortsError as exc:
        raise InvalidInputError(str(exc) if context is None else f"{context}: {exc}") from exc


@contextmanager
def refused_files(what: str) -> Iterator[None]:
    """Re-raise a refused input file as one InvalidInputError: a summary line, then one line per problem."""
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


@contextmanager
def tracking_errors(context: str | None = None) -> Iterator[None]:
    """Re-raise a `tracking` refusal, or an output it cannot write, as InvalidInputError after ``context``."""
    try:
        yield
    except (TrackingError, WriteError) as exc:
        raise InvalidInputError(str(exc) if context is None else f"{context}: {exc}") from exc

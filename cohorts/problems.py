"""Problems found in a user's file, and the one exception that carries all of them.

Every reader in `cohorts` checks a whole file before returning anything: it collects one `Problem` per
fault (file, row as the user sees it in a spreadsheet, field, value, what is wrong, what would be accepted)
and raises an `InputError` subclass carrying every problem, so the user fixes the file once, not per fault.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from cohorts.errors import CohortsError

_SHOWN_VALUE_CHARS = 40


@dataclass(frozen=True)
class Problem:
    """One fault in an input file, located well enough for the user to find and fix it."""

    source: str
    row: int | None
    field: str | None
    value: str
    issue: str
    accepted: str

    def __str__(self) -> str:
        """One line: where, which value, what is wrong, what would be accepted."""
        where = self.source
        if self.row is not None:
            where += f", row {self.row}"
        if self.field is not None:
            where += f", {self.field}"
        shown = (
            self.value if len(self.value) <= _SHOWN_VALUE_CHARS else self.value[:_SHOWN_VALUE_CHARS] + "..."
        )
        return f"{where}: {shown!r} {self.issue}; accepted: {self.accepted}"


class InputError(CohortsError):
    """A file was refused; `problems` lists every fault and `str()` shows one per line."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("an InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))

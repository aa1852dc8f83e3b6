"""A rater's 5-s time-sampling sheet of one forced-swim test: the predominant behavior of each bin.

One sheet holds one animal's test, one row per 5-s bin of the scored window (48 bins for the last 4 of 6
minutes): the columns bin (1 to 48; bin 1 starts when the scored window starts) and behavior (immobile,
swimming or climbing, or their first letters I, S, C, in any case). Every bin appears exactly once. The file
rules are those of `cohorts.sheet_files` (CSV or XLSX); every fault is listed with its row and field before
anything is returned. A sheet typed bin by bin (`time_sampling_from_codes`) reads each code by the same rule
(`behavior_of`) as the file's behavior column.

Notes
-----
Detke, Rickels & Lucki (1995, Psychopharmacology 121:66-72) score the predominant behavior of each 5-s bin:
serotonergic antidepressants raise swimming, noradrenergic ones climbing, both lower immobility. The counts
are the outcome; ``immobility_s`` (immobile bins x 5 s) puts a sheet on the same scale as a scored duration,
so it can stand beside video and stopwatch scores.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cohorts.problems import InputError, Problem
from cohorts.tabular import Columns, RowReader, iter_readers, read_table

SAMPLE_BIN_S = 5.0
SCORED_BINS = 48
BEHAVIORS = ("immobile", "swimming", "climbing")
SAMPLING_COLUMNS = Columns(required=("bin", "behavior"))
ACCEPTED_BEHAVIOR = "immobile, swimming or climbing (or I, S, C)"
#: Where the problems of a sheet typed bin by bin are said to be.
TYPED_SOURCE = "typed time sampling"
_CHOICES = {**{name: name for name in BEHAVIORS}, **{name[0]: name for name in BEHAVIORS}}
_UNKNOWN_BEHAVIOR = "is not a known behavior"
#: Longer than any accepted code, short enough to show whole in a problem.
_MAX_CODE_CHARS = 40


class TimeSamplingError(InputError):
    """A time-sampling sheet was refused; `problems` lists every fault found in it."""


@dataclass(frozen=True)
class TimeSampling:
    """One test's bins in order, each the behavior that predominated in it."""

    behaviors: tuple[str, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Bins of each behavior, every behavior listed (0 when never scored)."""
        tally = Counter(self.behaviors)
        return {name: tally[name] for name in BEHAVIORS}

    @property
    def immobility_s(self) -> float:
        """Immobile bins times the bin length: the sheet as seconds immobile."""
        return self.counts["immobile"] * SAMPLE_BIN_S

    @property
    def letters(self) -> str:
        """The bins as one letter each (I, S, C), as a rater's sheet reads."""
        return "".join(name[0].upper() for name in self.behaviors)


def read_time_sampling(path: Path | str, n_bins: int = SCORED_BINS) -> TimeSampling:
    """Read and check a time-sampling sheet of `n_bins` bins; `TimeSamplingError` lists every fault."""
    path = Path(path)
    table = read_table(path, SAMPLING_COLUMNS)
    problems = list(table.problems)
    by_bin: dict[int, str] = {}
    first_row: dict[int, int] = {}
    accepted_bin = f"a whole number from 1 to {n_bins}, each once"
    for reader in iter_readers(table, problems):
        number = reader.number("bin", 1, n_bins, "")
        behavior = _behavior_cell(reader)
        if number is not None and not number.is_integer():
            reader.problem("bin", reader.row.cells["bin"], "is not a whole number", accepted_bin)
            number = None
        if number is None:
            continue
        index = int(number)
        if index in first_row:
            issue = f"repeats bin {index} of row {first_row[index]}"
            reader.problem("bin", reader.row.cells["bin"], issue, accepted_bin)
            continue
        first_row[index] = reader.row.number
        if behavior is not None:
            by_bin[index] = behavior
    missing = [index for index in range(1, n_bins + 1) if index not in first_row]
    if missing and not table.problems:
        shown = ", ".join(str(index) for index in missing[:10]) + (", ..." if len(missing) > 10 else "")
        issue = f"are missing ({len(missing)} of {n_bins} bins)"
        accepted = f"one row for each bin 1 to {n_bins}"
        problems.append(Problem(table.source, None, "bin", shown, issue, accepted))
    if problems:
        raise TimeSamplingError(problems)
    return TimeSampling(tuple(by_bin[index] for index in range(1, n_bins + 1)))


def behavior_of(code: str) -> str | None:
    """The behavior a code names (immobile, swimming, climbing or I, S, C, in any case), or ``None``."""
    return _CHOICES.get(code.strip().casefold())


def read_bin(bin_number: int, code: str, source: str = TYPED_SOURCE) -> str:
    """The behavior a code typed for one bin names; `TimeSamplingError` names the bin and what is accepted."""
    behavior = behavior_of(code)
    if behavior is None:
        problem = Problem(source, None, f"bin {bin_number}", code, _UNKNOWN_BEHAVIOR, ACCEPTED_BEHAVIOR)
        raise TimeSamplingError([problem])
    return behavior


def time_sampling_from_codes(
    codes: Sequence[str], n_bins: int = SCORED_BINS, source: str = TYPED_SOURCE
) -> TimeSampling:
    """A sheet from the codes a rater typed, one per bin in order (bin 1 first).

    Parameters
    ----------
    codes
        The typed codes, each read like the sheet file's behavior column (`behavior_of`).
    n_bins
        How many bins the scored window holds; exactly this many codes are expected.
    source
        Where the codes come from, as the problems name it.

    Returns
    -------
    TimeSampling
        The bins' behaviors, in order.

    Raises
    ------
    TimeSamplingError
        Every unknown code, named by its bin, and a wrong number of codes.
    """
    problems: list[Problem] = []
    behaviors: list[str] = []
    for bin_number, code in enumerate(codes, start=1):
        try:
            behaviors.append(read_bin(bin_number, code, source))
        except TimeSamplingError as error:
            problems += error.problems
    if len(codes) != n_bins:
        issue = f"were typed, not {n_bins}"
        problems.append(
            Problem(source, None, "bins", str(len(codes)), issue, f"one code for each bin 1 to {n_bins}")
        )
    if problems:
        raise TimeSamplingError(problems)
    return TimeSampling(tuple(behaviors))


def _behavior_cell(reader: RowReader) -> str | None:
    """The behavior column of a sheet row by the rule of `behavior_of`, or ``None`` with its problem."""
    typed = reader.text("behavior", _MAX_CODE_CHARS)
    if typed is None:
        return None
    behavior = behavior_of(typed)
    if behavior is None:
        reader.problem("behavior", typed, _UNKNOWN_BEHAVIOR, ACCEPTED_BEHAVIOR)
    return behavior

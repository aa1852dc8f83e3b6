"""A rater's 5-s time-sampling sheet of one forced-swim test: the predominant behavior of each bin.

One sheet holds one animal's test, one row per 5-s bin of the scored window (48 bins for the last 4 of 6
minutes): the columns bin (1 to 48; bin 1 starts when the scored window starts) and behavior (immobile,
swimming or climbing, or their first letters I, S, C, in any case). Every bin appears exactly once. The file
rules are those of `cohorts.sheet_files` (CSV or XLSX); every fault is listed with its row and field before
anything is returned.

Notes
-----
Detke, Rickels & Lucki (1995, Psychopharmacology 121:66-72) score the predominant behavior of each 5-s bin:
serotonergic antidepressants raise swimming, noradrenergic ones climbing, both lower immobility. The counts
are the outcome; ``immobility_s`` (immobile bins x 5 s) puts a sheet on the same scale as a scored duration,
so it can stand beside video and stopwatch scores.
"""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cohorts.problems import InputError, Problem
from cohorts.tabular import Columns, iter_readers, read_table

SAMPLE_BIN_S = 5.0
SCORED_BINS = 48
BEHAVIORS = ("immobile", "swimming", "climbing")
SAMPLING_COLUMNS = Columns(required=("bin", "behavior"))
_CHOICES = {**{name: name for name in BEHAVIORS}, **{name[0]: name for name in BEHAVIORS}}
_ACCEPTED_BEHAVIOR = "immobile, swimming or climbing (or I, S, C)"


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
        behavior = reader.choice("behavior", _CHOICES, _ACCEPTED_BEHAVIOR)
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

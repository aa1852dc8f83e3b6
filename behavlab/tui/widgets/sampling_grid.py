"""The 5-s time-sampling grid of a manual FST score: each bin's predominant behavior, typed bin by bin.

One line per minute of the scored window, one cell per 5-s bin; each code is checked as Enter commits it (by
the rule a sheet file's behavior column is read with), the latency to its precision, and the counts so far
are shown as the rater goes.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from behavlab.errors import BehavlabError
from behavlab.services.precision import MANUAL_PRECISION_S
from behavlab.services.time_sampling import (
    ACCEPTED_BEHAVIOR,
    SAMPLE_BIN_S,
    SCORED_WINDOW_BINS,
    check_sampling_code,
)
from behavlab.tui.parse import measured
from behavlab.tui.widgets.entry_grid import HINT, GridScreen, grid_cell
from behavlab.tui.widgets.entry_input import EntryInput

#: One line of the grid is one minute of 5-s bins.
BINS_PER_LINE = round(60 / SAMPLE_BIN_S)
BIN_ID = "bin-"
BIN_CLASS = "bin"
LATENCY_FIELD = "latency"


@dataclass(frozen=True)
class SamplingEntry:
    """What the rater typed: each bin's code in order, the latency and the scorer, as typed."""

    bins: list[str]
    latency: str
    scorer: str


class SamplingGridScreen(GridScreen):
    """48 bin cells, then latency and scorer; saving hands a `SamplingEntry` to `submit`."""

    DEFAULT_CSS = """
    SamplingGridScreen .bins {
        height: 1;
        width: auto;
    }
    SamplingGridScreen .bins Label {
        width: 10;
    }
    SamplingGridScreen .bins .cell {
        width: 6;
    }
    SamplingGridScreen #latency, SamplingGridScreen #scorer {
        width: 30;
    }
    """

    def __init__(
        self, title: str, scorer: str, window_start_s: float, submit: Callable[[SamplingEntry], object]
    ) -> None:
        super().__init__()
        self._title = title
        self._scorer = scorer
        self._window_start_s = window_start_s
        self._submit = submit

    def compose(self) -> ComposeResult:
        """The title, a line of bin cells per minute, latency and scorer, the counts and the refusal."""
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="title")
            yield Static(f"each 5-s bin: {ACCEPTED_BEHAVIOR}", classes="note")
            for first in range(1, SCORED_WINDOW_BINS + 1, BINS_PER_LINE):
                start_s = self._window_start_s + (first - 1) * SAMPLE_BIN_S
                with Horizontal(classes="bins"):
                    yield Label(f"{start_s:g} s")
                    for number in range(first, min(first + BINS_PER_LINE, SCORED_WINDOW_BINS + 1)):
                        cell = grid_cell(self._bin_entered, f"{BIN_ID}{number}", placeholder=str(number))
                        yield cell.add_class(BIN_CLASS)
            yield Label("latency to first immobility, s (optional)")
            yield grid_cell(self._latency_entered, LATENCY_FIELD)
            yield Label("scorer (blind to the arm)")
            yield grid_cell(self.advance, "scorer", value=self._scorer)
            yield Static("", id="counts")
            yield self.refusal_line()
            yield Static(HINT, classes="hint")

    def on_mount(self) -> None:
        """Show the counts of an empty grid."""
        self.query_one("#counts", Static).update(self._counts())

    def _bin_entered(self, entry: EntryInput) -> None:
        number = int(str(entry.id).removeprefix(BIN_ID))
        self.check_cell(entry, lambda: check_sampling_code(number, entry.value))
        self.query_one("#counts", Static).update(self._counts())

    def _latency_entered(self, entry: EntryInput) -> None:
        self.check_cell(entry, lambda: measured(entry.value, "latency", MANUAL_PRECISION_S, "s"))

    def _bins(self) -> list[str]:
        """Each bin's cell as typed, bin 1 first."""
        return [cell.value for cell in self.query(f".{BIN_CLASS}").results(EntryInput)]

    def _counts(self) -> str:
        """The bins typed so far by behavior, and how many are left."""
        counts: Counter[str] = Counter()
        left = 0
        for number, typed in enumerate(self._bins(), start=1):
            try:
                counts[check_sampling_code(number, typed)] += 1
            except BehavlabError:
                left += 1
        typed_bins = ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "none yet"
        immobile_s = counts.get("immobile", 0) * SAMPLE_BIN_S
        return f"bins: {typed_bins} ({immobile_s:g} s immobile); {left} bins to go"

    def action_save(self) -> None:
        """Hand every bin, the latency and the scorer, as typed, to be checked whole and stored."""
        self.query_one("#refusal", Static).display = False
        latency = self.query_one(f"#{LATENCY_FIELD}", EntryInput).value
        self._submit(SamplingEntry(self._bins(), latency, self.query_one("#scorer", EntryInput).value))

"""The bottle-weights grid of an SPT period: a line per coded animal and spill control, typed cell by cell.

Each line names its row by blind code only (never an arm) and has the sucrose side and each bottle's start and
end weight; each cell is checked as Enter commits it, by the rule the bottle-sheet parser reads its column
with. A line left empty is not recorded; saving checks the lines as one sheet. A scanned label (or a typed
code and Enter) moves to its animal's line, leaving the cell being typed as it was.
"""

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from behavlab.services.spt import BOTTLE_GRID_FIELDS, TypedBottles, check_typed_bottle_cell
from behavlab.tui.widgets.entry_grid import HINT, GridScreen, grid_cell
from behavlab.tui.widgets.entry_input import EntryInput

PERIOD_FIELD = "period"
#: Called with the period label and each line (code and cells by column, as typed).
SubmitBottles = Callable[[str, list[TypedBottles]], object]
#: Reads a scan: the blind code it names, or None once its refusal is shown.
ReadScan = Callable[[str], str | None]


def column_label(field: str) -> str:
    """A sheet column as a grid heading: ``sucrose_start_g`` reads "sucrose start g"."""
    return field.replace("_", " ")


def cell_id(line: int, field: str) -> str:
    """The id of the cell of `field` on line `line` (0 first)."""
    return f"cell-{line}-{field}"


class BottleGridScreen(GridScreen):
    """The period, then a line of cells per row; saving hands the period and the lines to `submit`."""

    DEFAULT_CSS = """
    BottleGridScreen .bottles {
        height: 1;
        width: auto;
    }
    BottleGridScreen .bottles Label {
        width: 10;
    }
    BottleGridScreen .bottles .cell, BottleGridScreen .bottles .heading {
        width: 17;
    }
    BottleGridScreen #bottle-lines {
        height: auto;
        max-height: 24;
    }
    BottleGridScreen #period {
        width: 30;
    }
    """

    def __init__(
        self,
        title: str,
        rows: Sequence[str],
        open_periods: Sequence[str],
        submit: SubmitBottles,
        read_scan: ReadScan,
        start_code: str | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._rows = list(rows)
        self._open_periods = list(open_periods)
        self._submit = submit
        self._read_scan = read_scan
        self._start_code = start_code

    def compose(self) -> ComposeResult:
        """The title, the period, the column headings, one line of cells per row, and the refusal."""
        with Vertical(classes="dialog"):
            yield Static(self._title, classes="title")
            periods = ", ".join(self._open_periods) or "none: declare one with n"
            yield Label(f"period (without bottle weights: {periods})")
            yield grid_cell(self.advance, PERIOD_FIELD, value=next(iter(self._open_periods), ""))
            with Horizontal(classes="bottles"):
                yield Label("code")
                for field in BOTTLE_GRID_FIELDS:
                    yield Label(column_label(field), classes="heading")
            with VerticalScroll(id="bottle-lines"):
                for line, code in enumerate(self._rows):
                    with Horizontal(classes="bottles"):
                        yield Label(code)
                        for field in BOTTLE_GRID_FIELDS:
                            yield grid_cell(self._cell_entered, cell_id(line, field))
            yield self.refusal_line()
            yield Static(HINT, classes="hint")

    def on_mount(self) -> None:
        """Start on the scanned animal's line when the grid was opened by a scan."""
        if self._start_code is not None:
            self.call_after_refresh(self.focus_line, self._start_code)

    def scanned(self, text: str) -> None:
        """Move to the line of the animal a scan names; a refused scan is shown and changes nothing."""
        code = self._read_scan(text)
        if code is not None:
            self.focus_line(code)

    def focus_line(self, code: str) -> None:
        """Focus the first cell of `code`'s line."""
        if code not in self._rows:
            self.notify(f"{code} has no line in this grid", severity="warning", markup=False)
            return
        first_cell = cell_id(self._rows.index(code), BOTTLE_GRID_FIELDS[0])
        self.set_focus(self.query_one(f"#{first_cell}", EntryInput))

    def _cell_entered(self, entry: EntryInput) -> None:
        line, field = str(entry.id).removeprefix("cell-").split("-", 1)
        code = self._rows[int(line)]
        self.check_cell(entry, lambda: check_typed_bottle_cell(code, field, entry.value))

    def lines(self) -> list[TypedBottles]:
        """Each row's code and its cells by column, as typed."""
        return [
            {
                "code": code,
                **{f: self.query_one(f"#{cell_id(line, f)}", EntryInput).value for f in BOTTLE_GRID_FIELDS},
            }
            for line, code in enumerate(self._rows)
        ]

    def action_save(self) -> None:
        """Hand the period and every line, as typed, to be checked as one sheet and stored."""
        self.query_one("#refusal", Static).display = False
        self._submit(self.query_one(f"#{PERIOD_FIELD}", EntryInput).value.strip(), self.lines())

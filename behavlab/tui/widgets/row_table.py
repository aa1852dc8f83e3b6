"""A table of text rows that draws only the rows in view: 100,000 rows fill and page as fast as 100.

Textual's DataTable measures every cell of every new row and renders each visible cell through Rich; this
table keeps its rows as tuples of text, sizes each column once per `set_rows` (its label and widest cell,
or a fixed width), and draws a line as one strip of padded cells. It reads like the DataTable it replaces
(row cursor, zebra stripes, fixed header), rows keyed by a text key for `get_row_index` and `update_cell`.
Cells are plain text, never markup, and every control, bidi or zero-width character in them is shown as an
escape (`visible`), so a value stored before the text rule cannot move the cursor or break a line.
"""

from collections.abc import Mapping, Sequence
from itertools import filterfalse
from operator import itemgetter

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from behavlab.services.display import visible

#: Blank cells either side of a cell's text, as in Textual's DataTable.
CELL_PADDING = 1
HEADER_LINES = 1


def plain_text(text: str) -> bool:
    """Whether `text` is printable ASCII: `visible` leaves it unchanged, each character one cell wide."""
    return text.isascii() and text.isprintable()


def widest(cells: Sequence[str]) -> int:
    """The width of the widest of `cells` in terminal cells: an ASCII text's length, or Rich's measure.

    Only text outside ASCII (wide or combining characters) is measured by Rich: 100,000 rows size at C speed.
    """
    ascii_widest = max(map(len, filter(str.isascii, cells)), default=0)
    return max(ascii_widest, max(map(cell_len, filterfalse(str.isascii, cells)), default=0))


class RowTable(ScrollView, can_focus=True):
    """Rows of text under a header; the cursor is a whole row, and moving it posts `RowHighlighted`."""

    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .row-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .row-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark > .row-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .row-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .row-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .row-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    COMPONENT_CLASSES = {"row-table--header", "row-table--even-row", "row-table--cursor"}
    BINDINGS = [
        Binding("up", "cursor_by(-1)", "Up", show=False),
        Binding("down", "cursor_by(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,ctrl+home", "cursor_to(0)", "First row", show=False),
        Binding("end,ctrl+end", "cursor_to(-1)", "Last row", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    class RowHighlighted(Message):
        """The cursor moved to `cursor_row` (also sent when the rows are replaced)."""

        def __init__(self, table: "RowTable", cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> "RowTable":
            """The table whose cursor moved."""
            return self.table

    def __init__(
        self, columns: Sequence[str], fixed_widths: Mapping[str, int] | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self._fixed_widths = dict(fixed_widths or {})
        self._columns: list[str] = []
        self._widths: list[int] = []
        self._rows: list[tuple[str, ...]] = []
        self._row_index: dict[str, int] = {}
        self._keys: list[str] = []
        self._store(columns, [], None)

    @property
    def row_count(self) -> int:
        """How many rows the table holds."""
        return len(self._rows)

    @property
    def columns(self) -> Sequence[str]:
        """The column labels, left to right."""
        return tuple(self._columns)

    @property
    def column_widths(self) -> Mapping[str, int]:
        """Each column's width in cells, padding left out, by label."""
        return dict(zip(self._columns, self._widths, strict=True))

    def set_rows(
        self, columns: Sequence[str], rows: Sequence[Sequence[str]], keys: Sequence[str] | None = None
    ) -> None:
        """Replace the columns and every row (`keys`, one per row, name them); the cursor keeps its place."""
        self._store(columns, rows, keys)
        self.move_cursor(self.cursor_row)

    def _store(
        self, columns: Sequence[str], rows: Sequence[Sequence[str]], keys: Sequence[str] | None
    ) -> None:
        self._columns = list(columns)
        if set(map(len, rows)) - {len(self._columns)}:
            raise ValueError(f"every row needs {len(self._columns)} cells, one per column {self._columns}")
        # Cells checked a column at a time: only a column holding more than printable ASCII is escaped.
        column_cells = [list(map(itemgetter(at), rows)) for at in range(len(self._columns))]
        escaped = [at for at, cells in enumerate(column_cells) if not plain_text("".join(cells))]
        for at in escaped:
            column_cells[at] = list(map(visible, column_cells[at]))
        self._rows = list(zip(*column_cells, strict=True)) if escaped else list(map(tuple, rows))
        self._keys = list(keys) if keys is not None else [str(index) for index in range(len(self._rows))]
        self._row_index = dict(zip(self._keys, range(len(self._keys)), strict=True))
        self._widths = [
            self._fixed_widths.get(label, max(cell_len(label), widest(cells)))
            for label, cells in zip(self._columns, column_cells, strict=True)
        ]
        self._resize()

    def get_row_at(self, row: int) -> tuple[str, ...]:
        """The cells of the row at index `row`."""
        return self._rows[row]

    def get_row_index(self, key: str) -> int:
        """The index of the row named `key` (KeyError if none)."""
        return self._row_index[key]

    def row_key(self, row: int) -> str:
        """The key of the row at index `row`."""
        return self._keys[row]

    def update_cell(self, key: str, column: str, value: str) -> None:
        """Change one cell of the row named `key` in place, widening its column if the text needs it."""
        index, at = self._row_index[key], self._columns.index(column)
        cells = list(self._rows[index])
        cells[at] = value = visible(value)
        self._rows[index] = tuple(cells)
        if column not in self._fixed_widths and cell_len(value) > self._widths[at]:
            self._widths[at] = cell_len(value)
            self._resize()
        self.refresh()

    def move_cursor(self, row: int) -> None:
        """Put the cursor on row `row` (kept within the rows) and scroll it into view."""
        self.cursor_row = row

    def validate_cursor_row(self, row: int) -> int:
        """The cursor stays on a row, or at 0 when there is none."""
        return max(0, min(row, self.row_count - 1))

    def watch_cursor_row(self, row: int) -> None:
        """Scroll the cursor's row into view, repaint, and say that it moved."""
        rows_in_view = self._rows_in_view()
        if row < self.scroll_offset.y:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= self.scroll_offset.y + rows_in_view:
            self.scroll_to(y=row - rows_in_view + 1, animate=False, immediate=True)
        self.refresh()
        if self.row_count:
            self.post_message(self.RowHighlighted(self, row))

    def action_cursor_by(self, rows: int) -> None:
        """Move the cursor up (negative) or down by `rows`."""
        self.move_cursor(self.cursor_row + rows)

    def action_page(self, pages: int) -> None:
        """Move the cursor and the view by `pages` screens of rows."""
        step = pages * self._rows_in_view()
        self.scroll_to(y=self.scroll_offset.y + step, animate=False, immediate=True)
        self.move_cursor(self.cursor_row + step)

    def action_cursor_to(self, row: int) -> None:
        """Move the cursor to row `row`; a negative row counts from the end (-1: the last)."""
        self.move_cursor(row if row >= 0 else self.row_count + row)

    def on_click(self, event: events.Click) -> None:
        """A click on a row puts the cursor on it."""
        if event.y >= HEADER_LINES:
            self.move_cursor(self.scroll_offset.y + event.y - HEADER_LINES)

    def render_line(self, y: int) -> Strip:
        """The header on the first line, then the rows from the scroll position down."""
        base = self.rich_style
        if y < HEADER_LINES:
            return self._strip(self._columns, base + self.get_component_rich_style("row-table--header"))
        row = self.scroll_offset.y + y - HEADER_LINES
        if row >= self.row_count:
            return Strip.blank(self.size.width, base)
        if row == self.cursor_row:
            style = base + self.get_component_rich_style("row-table--cursor")
        elif row % 2 == 0:
            style = base + self.get_component_rich_style("row-table--even-row")
        else:
            style = base
        return self._strip(self._rows[row], style)

    def _strip(self, cells: Sequence[str], style: Style) -> Strip:
        pad = " " * CELL_PADDING
        text = "".join(
            pad + set_cell_size(cell, width) + pad for cell, width in zip(cells, self._widths, strict=True)
        )
        line = Strip([Segment(text, style)])
        start = self.scroll_offset.x
        return line.crop(start, start + self.size.width).extend_cell_length(self.size.width, style)

    def _rows_in_view(self) -> int:
        return max(1, self.scrollable_content_region.height - HEADER_LINES)

    def _resize(self) -> None:
        width = sum(self._widths) + 2 * CELL_PADDING * len(self._widths)
        self.virtual_size = Size(width, self.row_count + HEADER_LINES)
        self.refresh(layout=True)

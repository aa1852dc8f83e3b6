"""Table columns sized to what they hold, set again whenever the rows change (never left at a stale width)."""

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from textual.widgets import DataTable


def add_fitted_columns(
    table: DataTable[str],
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    fixed_widths: Mapping[str, int] | None = None,
) -> None:
    """Add `columns`, each as wide as its label and its widest cell in `rows` (or its fixed width)."""
    fixed = fixed_widths or {}
    for index, column in enumerate(columns):
        widest = max((cell_len(row[index]) for row in rows), default=0)
        table.add_column(column, width=fixed.get(column, max(cell_len(column), widest)))

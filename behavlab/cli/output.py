"""How the CLI prints: rich tables on stdout, one-line errors on stderr."""

import os
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from behavlab.services import StudyOverview

PIPED_WIDTH = 200


def stdout() -> Console:
    """A console on the current stdout (looked up per call, so test runners can capture it).

    Output piped to a file or another program is laid out PIPED_WIDTH wide unless COLUMNS says otherwise.
    """
    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH
    return console


def print_error(message: str) -> None:
    """Print one error line on stderr."""
    Console(stderr=True, highlight=False).print(
        f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True
    )


def print_warning(message: str) -> None:
    """Print one warning line on stderr."""
    Console(stderr=True, highlight=False).print(
        f"[bold yellow]warning:[/] {message}", markup=True, soft_wrap=True
    )


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A plain rich table whose cells are the rows' values as text."""
    result = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, overflow="fold")
    for row in rows:
        result.add_row(*("" if cell is None else str(cell) for cell in row))
    return result


def studies_table(studies: Sequence[StudyOverview]) -> Table:
    """The studies list: one row per study with its treatment and roster size."""
    return table(
        None,
        ["study", "compound", "dose mg/kg", "route", "vehicle", "mL/kg", "animals", "created (UTC)"],
        (
            (
                o.study.name,
                o.study.compound,
                f"{o.study.dose_mg_per_kg:g}",
                o.study.route,
                o.study.vehicle,
                f"{o.study.volume_ml_per_kg:g}",
                o.n_animals,
                f"{o.study.created_at:%Y-%m-%d %H:%M}",
            )
            for o in studies
        ),
    )


def print_study(overview: StudyOverview) -> None:
    """One study's settings and arms; the arms are the design, never who is in which."""
    study = overview.study
    console = stdout()
    console.print(
        table(
            f"Study {study.name}",
            ["setting", "value"],
            [
                ("compound", f"{study.compound} {study.dose_mg_per_kg:g} mg/kg {study.route}"),
                ("vehicle", study.vehicle),
                ("volume", f"{study.volume_ml_per_kg:g} mL/kg (every arm)"),
                ("stock", f"{overview.stock_mg_per_ml:g} mg/mL"),
                ("species / strain", f"{study.species} {study.strain}"),
                ("test", f"{study.test_hours_post_dose:g} h after the dose"),
                ("animals", overview.n_animals),
                ("created", f"{study.created_at:%Y-%m-%d %H:%M} UTC by {study.created_by}"),
            ],
        )
    )
    console.print(
        table(
            "Arms",
            ["#", "arm", "substance", "dose mg/kg"],
            ((arm.position, arm.name, arm.substance, f"{arm.dose_mg_per_kg:g}") for arm in overview.arms),
        )
    )

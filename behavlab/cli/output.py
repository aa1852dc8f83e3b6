r"""How the CLI prints: rich tables on stdout, one-line errors on stderr.

Whatever it prints may hold stored text (a study name, a reason, a file name) from a database written before
names were checked, or by hand: nothing printed is read as rich markup or emoji codes unless a call asks for
markup, and every control, bidi or zero-width character is shown as an escape (``\x1b``), never sent to the
terminal (`behavlab.services.display.visible`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from behavlab.services.display import COHORT_COLUMNS, cohort_cells, visible

if TYPE_CHECKING:
    from behavlab.services import DeclaredProtocol, StudyOverview, StudySummary

PIPED_WIDTH = 200


class TerminalConsole(Console):
    """A rich console that prints strings as plain text with invisible characters made visible.

    Markup and emoji codes are off; a call that passes ``markup=True`` interpolates stored values through
    `shown`. Line feeds stay line feeds (messages of several lines); every other control character is escaped.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**{"highlight": False, "markup": False, "emoji": False, **options})

    def print(self, *objects: Any, **options: Any) -> None:
        """Print like `rich.console.Console.print`, each string shown with `visible`."""
        super().print(
            *(visible(item, keep_newlines=True) if isinstance(item, str) else item for item in objects),
            **options,
        )


def shown(value: object) -> str:
    """A stored value for interpolation into rich markup: markup escaped, invisible characters visible."""
    return escape(visible(str(value)))


def stdout() -> Console:
    """A console on the current stdout (looked up per call, so test runners can capture it).

    Output piped to a file or another program is laid out PIPED_WIDTH wide unless COLUMNS says otherwise.
    """
    console = TerminalConsole(soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH
    return console


def _stderr_line(label: str, style: str, message: str) -> None:
    TerminalConsole(stderr=True).print(
        Text.assemble((label, style), " ", visible(message, keep_newlines=True)), soft_wrap=True
    )


def print_error(message: str) -> None:
    """Print one error line on stderr; the message is plain text (no markup), invisible characters shown."""
    _stderr_line("error:", "bold red", message)


def print_warning(message: str) -> None:
    """Print one warning line on stderr; the message is plain text (no markup), invisible characters shown."""
    _stderr_line("warning:", "bold yellow", message)


def table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    """A plain rich table whose title and cells are the values as plain text, invisible characters shown."""
    caption = None if title is None else Text(visible(title), style="table.title")
    result = Table(title=caption, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, overflow="fold")
    for row in rows:
        result.add_row(*(Text("" if cell is None else visible(str(cell))) for cell in row))
    return result


def studies_table(studies: Sequence[StudySummary]) -> Table:
    """The studies list: one row per study with its treatment, its number of arms and roster size."""
    return table(
        None,
        ["study", "arms", "compound", "dose mg/kg", "route", "vehicle", "mL/kg", "animals", "created (UTC)"],
        (
            (
                o.name,
                o.n_arms,
                o.compound,
                f"{o.dose_mg_per_kg:g}",
                o.route,
                o.vehicle,
                f"{o.volume_ml_per_kg:g}",
                o.n_animals,
                f"{o.created_at:%Y-%m-%d %H:%M}",
            )
            for o in studies
        ),
    )


def primary_declaration(protocol: DeclaredProtocol | None) -> str:
    """The declared primary outcome and method, when and by whom, or that none was declared."""
    if protocol is None:
        return "not declared (`behavlab protocol declare`)"
    method = f" by {protocol.primary_method}" if protocol.primary_method else ""
    when = "before randomization" if protocol.before_randomization else "after randomization, blind"
    declared = f"{protocol.declared_at:%Y-%m-%d %H:%M} UTC by {protocol.declared_by}"
    return f"{protocol.primary_outcome}{method} (version {protocol.version}, {declared}, {when})"


def print_study(overview: StudyOverview) -> None:
    """One study's settings and arms; the arms are the design, never who is in which."""
    study = overview.study
    console = stdout()
    console.print(
        table(
            f"Study {study.name}",
            ["setting", "value"],
            [
                *_treatment_rows(overview),
                ("volume", f"{study.volume_ml_per_kg:g} mL/kg (every arm)"),
                ("species / strain", f"{study.species} {study.strain}"),
                ("test", f"{study.test_hours_post_dose:g} h after the dose"),
                (
                    "syringe",
                    f"read to {study.syringe_graduation_ml:g} mL, volume given within "
                    f"{study.volume_tolerance_pct:g} % of the computed one",
                ),
                ("weights", f"to {study.weight_precision_g:g} g"),
                ("primary outcome", primary_declaration(overview.protocol)),
                *(
                    [("factor", f"{study.factor_name} (roster column, not randomized)")]
                    if study.factor_name
                    else []
                ),
                ("animals", overview.n_animals),
                ("created", f"{study.created_at:%Y-%m-%d %H:%M} UTC by {study.created_by}"),
                ("study ID", study.uuid),
            ],
        )
    )
    for notice in overview.notices:
        print_warning(notice)
    if overview.arms:
        _print_arms(overview)
    if overview.cohorts:
        console.print(table("Cohorts", list(COHORT_COLUMNS), map(cohort_cells, overview.cohorts)))


def _print_arms(overview: StudyOverview) -> None:
    """The study's arms with their stocks, the reference marked."""
    reference = overview.reference
    stdout().print(
        table(
            "Arms",
            ["#", "arm", "substance", "dose mg/kg", "stock", "reference"],
            (
                (
                    arm.position,
                    arm.name,
                    arm.substance,
                    f"{arm.dose_mg_per_kg:g}",
                    f"{overview.stock_mg_per_ml(arm):g} mg/mL",
                    "yes" if arm is reference else "",
                )
                for arm in overview.arms
            ),
        )
    )


def _treatment_rows(overview: StudyOverview) -> list[tuple[str, str]]:
    """The compound against its vehicle for two arms (or none recorded); the number and reference for more."""
    study = overview.study
    if len(overview.arms) <= 2:
        return [
            ("compound", f"{study.compound} {study.dose_mg_per_kg:g} mg/kg {study.route}"),
            ("vehicle", study.vehicle),
        ]
    return [
        ("arms", f"{len(overview.arms)}, compared with {overview.reference.name}"),
        ("route", study.route),
    ]

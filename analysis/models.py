"""Two-way ANOVA arm x sex: the arm x factor ANOVA of :mod:`analysis.factorial` with sex as the factor.

Input is a tidy table with one row per unit (animal or cage): columns ``arm``, ``sex`` and ``value``. The
mixed model of repeated periods is :mod:`analysis.mixed`.

Notes
-----
- Arm x sex: ordinary least squares with both factors and their interaction, tested by Type II sums of
  squares (statsmodels ``anova_lm(typ=2)``). Type II tests each main effect after the other main effect and
  respects marginality (Langsrud 2003, Stat Comput 13:163); Type III would test main effects in the presence
  of the interaction, which depends on the contrast coding. The interaction row, the one to read first when
  both sexes are studied, is identical under Type II and III. The sexes are compared through the interaction,
  never by comparing p-values computed within each sex (Nieuwenhuis et al. 2011, Nat Neurosci 14:1105).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from analysis.factorial import design_frame, factorial_anova
from analysis.jsonready import JsonReady
from analysis.summaries import software_versions

TWO_WAY_METHOD = (
    "Two-way ANOVA arm x sex with the interaction (OLS, Type II sums of squares, Langsrud 2003); "
    "the interaction tests whether the arm effect differs between the sexes."
)


@dataclass(frozen=True)
class AnovaRow(JsonReady):
    """One term of an ANOVA table (F and p are NaN on the residual row)."""

    term: str
    sum_sq: float
    df: float
    f: float
    p: float


@dataclass(frozen=True)
class TwoWayAnova(JsonReady):
    """The arm x sex ANOVA table, the cell sizes, and why it is empty when it cannot be fitted."""

    rows: tuple[AnovaRow, ...]
    cells: tuple[tuple[str, str, int], ...]
    n: int
    note: str
    method: str = TWO_WAY_METHOD
    software: Mapping[str, str] = field(default_factory=software_versions)


def two_way_anova(table: pd.DataFrame, reference: str) -> TwoWayAnova:
    """Two-way ANOVA of ``value`` on arm, sex and arm x sex (Type II); no rows and a note if not estimable.

    Parameters
    ----------
    table
        One row per experimental unit: ``arm``, ``sex`` and ``value`` (in the outcome's unit, e.g. seconds);
        rows without a value are dropped.
    reference
        The reference (vehicle) arm, the first level of the arm factor.

    Returns
    -------
    TwoWayAnova
        The ANOVA table (sums of squares in the outcome's unit squared), the n of each arm x sex cell, and a
        note instead of rows when there are not two arms and two sexes, a cell is empty or no residual df is
        left.

    Raises
    ------
    AnalysisError
        A missing column, or a row with a value but no arm or sex (the message names the column).
    """
    data = design_frame(table, ("arm", "sex"), {"arm": reference})
    arms = list(data["arm"].cat.categories)
    first = reference if reference in arms or not arms else arms[0]
    factorial = factorial_anova(data.rename(columns={"sex": "factor_level"}), first, factor="sex")
    rows = tuple(
        AnovaRow(row.term.replace("factor", "sex"), row.sum_sq, row.df, row.f, row.p)
        for row in factorial.rows
    )
    return TwoWayAnova(rows, factorial.cells, factorial.n, factorial.note)

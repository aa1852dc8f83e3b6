"""How the report and the screens write numbers: significant figures, p-values, intervals, yes/no.

Light on purpose (no statistics or plotting library), so services and screens format as the report does
without loading the renderer.
"""

from __future__ import annotations

import math

MISSING = "n/a"
P_FLOOR = 1e-16  # below double precision relative to 1: shown as a bound, not a number


def num(value: float | None, digits: int = 4) -> str:
    """A number to ``digits`` significant figures; missing or NaN as n/a."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}g}"


def pvalue(p: float) -> str:
    """A p-value: three decimals, two significant figures below 0.001, a bound below 1e-16."""
    if not math.isfinite(p):
        return MISSING
    if p < P_FLOOR:
        return f"< {P_FLOOR:.0e}"
    return f"{p:.3f}" if p >= 0.001 else f"{p:.2e}"


def interval(low: float, high: float) -> str:
    """A confidence interval as ``low to high``."""
    return f"{num(low)} to {num(high)}"


def yes_no(flag: bool) -> str:
    """``yes`` or ``no``."""
    return "yes" if flag else "no"

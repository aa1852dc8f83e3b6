"""Measured values to an explicit precision: a value finer than its field's step is refused, never rounded.

A balance reads to 0.1 g and a hand score is kept to 0.1 s. A value with more decimals (18.5205195 g, or
30.512 s from two fields run together) was not read from the instrument, so it is refused where it is
entered, and the refusal names the field and the step.
"""

import math

#: The precision a study weighs to unless it says otherwise, in grams (a lab balance's 0.1 g).
WEIGHT_PRECISION_G = 0.1
#: The precisions a study may weigh to, in grams (an analytical balance to a kitchen scale).
WEIGHT_PRECISIONS_G = (0.001, 0.01, 0.1, 1.0)
#: Binary floating point puts 18.5 / 0.1 at 185.00000000000003: a difference this small is not a finer value.
_FLOAT_SLACK = 1e-9


def within_precision(value: float, step: float) -> bool:
    """Whether `value` is a whole number of `step` (18.5 is, 18.52 is not, for a step of 0.1).

    Parameters
    ----------
    value
        The value as entered.
    step
        The precision of the field, e.g. 0.1 (g); positive.

    Returns
    -------
    bool
        True when `value` carries no digit finer than `step`.

    Raises
    ------
    ValueError
        `step` is not positive.
    """
    if step <= 0:
        raise ValueError(f"a precision step must be positive, not {step!r}")
    steps = value / step
    return math.isclose(steps, round(steps), rel_tol=_FLOAT_SLACK, abs_tol=_FLOAT_SLACK)


def precision_accepted(step: float, unit: str) -> str:
    """What a field kept to `step` accepts, as its refusals say it (e.g. "a number to the nearest 0.1 g")."""
    return f"a number to the nearest {step:g} {unit}"

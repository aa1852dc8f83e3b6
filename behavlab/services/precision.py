"""Typed measurements checked before anything is stored: each within its range and to its precision.

The checks read no database, so the terminal app runs them as a value is committed, before it moves on, and
the services run them again for every caller. A value finer than its field's precision is refused, never
rounded: it was not read from the instrument (cohorts.precision).
"""

from behavlab.errors import InvalidInputError
from cohorts.precision import WEIGHT_PRECISION_G, precision_accepted, within_precision
from cohorts.roster import MAX_WEIGHT_G, MIN_WEIGHT_G

#: The precision of a hand score's seconds immobile and latency.
MANUAL_PRECISION_S = 0.1

__all__ = ["MANUAL_PRECISION_S", "WEIGHT_PRECISION_G", "check_weight", "refuse_finer_than"]


def refuse_finer_than(value: float | None, step: float, unit: str, field: str) -> None:
    """Refuse a `value` typed into `field` with a digit finer than `step`; no value (None) passes."""
    if value is not None and not within_precision(value, step):
        raise InvalidInputError(
            f"{field} not accepted: {value!r} {unit} is finer than {step:g} {unit}; "
            f"accepted: {precision_accepted(step, unit)}"
        )


def check_weight(weight_g: float, animal_key: str, precision_g: float = WEIGHT_PRECISION_G) -> None:
    """Refuse a body weight outside the plausible range or finer than the balance's (`precision_g`, g)."""
    if not MIN_WEIGHT_G <= weight_g <= MAX_WEIGHT_G:
        raise InvalidInputError(
            f"weight_g {weight_g:g} for {animal_key} not accepted; accepted: {MIN_WEIGHT_G:g} to "
            f"{MAX_WEIGHT_G:g} g"
        )
    refuse_finer_than(weight_g, precision_g, "g", f"weight_g for {animal_key}")

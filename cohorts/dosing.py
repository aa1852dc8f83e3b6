"""Dose arithmetic: injection volumes from body weight, and the volume limits that protect the animal.

Notes
-----
Volume (mL) = dose (mg/kg) x body weight (kg) / stock (mg/mL). Vehicle and drug are given at the same
mL/kg, so the volume in a syringe cannot reveal the arm. The conventional i.p. volume in mice is 10 mL/kg;
about 20 mL/kg is the good-practice upper limit (Diehl et al. 2001, J Appl Toxicol 21:15-23) and many
institutions cap at 10 mL/kg.

The dose sheet computes each volume from the animal's weight on the dosing day (animals are weighed on the
day they are dosed) and refuses, naming the animal by its blind code only, a missing or stale weight and a
volume above the study's limit. Its rows take no arm: the vehicle is given at the drug's mL/kg, so a row is
the same whichever arm the animal is in. Times must be timezone-aware; "the same calendar day" is read in
the timezone of the dosing time given.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from cohorts.errors import CohortsError
from cohorts.syringe import Syringe

DEFAULT_VOLUME_ML_PER_KG = 10.0
HARD_LIMIT_ML_PER_KG = 20.0
# A volume computed exactly at the limit may exceed it by a float rounding error; that is not a refusal.
_ROUNDING_TOLERANCE = 1e-9


def check_volume_per_kg(volume_ml_per_kg: float) -> None:
    """Refuse a dosing volume per kg that is not positive or exceeds the hard i.p. limit.

    Parameters
    ----------
    volume_ml_per_kg
        The study's dosing volume, in mL/kg of body weight.

    Raises
    ------
    CohortsError
        The volume is 0 mL/kg or less, or above `HARD_LIMIT_ML_PER_KG` (20 mL/kg).
    """
    if not volume_ml_per_kg > 0:
        raise CohortsError(f"volume must be above 0 mL/kg, got {volume_ml_per_kg:g}")
    if volume_ml_per_kg > HARD_LIMIT_ML_PER_KG:
        raise CohortsError(
            f"volume {volume_ml_per_kg:g} mL/kg exceeds the hard limit of {HARD_LIMIT_ML_PER_KG:g} mL/kg "
            "(Diehl et al. 2001); accepted: above 0 and at most 20"
        )


def stock_concentration_mg_per_ml(dose_mg_per_kg: float, volume_ml_per_kg: float) -> float:
    """The stock that delivers the dose in the study's volume: 10 mg/kg at 10 mL/kg needs 1 mg/mL.

    Parameters
    ----------
    dose_mg_per_kg
        The dose, in mg/kg of body weight (0 for a vehicle).
    volume_ml_per_kg
        The study's dosing volume, in mL/kg (checked by `check_volume_per_kg`).

    Returns
    -------
    float
        The stock concentration, in mg/mL.
    """
    check_volume_per_kg(volume_ml_per_kg)
    if dose_mg_per_kg < 0:
        raise CohortsError(f"dose must be 0 mg/kg or more, got {dose_mg_per_kg:g}")
    return dose_mg_per_kg / volume_ml_per_kg


def arm_stock_mg_per_ml(
    dose_mg_per_kg: float, volume_ml_per_kg: float, stated_mg_per_ml: float | None = None
) -> float:
    """An arm's stock: the one stated for it, else the one its dose needs (`stock_concentration_mg_per_ml`).

    Parameters
    ----------
    dose_mg_per_kg
        The arm's dose, in mg/kg of body weight.
    volume_ml_per_kg
        The study's dosing volume, the same for every arm, in mL/kg.
    stated_mg_per_ml
        The stock stated for the arm, in mg/mL, or None.

    Returns
    -------
    float
        The stock concentration, in mg/mL.
    """
    if stated_mg_per_ml is not None:
        return stated_mg_per_ml
    return stock_concentration_mg_per_ml(dose_mg_per_kg, volume_ml_per_kg)


def injection_volume_ml(weight_g: float, volume_ml_per_kg: float) -> float:
    """The volume one animal receives: its weight in kg times the study's mL/kg, the same for every arm.

    Parameters
    ----------
    weight_g
        The animal's body weight, in grams (above 0).
    volume_ml_per_kg
        The study's dosing volume, in mL/kg (checked by `check_volume_per_kg`).

    Returns
    -------
    float
        The injection volume, in mL.
    """
    check_volume_per_kg(volume_ml_per_kg)
    if not weight_g > 0:
        raise CohortsError(f"body weight must be above 0 g, got {weight_g:g}")
    return weight_g / 1000.0 * volume_ml_per_kg


class DosingError(CohortsError):
    """A dose cannot be prepared or given as asked; the message names the animal by its blind code only."""


@dataclass(frozen=True)
class DoseInput:
    """What the dose sheet needs about one animal: its code, cage and latest weight (if any)."""

    code: str
    cage: str
    weight_g: float | None
    weighed_at: datetime | None


@dataclass(frozen=True)
class DoseSheetRow:
    """One line of the coded dose sheet; it has no arm, and nothing in it depends on the arm."""

    code: str
    cage: str
    weight_g: float
    weighed_at: datetime
    volume_ml: float


def check_weight_age(code: str, weighed_at: datetime, as_of: datetime, max_age: timedelta | None) -> None:
    """Refuse a weight older than `max_age` at `as_of` (``None``: not from the calendar day of `as_of`).

    Parameters
    ----------
    code
        The animal's blind code, the only name a refusal gives it.
    weighed_at, as_of
        When the animal was weighed and when it is dosed (both timezone-aware).
    max_age
        The oldest weight accepted; ``None`` accepts only a weight from the calendar day of `as_of`.

    Raises
    ------
    DosingError
        The weight is too old.
    """
    if weighed_at.tzinfo is None or as_of.tzinfo is None:
        raise CohortsError("weighing and dosing times must be timezone-aware")
    local = weighed_at.astimezone(as_of.tzinfo)
    if max_age is None and local.date() != as_of.date():
        raise DosingError(
            f"animal {code}: weight from {local.date().isoformat()} is not from the dosing day "
            f"{as_of.date().isoformat()}; weigh it again (accepted: a weight from the same calendar day)"
        )
    if max_age is not None and as_of - weighed_at > max_age:
        raise DosingError(
            f"animal {code}: weight taken {weighed_at.isoformat(timespec='minutes')} is older than the "
            f"allowed {max_age}; weigh it again"
        )


def check_dose_volume(
    code: str,
    volume_ml: float,
    weight_g: float,
    limit_ml_per_kg: float = DEFAULT_VOLUME_ML_PER_KG,
    syringe: Syringe | None = None,
) -> None:
    """Refuse a volume above the study's mL/kg limit for this weight (the limit itself at most 20 mL/kg).

    The largest volume is read on the syringe: its nearest mark is accepted even when a hair above the limit
    (0.25 mL for 24.9 g at 10 mL/kg on a 0.01-mL syringe).

    Parameters
    ----------
    code
        The animal's blind code, the only name a refusal gives it.
    volume_ml
        The volume to inject, in mL.
    weight_g
        The animal's body weight, in grams.
    limit_ml_per_kg
        The study's largest volume, in mL/kg.
    syringe
        The syringe the volume is drawn in; none: the limit is exact.

    Raises
    ------
    DosingError
        `volume_ml` is above `limit_ml_per_kg` for `weight_g`.
    """
    check_volume_per_kg(limit_ml_per_kg)
    largest = injection_volume_ml(weight_g, limit_ml_per_kg)
    if syringe is not None:
        largest = max(largest, syringe.to_draw_ml(largest))
    if volume_ml > largest * (1 + _ROUNDING_TOLERANCE):
        per_kg = volume_ml / (weight_g / 1000.0)
        raise DosingError(
            f"animal {code}: {volume_ml:.3f} mL for {weight_g:g} g is {per_kg:.1f} mL/kg, above the limit "
            f"of {limit_ml_per_kg:g} mL/kg; accepted: at most {largest:.3f} mL"
        )


def dose_sheet_row(
    animal: DoseInput,
    as_of: datetime,
    volume_ml_per_kg: float = DEFAULT_VOLUME_ML_PER_KG,
    limit_ml_per_kg: float = DEFAULT_VOLUME_ML_PER_KG,
    max_weight_age: timedelta | None = None,
) -> DoseSheetRow:
    """One animal's dose-sheet line from its latest weight.

    Parameters
    ----------
    animal
        The animal's code, cage and latest weight (grams) with its time.
    as_of
        When the dose is given (timezone-aware).
    volume_ml_per_kg
        The study's dosing volume, in mL/kg.
    limit_ml_per_kg
        The largest volume accepted, in mL/kg.
    max_weight_age
        The oldest weight accepted; ``None`` accepts only a weight from the dosing day.

    Returns
    -------
    DoseSheetRow
        The code, cage, weight (grams) and injection volume (mL); nothing in it depends on the arm.

    Raises
    ------
    DosingError
        No weight, a weight too old, or a volume above the limit; the message names the animal by its code.
    """
    if animal.weight_g is None or animal.weighed_at is None:
        raise DosingError(f"animal {animal.code}: no weight on record; weigh it before dosing")
    check_weight_age(animal.code, animal.weighed_at, as_of, max_weight_age)
    volume_ml = injection_volume_ml(animal.weight_g, volume_ml_per_kg)
    check_dose_volume(animal.code, volume_ml, animal.weight_g, limit_ml_per_kg)
    return DoseSheetRow(animal.code, animal.cage, animal.weight_g, animal.weighed_at, volume_ml)

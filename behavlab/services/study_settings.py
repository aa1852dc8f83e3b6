"""What a new study is created with: the lab's standard ketamine study unless told otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cohorts.precision import WEIGHT_PRECISION_G
from cohorts.syringe import DEFAULT_SYRINGE_GRADUATION_ML, DEFAULT_VOLUME_TOLERANCE_PCT

if TYPE_CHECKING:
    from behavlab.services.arms import ArmsDesign

ROUTES = ("ip", "sc", "po", "iv", "im", "in")


@dataclass(frozen=True)
class StudySettings:
    """What a new study gives and to whom; the defaults are the lab's standard ketamine study.

    `arms` replaces the two default arms (the vehicle, then the compound at its dose); the study's compound,
    dose and vehicle are then read from them: the reference arm's substance is the vehicle, the other arm with
    the highest dose (the first of equals) the compound at its dose.
    """

    name: str
    compound: str = "ketamine"
    dose_mg_per_kg: float = 10.0
    route: str = "ip"
    vehicle: str = "saline"
    volume_ml_per_kg: float = 10.0
    species: str = "mouse"
    strain: str = "C57BL/6J"
    test_hours_post_dose: float = 24.0
    syringe_graduation_ml: float = DEFAULT_SYRINGE_GRADUATION_ML
    volume_tolerance_pct: float = DEFAULT_VOLUME_TOLERANCE_PCT
    weight_precision_g: float = WEIGHT_PRECISION_G
    arms: ArmsDesign | None = None
    factor_name: str | None = None

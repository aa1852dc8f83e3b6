"""Dose arithmetic: injection volumes from body weight, and the volume limits that protect the animal.

Notes
-----
Volume (mL) = dose (mg/kg) x body weight (kg) / stock (mg/mL). Vehicle and drug are given at the same
mL/kg, so the volume in a syringe cannot reveal the arm. The conventional i.p. volume in mice is 10 mL/kg;
about 20 mL/kg is the good-practice upper limit (Diehl et al. 2001, J Appl Toxicol 21:15-23) and many
institutions cap at 10 mL/kg.
"""

DEFAULT_VOLUME_ML_PER_KG = 10.0
HARD_LIMIT_ML_PER_KG = 20.0


def check_volume_per_kg(volume_ml_per_kg: float) -> None:
    """Refuse a dosing volume per kg that is not positive or exceeds the hard i.p. limit."""
    if not volume_ml_per_kg > 0:
        raise ValueError(f"volume must be above 0 mL/kg, got {volume_ml_per_kg:g}")
    if volume_ml_per_kg > HARD_LIMIT_ML_PER_KG:
        raise ValueError(
            f"volume {volume_ml_per_kg:g} mL/kg exceeds the hard limit of {HARD_LIMIT_ML_PER_KG:g} mL/kg "
            "(Diehl et al. 2001); accepted: above 0 and at most 20"
        )


def stock_concentration_mg_per_ml(dose_mg_per_kg: float, volume_ml_per_kg: float) -> float:
    """The stock (mg/mL) that delivers the dose in the study's mL/kg: 10 mg/kg at 10 mL/kg needs 1 mg/mL."""
    check_volume_per_kg(volume_ml_per_kg)
    if dose_mg_per_kg < 0:
        raise ValueError(f"dose must be 0 mg/kg or more, got {dose_mg_per_kg:g}")
    return dose_mg_per_kg / volume_ml_per_kg


def injection_volume_ml(weight_g: float, volume_ml_per_kg: float) -> float:
    """The volume one animal receives: its weight in kg times the study's mL/kg, the same for every arm."""
    check_volume_per_kg(volume_ml_per_kg)
    if not weight_g > 0:
        raise ValueError(f"body weight must be above 0 g, got {weight_g:g}")
    return weight_g / 1000.0 * volume_ml_per_kg

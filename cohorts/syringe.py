"""What a syringe can deliver: volumes drawn to its graduation, and how far a given volume may stray.

Notes
-----
A 1-mL insulin or tuberculin syringe is read to its nearest 0.01-mL mark, so a computed 0.249 mL is drawn as
0.25 mL, 0.4 % above the computed volume. The tolerance bounds the difference between the volume given and the
computed one (by default 5 % of it); the sheet's own rounded volume is always within it, however coarse the
graduation. The deviation is kept in mL/kg terms (percent of the computed volume): the same for every arm,
so it cannot unblind, unlike the mg/kg received, which depends on the arm's stock.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from cohorts.errors import CohortsError

DEFAULT_SYRINGE_GRADUATION_ML = 0.01
DEFAULT_VOLUME_TOLERANCE_PCT = 5.0
#: The coarsest graduation and the widest tolerance a study may set.
MAX_SYRINGE_GRADUATION_ML = 0.1
MAX_VOLUME_TOLERANCE_PCT = 20.0
# A computed volume's float error (0.265 computed as 0.26499999...) is removed before it is rounded.
_MARK_DIGITS = 9


class SyringeError(CohortsError):
    """A syringe setting or a volume given outside what the study accepts; names the animal by its code."""


@dataclass(frozen=True)
class Syringe:
    """A study's syringe: its graduation (mL) and the tolerance of a given volume (% of the computed one)."""

    graduation_ml: float = DEFAULT_SYRINGE_GRADUATION_ML
    tolerance_pct: float = DEFAULT_VOLUME_TOLERANCE_PCT

    def __post_init__(self) -> None:
        """Refuse a graduation or tolerance that is not positive or beyond its largest accepted value."""
        if not 0 < self.graduation_ml <= MAX_SYRINGE_GRADUATION_ML:
            raise SyringeError(
                f"syringe graduation {self.graduation_ml:g} mL not accepted; accepted: above 0 and at most "
                f"{MAX_SYRINGE_GRADUATION_ML:g} mL"
            )
        if not 0 < self.tolerance_pct <= MAX_VOLUME_TOLERANCE_PCT:
            raise SyringeError(
                f"volume tolerance {self.tolerance_pct:g} % not accepted; accepted: above 0 and at most "
                f"{MAX_VOLUME_TOLERANCE_PCT:g} %"
            )

    @property
    def decimals(self) -> int:
        """How many decimals a volume read on this syringe has (2 for 0.01 mL, 3 for 0.005 mL)."""
        exponent = Decimal(repr(self.graduation_ml)).normalize().as_tuple().exponent
        return max(0, -int(exponent))

    def to_draw_ml(self, volume_ml: float) -> float:
        """The mark nearest `volume_ml` (mL), halves up: what the sheet prints and the operator draws."""
        return self._mark(volume_ml, ROUND_HALF_UP)

    def _mark(self, volume_ml: float, rounding: str) -> float:
        """A mark of the syringe next to `volume_ml` (mL), rounded as `rounding` (a `decimal` mode)."""
        graduation = Decimal(repr(self.graduation_ml))
        volume = Decimal(repr(round(volume_ml, _MARK_DIGITS)))
        marks = (volume / graduation).quantize(Decimal(1), rounding)
        return float(marks * graduation)

    def check_given(self, code: str, given_ml: float, computed_ml: float) -> float:
        """Refuse a volume given too far from the computed one; return its deviation (% of the computed).

        Parameters
        ----------
        code
            The animal's blind code, the only name a refusal gives it.
        given_ml
            The volume given, in mL.
        computed_ml
            The volume computed from the animal's weight and the study's mL/kg, in mL.

        Returns
        -------
        float
            The deviation of `given_ml` from `computed_ml`, in percent (negative: less was given).

        Raises
        ------
        SyringeError
            The volume is not positive, or further from `computed_ml` than the tolerance and than the
            sheet's rounded volume.
        """
        if not given_ml > 0:
            raise SyringeError(f"animal {code}: volume {given_ml:g} mL not accepted; accepted: above 0 mL")
        deviation = deviation_pct(given_ml, computed_ml)
        allowed = max(self.tolerance_pct, abs(deviation_pct(self.to_draw_ml(computed_ml), computed_ml)))
        if abs(deviation) > allowed + 1e-9:
            low = self._mark(computed_ml * (1 - allowed / 100), ROUND_CEILING)
            high = self._mark(computed_ml * (1 + allowed / 100), ROUND_FLOOR)
            raise SyringeError(
                f"animal {code}: {given_ml:g} mL is {deviation:+.1f} % from the computed "
                f"{computed_ml:.3f} mL, outside the study's tolerance of {self.tolerance_pct:g} %; "
                f"accepted: {low:.{self.decimals}f} to {high:.{self.decimals}f} mL"
            )
        return deviation


def deviation_pct(given_ml: float, computed_ml: float) -> float:
    """How far a given volume is from the computed one, in percent of the computed volume."""
    if not computed_ml > 0:
        raise SyringeError(f"a computed volume must be above 0 mL, got {computed_ml:g}")
    return (given_ml / computed_ml - 1.0) * 100.0

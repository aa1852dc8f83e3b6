"""Volumes drawn to the syringe's graduation, and how far a given volume may stray from the computed one."""

import pytest

from cohorts.dosing import DosingError, check_dose_volume, injection_volume_ml
from cohorts.syringe import Syringe, SyringeError, deviation_pct


def test_the_sheet_volume_is_the_nearest_mark() -> None:
    syringe = Syringe()
    assert syringe.to_draw_ml(0.249) == 0.25
    assert syringe.to_draw_ml(0.2449) == 0.24
    assert syringe.to_draw_ml(26.5 / 1000 * 10) == 0.27  # 0.26499999... in floating point, a half
    assert Syringe(0.005).to_draw_ml(0.2474) == 0.245
    assert (Syringe().decimals, Syringe(0.005).decimals, Syringe(0.1).decimals) == (2, 3, 1)


def test_a_volume_within_the_tolerance_returns_its_deviation() -> None:
    syringe = Syringe()
    assert syringe.check_given("K7M2", 0.25, 0.249) == pytest.approx(0.4016, abs=1e-4)
    assert syringe.check_given("K7M2", 0.24, 0.249) == pytest.approx(-3.614, abs=1e-3)
    assert deviation_pct(0.24, 0.249) == pytest.approx(-3.614, abs=1e-3)


def test_a_volume_outside_the_tolerance_is_refused_naming_code_computed_volume_and_tolerance() -> None:
    with pytest.raises(
        SyringeError, match=r"animal K7M2: 0\.22 mL is -11\.6 % from the computed 0\.249 mL.*5 %"
    ):
        Syringe().check_given("K7M2", 0.22, 0.249)
    with pytest.raises(SyringeError, match=r"-5\.1 % .* accepted: 0\.25 to 0\.26 mL"):
        Syringe().check_given("K7M2", 0.24, 0.253)  # the lowest volume is 0.2403 mL, so the lowest mark 0.25
    with pytest.raises(SyringeError, match="above 0 mL"):
        Syringe().check_given("K7M2", 0.0, 0.249)


def test_a_coarse_syringe_accepts_its_own_mark_beyond_the_tolerance() -> None:
    coarse = Syringe(0.1)
    assert coarse.to_draw_ml(0.249) == 0.2
    assert coarse.check_given("K7M2", 0.2, 0.249) == pytest.approx(-19.68, abs=0.01)
    with pytest.raises(SyringeError):
        coarse.check_given("K7M2", 0.1, 0.249)


@pytest.mark.parametrize(("graduation", "tolerance"), [(0.0, 5.0), (0.5, 5.0), (0.01, 0.0), (0.01, 30.0)])
def test_impossible_settings_are_refused(graduation: float, tolerance: float) -> None:
    with pytest.raises(SyringeError, match="accepted"):
        Syringe(graduation, tolerance)


def test_the_volume_limit_accepts_the_nearest_mark_of_the_largest_volume() -> None:
    largest = injection_volume_ml(24.9, 10.0)  # 0.249 mL
    with pytest.raises(DosingError, match=r"above the limit of 10 mL/kg; accepted: at most 0\.249 mL"):
        check_dose_volume("K7M2", 0.25, 24.9)
    check_dose_volume("K7M2", 0.25, 24.9, syringe=Syringe())
    assert largest == pytest.approx(0.249)
    with pytest.raises(DosingError, match=r"accepted: at most 0\.250 mL"):
        check_dose_volume("K7M2", 0.26, 24.9, syringe=Syringe())

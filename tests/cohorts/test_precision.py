"""The precision rule: whole steps pass whatever binary floating point does to them; finer values do not."""

import pytest

from cohorts.precision import precision_accepted, within_precision


@pytest.mark.parametrize("value", [18.5, 20.5, 19.5, 0.3, 24.0, 59.9, 0.0, -1.2])
def test_values_in_whole_tenths_are_within_a_tenth(value: float) -> None:
    assert within_precision(value, 0.1)


@pytest.mark.parametrize("value", [18.5205195, 30.512, 24.25, 0.05, 18.51])
def test_values_with_a_finer_digit_are_not(value: float) -> None:
    assert not within_precision(value, 0.1)


def test_other_steps_and_what_a_refusal_says_is_accepted() -> None:
    assert within_precision(0.25, 0.01) and not within_precision(0.255, 0.01)
    assert within_precision(12.5, 0.5) and not within_precision(12.2, 0.5)
    assert precision_accepted(0.1, "g") == "a number to the nearest 0.1 g"
    with pytest.raises(ValueError, match="positive"):
        within_precision(1.0, 0)

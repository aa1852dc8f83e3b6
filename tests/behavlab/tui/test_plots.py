"""The terminal plots' axes: round tick steps from zero, tied points spread side by side."""

import itertools

import pytest

from behavlab.tui.widgets.plots import STRIP_WIDTH, nice_step, strip_positions


@pytest.mark.parametrize(
    ("top", "step"), [(225.5, 50.0), (60.0, 20.0), (99.0, 20.0), (1.0, 0.2), (7.0, 2.0), (240.0, 50.0)]
)
def test_tick_steps_are_one_two_or_five_times_a_power_of_ten(top: float, step: float) -> None:
    assert nice_step(top) == pytest.approx(step)
    assert top / nice_step(top) <= 5


def test_points_of_an_arm_spread_evenly_around_its_position() -> None:
    assert strip_positions(1, 2.0) == [2.0]
    positions = strip_positions(5, 1.0)
    assert positions[0] == pytest.approx(1.0 - STRIP_WIDTH / 2)
    assert positions[-1] == pytest.approx(1.0 + STRIP_WIDTH / 2)
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(positions)}
    assert gaps == {round(STRIP_WIDTH / 4, 9)}

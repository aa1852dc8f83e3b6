"""Label templates match the stock's published millimetres and refuse impossible geometry by field."""

import pytest

from writing.labels.templates import (
    A4_24,
    A4_65,
    ROLL_25X13,
    ROLL_57X32,
    LabelTemplate,
    TemplateError,
    label_positions,
    template_named,
)


def test_the_24_per_sheet_template_places_avery_l7159_labels() -> None:
    positions = label_positions(A4_24)
    assert len(positions) == 24
    assert positions[0] == pytest.approx((7.25, 12.9))
    assert positions[1][0] - positions[0][0] == pytest.approx(66.0)
    assert positions[3][1] - positions[0][1] == pytest.approx(33.9)
    assert positions[-1] == pytest.approx((7.25 + 2 * 66.0, 12.9 + 7 * 33.9))
    right_margin = 210 - (positions[-1][0] + 63.5)
    bottom_margin = 297 - (positions[-1][1] + 33.9)
    assert right_margin == pytest.approx(7.25)
    assert bottom_margin == pytest.approx(12.9)


def test_the_65_per_sheet_template_places_avery_l7651_labels() -> None:
    positions = label_positions(A4_65)
    assert len(positions) == 65
    assert positions[0] == pytest.approx((4.75, 10.7))
    assert positions[4] == pytest.approx((4.75 + 4 * 40.6, 10.7))
    assert positions[-1] == pytest.approx((4.75 + 4 * 40.6, 10.7 + 12 * 21.2))
    assert 210 - (positions[-1][0] + 38.1) == pytest.approx(4.75)
    assert 297 - (positions[-1][1] + 21.2) == pytest.approx(10.7)


def test_a_roll_label_is_its_own_page() -> None:
    assert label_positions(ROLL_57X32) == [(0.0, 0.0)]
    assert (ROLL_57X32.page_width_mm, ROLL_57X32.page_height_mm) == (57.0, 32.0)


def test_the_tube_roll_is_one_25_by_13_mm_label_per_page() -> None:
    assert label_positions(ROLL_25X13) == [(0.0, 0.0)]
    assert (ROLL_25X13.page_width_mm, ROLL_25X13.page_height_mm) == (25.0, 13.0)
    assert (ROLL_25X13.label_width_mm, ROLL_25X13.label_height_mm) == (25.0, 13.0)
    assert template_named("roll-25x13") is ROLL_25X13


@pytest.mark.parametrize("start", [0, 25])
def test_a_start_position_off_the_sheet_is_refused_naming_the_positions(start: int) -> None:
    A4_24.check_start(1)
    A4_24.check_start(24)
    with pytest.raises(TemplateError, match=f"start position {start}: template a4-24 has positions 1 to 24"):
        A4_24.check_start(start)


def _geometry(**changes: float) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "custom",
        "description": "test stock",
        "page_width_mm": 100.0,
        "page_height_mm": 100.0,
        "columns": 2,
        "rows": 2,
        "label_width_mm": 40.0,
        "label_height_mm": 40.0,
        "left_margin_mm": 5.0,
        "top_margin_mm": 5.0,
        "horizontal_pitch_mm": 45.0,
        "vertical_pitch_mm": 45.0,
    }
    return base | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"columns": 0}, "columns"),
        ({"label_width_mm": 0.0}, "label_width_mm"),
        ({"top_margin_mm": -1.0}, "top_margin_mm"),
        ({"horizontal_pitch_mm": 39.0}, "horizontal_pitch_mm"),
        ({"vertical_pitch_mm": 39.0}, "vertical_pitch_mm"),
        ({"corner_radius_mm": 21.0}, "corner_radius_mm"),
        ({"page_width_mm": 85.0}, "page_width_mm"),
        ({"rows": 3}, "page_height_mm"),
    ],
)
def test_impossible_geometry_is_refused_naming_the_field(changes: dict[str, float], field: str) -> None:
    LabelTemplate(**_geometry())  # type: ignore[arg-type]
    with pytest.raises(TemplateError, match=field):
        LabelTemplate(**_geometry(**changes))  # type: ignore[arg-type]


def test_an_unknown_template_name_lists_the_known_ones() -> None:
    assert template_named("a4-65") is A4_65
    with pytest.raises(TemplateError, match=r"a4-24, a4-65, roll-25x13, roll-57x32"):
        template_named("a4-21")

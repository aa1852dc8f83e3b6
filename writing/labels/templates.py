"""Label stock as data: where each label of a sheet lies, in millimetres from the page's top-left corner.

The named templates follow the manufacturers' published geometry (label size, top and left margins, pitch);
a sheet that prints out of place is corrected by choosing or defining another template, never in the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

#: A4 portrait, in millimetres.
A4_WIDTH_MM = 210.0
A4_HEIGHT_MM = 297.0

#: Tolerance for sums of published millimetre figures (they are rounded to 0.05 mm).
_ROUNDING_MM = 0.05


class TemplateError(ValueError):
    """A label template whose geometry is impossible, or a template name that is not known."""


@dataclass(frozen=True)
class LabelTemplate:
    """One sheet (or one roll label) of label stock; all lengths in millimetres."""

    name: str
    description: str
    page_width_mm: float
    page_height_mm: float
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    left_margin_mm: float
    top_margin_mm: float
    horizontal_pitch_mm: float
    vertical_pitch_mm: float
    corner_radius_mm: float = 0.0

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, str):
                continue
            minimum = 1 if field.name in ("columns", "rows") else 0
            strictly = field.name.endswith(("width_mm", "height_mm", "pitch_mm"))
            if value < minimum or (strictly and value <= 0):
                bound = "greater than 0" if strictly else f"at least {minimum}"
                raise TemplateError(f"template {self.name}: {field.name} must be {bound}, not {value}")
        if self.horizontal_pitch_mm < self.label_width_mm:
            raise TemplateError(
                f"template {self.name}: horizontal_pitch_mm {self.horizontal_pitch_mm} is less than "
                f"label_width_mm {self.label_width_mm}, so labels would overlap"
            )
        if self.vertical_pitch_mm < self.label_height_mm:
            raise TemplateError(
                f"template {self.name}: vertical_pitch_mm {self.vertical_pitch_mm} is less than "
                f"label_height_mm {self.label_height_mm}, so labels would overlap"
            )
        if 2 * self.corner_radius_mm > min(self.label_width_mm, self.label_height_mm):
            raise TemplateError(
                f"template {self.name}: corner_radius_mm {self.corner_radius_mm} exceeds half the label's "
                "shorter side"
            )
        right = self.left_margin_mm + (self.columns - 1) * self.horizontal_pitch_mm + self.label_width_mm
        if right > self.page_width_mm + _ROUNDING_MM:
            raise TemplateError(
                f"template {self.name}: the last column ends at {right:.2f} mm, beyond page_width_mm "
                f"{self.page_width_mm}"
            )
        bottom = self.top_margin_mm + (self.rows - 1) * self.vertical_pitch_mm + self.label_height_mm
        if bottom > self.page_height_mm + _ROUNDING_MM:
            raise TemplateError(
                f"template {self.name}: the last row ends at {bottom:.2f} mm, beyond page_height_mm "
                f"{self.page_height_mm}"
            )

    @property
    def labels_per_page(self) -> int:
        """How many labels one page holds."""
        return self.columns * self.rows

    def check_start(self, start: int) -> None:
        """Refuse a first label position (1-based, row by row) that is not on the sheet."""
        if not 1 <= start <= self.labels_per_page:
            raise TemplateError(
                f"start position {start}: template {self.name} has positions 1 to {self.labels_per_page}"
            )


def label_positions(template: LabelTemplate) -> list[tuple[float, float]]:
    """The top-left corner (x, y) of every label on a page, row by row, in millimetres from the top left."""
    return [
        (
            template.left_margin_mm + column * template.horizontal_pitch_mm,
            template.top_margin_mm + row * template.vertical_pitch_mm,
        )
        for row in range(template.rows)
        for column in range(template.columns)
    ]


#: Avery L7159 / J8159 (24 per A4 sheet): 63.5 x 33.9 mm labels, 3 across and 8 down, 12.9 mm top margin,
#: 66.0 mm horizontal pitch (2.5 mm gap) and no vertical gap; side margins (210 - 2 x 66 - 63.5) / 2.
A4_24 = LabelTemplate(
    name="a4-24",
    description="A4, 24 per sheet, 63.5 x 33.9 mm (Avery L7159 / J8159)",
    page_width_mm=A4_WIDTH_MM,
    page_height_mm=A4_HEIGHT_MM,
    columns=3,
    rows=8,
    label_width_mm=63.5,
    label_height_mm=33.9,
    left_margin_mm=7.25,
    top_margin_mm=12.9,
    horizontal_pitch_mm=66.0,
    vertical_pitch_mm=33.9,
    corner_radius_mm=1.5,
)

#: Avery L7651 / J8651 (65 per A4 sheet): 38.1 x 21.2 mm labels, 5 across and 13 down, 10.7 mm top margin,
#: 4.75 mm left margin, 40.6 mm horizontal pitch (2.5 mm gap) and no vertical gap.
A4_65 = LabelTemplate(
    name="a4-65",
    description="A4, 65 per sheet, 38.1 x 21.2 mm (Avery L7651 / J8651)",
    page_width_mm=A4_WIDTH_MM,
    page_height_mm=A4_HEIGHT_MM,
    columns=5,
    rows=13,
    label_width_mm=38.1,
    label_height_mm=21.2,
    left_margin_mm=4.75,
    top_margin_mm=10.7,
    horizontal_pitch_mm=40.6,
    vertical_pitch_mm=21.2,
    corner_radius_mm=1.5,
)

#: A label printer's roll: each label is its own page (57 x 32 mm), printed edge to edge.
ROLL_57X32 = LabelTemplate(
    name="roll-57x32",
    description="label printer roll, one 57 x 32 mm label per page",
    page_width_mm=57.0,
    page_height_mm=32.0,
    columns=1,
    rows=1,
    label_width_mm=57.0,
    label_height_mm=32.0,
    left_margin_mm=0.0,
    top_margin_mm=0.0,
    horizontal_pitch_mm=57.0,
    vertical_pitch_mm=32.0,
)

#: A label printer's roll of small labels for a 1.5 mL tube or a syringe barrel (Dymo 11353 size): each
#: 25 x 13 mm label is its own page. Its symbol box (10 mm) holds a Micro QR code at larger modules than a
#: QR code, so its labels carry Micro QR (:mod:`writing.labels.qr`).
ROLL_25X13 = LabelTemplate(
    name="roll-25x13",
    description="label printer roll, one 25 x 13 mm label per page (tubes, syringe barrels)",
    page_width_mm=25.0,
    page_height_mm=13.0,
    columns=1,
    rows=1,
    label_width_mm=25.0,
    label_height_mm=13.0,
    left_margin_mm=0.0,
    top_margin_mm=0.0,
    horizontal_pitch_mm=25.0,
    vertical_pitch_mm=13.0,
)

#: The named templates, by name.
TEMPLATES: dict[str, LabelTemplate] = {
    template.name: template for template in (A4_24, A4_65, ROLL_57X32, ROLL_25X13)
}


def template_named(name: str) -> LabelTemplate:
    """The named template; an unknown name is refused listing the known ones."""
    try:
        return TEMPLATES[name]
    except KeyError:
        known = ", ".join(sorted(TEMPLATES))
        raise TemplateError(f"no label template named {name!r}; known templates: {known}") from None

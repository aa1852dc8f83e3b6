"""Reading rendered label sheets back: a PDF page as a grey image and each label's area cut from it."""

import numpy as np
import pypdfium2

from writing.labels.templates import LabelTemplate

#: Pages are read at 200 dpi: OpenCV's detector missed some symbols at 300 and 600 dpi.
DPI = 200
PIXEL_MM = 25.4 / DPI
#: White pixels added around each label cut from a page, as a reader sees it on the backing sheet.
BORDER = 40


def page_image(page: pypdfium2.PdfPage) -> np.ndarray:
    """The page rendered at :data:`DPI`, one grey channel."""
    image = page.render(scale=DPI / 72, grayscale=True).to_numpy()
    return image if image.ndim == 2 else image[..., 0]


def label_area(image: np.ndarray, template: LabelTemplate, x: float, y: float) -> tuple[np.ndarray, int, int]:
    """The label with its top-left corner at (x, y) mm, :data:`BORDER` white around; its left, top pixel."""
    left, top = round(x / PIXEL_MM), round(y / PIXEL_MM)
    right = round((x + template.label_width_mm) / PIXEL_MM)
    bottom = round((y + template.label_height_mm) / PIXEL_MM)
    return np.pad(image[top:bottom, left:right], BORDER, constant_values=255), left, top

"""Reading printed labels back: each label's QR decoded and its text, from a PDF page or an SVG sheet."""

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
import zxingcpp

from behavlab.services import Workspace, get_study
from cohorts.scan_payload import label_payload, study_short_id
from writing.labels.templates import LabelTemplate, label_positions, template_named

#: Pages are rendered at 200 dpi, as in tests/writing/labels (OpenCV and zxing read every symbol there).
DPI = 200
PIXEL_MM = 25.4 / DPI
POINT_MM = 25.4 / 72
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class ReadLabel:
    """One printed label as a reader sees it: the payload its QR decodes to and its lines of text."""

    payload: str
    lines: list[str]


def payloads_of(workspace: Workspace, study: str, codes: list[str]) -> dict[str, str]:
    """Each code's expected QR payload."""
    short_id = study_short_id(get_study(workspace, study).study.uuid)
    return {code: label_payload(short_id, code) for code in codes}


def pdf_labels(path: Path, template_name: str) -> list[ReadLabel]:
    """Every label of every page: its QR decoded from the rendered page, its text extracted from the PDF."""
    template = template_named(template_name)
    read = []
    document = pypdfium2.PdfDocument(path)
    for page in document:
        image = page.render(scale=DPI / 72, grayscale=True).to_numpy()
        image = image if image.ndim == 2 else image[..., 0]
        text = page.get_textpage()
        for x, y in label_positions(template):
            lines = _text_in(text, template, x, y)
            if lines:
                read.append(ReadLabel(_decoded(image, template, x, y), lines))
    return read


def _text_in(text: pypdfium2.PdfTextPage, template: LabelTemplate, x: float, y: float) -> list[str]:
    top = (template.page_height_mm - y) / POINT_MM
    bottom = (template.page_height_mm - y - template.label_height_mm) / POINT_MM
    right = (x + template.label_width_mm) / POINT_MM
    found = text.get_text_bounded(left=x / POINT_MM, bottom=bottom, right=right, top=top)
    return [line.strip() for line in found.splitlines() if line.strip()]


def _decoded(image: np.ndarray, template: LabelTemplate, x: float, y: float) -> str:
    left, top = round(x / PIXEL_MM), round(y / PIXEL_MM)
    right = round((x + template.label_width_mm) / PIXEL_MM)
    bottom = round((y + template.label_height_mm) / PIXEL_MM)
    crop = np.pad(image[top:bottom, left:right], 40, constant_values=255)
    found = zxingcpp.read_barcodes(crop)
    return found[0].text if len(found) == 1 else f"<{len(found)} symbols>"


def svg_labels(paths: list[Path]) -> list[tuple[str, list[str]]]:
    """Every label group of the SVG sheets: its data-code and its lines of text."""
    return [
        (group.attrib["data-code"], [text.text or "" for text in group.iter(f"{SVG}text")])
        for path in paths
        for group in ElementTree.parse(path).getroot().iter(f"{SVG}g")
    ]


def words_of(texts: list[str]) -> str:
    """All the texts as one string, for searching."""
    return "\n".join(texts)


def arm_words(forbidden: list[str]) -> re.Pattern[str]:
    """A pattern finding any of the words, whole, ignoring case."""
    return re.compile("|".join(rf"\b{re.escape(word)}\b" for word in forbidden), re.IGNORECASE)

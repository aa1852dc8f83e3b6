"""Reading printed labels back: each label's QR decoded and its text, from a PDF page or an SVG sheet."""

import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import zxingcpp

from behavlab.services import Workspace, get_study
from cohorts.scan_payload import label_payload, study_short_id
from tests.writing.labels.reading import label_area, page_image
from writing.labels.templates import LabelTemplate, label_positions, template_named

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
        image = page_image(page)
        text = page.get_textpage()
        for x, y in label_positions(template):
            lines = _text_in(text, template, x, y)
            if lines:
                found = zxingcpp.read_barcodes(label_area(image, template, x, y)[0])
                read.append(ReadLabel(found[0].text if len(found) == 1 else f"<{len(found)} symbols>", lines))
    return read


def _text_in(text: pypdfium2.PdfTextPage, template: LabelTemplate, x: float, y: float) -> list[str]:
    top = (template.page_height_mm - y) / POINT_MM
    bottom = (template.page_height_mm - y - template.label_height_mm) / POINT_MM
    right = (x + template.label_width_mm) / POINT_MM
    found = text.get_text_bounded(left=x / POINT_MM, bottom=bottom, right=right, top=top)
    return [line.strip() for line in found.splitlines() if line.strip()]


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

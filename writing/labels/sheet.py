"""Sheets of labels, drawn to SVG text or to PDF with reportlab: a QR square on the right, text on the left.

A label carries only what the caller gives it: its code in large bold type, a few lines of smaller text and
the payload of its QR symbol. Text is shrunk to fit the label (never below :data:`MIN_TEXT_PT`); SVG and PDF
share one layout, measured with the PDF fonts' metrics.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from writing.labels.content import Label
from writing.labels.qr import Symbol, svg_path_data, symbol_for
from writing.labels.templates import LabelTemplate, label_positions

#: Blank border kept inside every label (clear of rounded corners and of the cutter's tolerance), in mm.
PADDING_MM = 1.5
#: The smallest type a label may be printed in, in points.
MIN_TEXT_PT = 5.0
#: Fonts: the 14 PDF standard fonts need no embedding; SVG viewers substitute the family named.
CODE_FONT = "Helvetica-Bold"
TEXT_FONT = "Helvetica"
_SVG_FAMILY = "Helvetica, Arial, sans-serif"
_BOLD = ' font-weight="bold"'
#: A line of text takes this many times its type size; its baseline lies this far down it.
LINE_HEIGHT = 1.2
BASELINE = 0.95
POINT_MM = 25.4 / 72


class LabelDoesNotFitError(ValueError):
    """A label whose text or QR symbol does not fit its template at a readable size."""


@dataclass(frozen=True)
class _PlacedText:
    text: str
    font: str
    size_pt: float
    x_mm: float
    baseline_mm: float


def qr_box(template: LabelTemplate) -> tuple[float, float, float]:
    """The QR square (x, y, side) from its label's top-left corner: right-aligned, vertically centred."""
    side = min(template.label_height_mm - 2 * PADDING_MM, template.label_width_mm / 2)
    return template.label_width_mm - PADDING_MM - side, (template.label_height_mm - side) / 2, side


def _placed_text(template: LabelTemplate, label: Label) -> list[_PlacedText]:
    """The label's code and lines, shrunk to the text column's width and the label's height."""
    right_mm = template.label_width_mm if label.qr_payload is None else qr_box(template)[0]
    column_mm = right_mm - 2 * PADDING_MM
    entries = [(label.code, CODE_FONT, label.code_size_pt)]
    entries += [(line.text, TEXT_FONT, line.size_pt) for line in label.lines]
    sizes = []
    for text, font, size in entries:
        width_mm = stringWidth(text, font, size) * POINT_MM
        sizes.append(size if width_mm <= column_mm else size * column_mm / width_mm)
    height_mm = sum(sizes) * LINE_HEIGHT * POINT_MM
    shrink = min(1.0, (template.label_height_mm - 2 * PADDING_MM) / height_mm)
    placed = []
    top_mm = PADDING_MM
    for (text, font, _), size in zip(entries, sizes, strict=True):
        size *= shrink
        if size < MIN_TEXT_PT:
            raise LabelDoesNotFitError(
                f"the text {text!r} of label {label.code} needs type below {MIN_TEXT_PT} pt on template "
                f"{template.name}; shorten it or choose a larger template"
            )
        placed.append(_PlacedText(text, font, size, PADDING_MM, top_mm + BASELINE * size * POINT_MM))
        top_mm += LINE_HEIGHT * size * POINT_MM
    return placed


def _symbol(template: LabelTemplate, label: Label) -> Symbol | None:
    if label.qr_payload is None:
        return None
    if not label.qr_payload:
        raise LabelDoesNotFitError(f"label {label.code} has an empty QR payload")
    try:
        return symbol_for(label.qr_payload, qr_box(template)[2])
    except ValueError as error:
        raise LabelDoesNotFitError(f"label {label.code}: {error}") from None


def pages(template: LabelTemplate, labels: Sequence[Label], start: int = 1) -> list[list[Label | None]]:
    """The labels split into pages of the template, in order, the first from position ``start`` (1-based).

    The positions before ``start`` on the first page (labels already used from a partly used sheet) are
    None.
    """
    template.check_start(start)
    slots: list[Label | None] = [*([None] * (start - 1)), *labels]
    per_page = template.labels_per_page
    return [slots[first : first + per_page] for first in range(0, len(slots), per_page)]


def _svg_label(template: LabelTemplate, label: Label, index: int, origin: tuple[float, float]) -> str:
    qr_x, qr_y, _ = qr_box(template)
    texts = "".join(
        f'<text x="{text.x_mm:.3f}" y="{text.baseline_mm:.3f}" font-size="{text.size_pt * POINT_MM:.3f}"'
        f"{_BOLD if text.font == CODE_FONT else ''}>{escape(text.text)}</text>"
        for text in _placed_text(template, label)
    )
    symbol = _symbol(template, label)
    path = "" if symbol is None else f'<path d="{svg_path_data(symbol, qr_x, qr_y)}"/>'
    return (
        f'<g id="label-{index}" data-code={quoteattr(label.code)} '
        f'transform="translate({origin[0]:.3f} {origin[1]:.3f})">{texts}{path}</g>'
    )


def svg_sheets(template: LabelTemplate, labels: Sequence[Label], start: int = 1) -> list[str]:
    """One SVG document per page of labels, sized in millimetres, one ``<g>`` group per label.

    The first label goes to position ``start`` (1-based) of the first sheet.
    """
    documents = []
    positions = label_positions(template)
    for page in pages(template, labels, start):
        groups = "".join(
            _svg_label(template, label, index + 1, origin)
            for index, (label, origin) in enumerate(zip(page, positions, strict=False))
            if label is not None
        )
        documents.append(
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{template.page_width_mm}mm" height="{template.page_height_mm}mm" '
            f'viewBox="0 0 {template.page_width_mm} {template.page_height_mm}" '
            f'font-family="{_SVG_FAMILY}" fill="#000">{groups}</svg>\n'
        )
    return documents


def _draw_pdf_label(
    canvas: Canvas, template: LabelTemplate, label: Label, origin: tuple[float, float]
) -> None:
    page_height = template.page_height_mm
    for text in _placed_text(template, label):
        canvas.setFont(text.font, text.size_pt)
        canvas.drawString(
            (origin[0] + text.x_mm) * mm, (page_height - origin[1] - text.baseline_mm) * mm, text.text
        )
    symbol = _symbol(template, label)
    if symbol is None:
        return
    qr_x, qr_y, _ = qr_box(template)
    path = canvas.beginPath()
    for x, y, width in symbol.runs:
        bottom = page_height - origin[1] - qr_y - y - symbol.module_mm
        path.rect((origin[0] + qr_x + x) * mm, bottom * mm, width * mm, symbol.module_mm * mm)
    canvas.drawPath(path, stroke=0, fill=1)


def pdf_document(template: LabelTemplate, labels: Sequence[Label], title: str, start: int = 1) -> bytes:
    """A PDF of the labels, one page per sheet of the template, every symbol drawn as vector paths.

    The first label goes to position ``start`` (1-based) of the first sheet.
    """
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(template.page_width_mm * mm, template.page_height_mm * mm))
    canvas.setTitle(title)
    positions = label_positions(template)
    for page in pages(template, labels, start):
        for label, origin in zip(page, positions, strict=False):
            if label is not None:
                _draw_pdf_label(canvas, template, label, origin)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()

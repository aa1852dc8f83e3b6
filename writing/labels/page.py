"""A printable HTML page of label sheets: the SVG drawing inline, one sheet per printed page.

The page loads nothing from elsewhere (no fonts, scripts or images): the SVG sheets are embedded as they are,
and the print size comes from the template, so printing at 100 % puts each label where its stock expects it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from writing.labels.content import Label
from writing.labels.sheet import svg_sheets
from writing.labels.templates import LabelTemplate


def html_document(template: LabelTemplate, labels: Sequence[Label], title: str, start: int = 1) -> str:
    """One HTML page holding every sheet of the labels, its ``@page`` size the template's page size.

    The first label goes to position ``start`` (1-based) of the first sheet.
    """
    width, height = template.page_width_mm, template.page_height_mm
    style = (
        f"@page{{size:{width}mm {height}mm;margin:0}}"
        "html,body{margin:0;padding:0}"
        f".sheet{{width:{width}mm;height:{height}mm;overflow:hidden;break-after:page;page-break-after:always}}"
        ".sheet:last-child{break-after:auto;page-break-after:auto}"
        ".sheet svg{display:block}"
        "@media screen{body{background:#ccc}.sheet{background:#fff;margin:5mm auto}}"
    )
    sheets = "".join(f'<div class="sheet">{svg}</div>\n' for svg in svg_sheets(template, labels, start))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{style}</style></head>\n"
        f"<body>\n{sheets}</body></html>\n"
    )

"""The day's coded dosing sheet as files: a CSV, or a printable page with columns filled in by hand."""

import html
from pathlib import Path

from behavlab.errors import InvalidInputError
from behavlab.services.display import dosing_cells
from behavlab.services.dosing import DosingLine, DosingSheet
from behavlab.services.sheets import write_csv, write_text

SHEET_HEADER = ("code", "cage", "weight_g", "weighed_at", "volume_ml", "given", "refused")


def write_dosing_sheet(sheet: DosingSheet, path: Path) -> Path:
    """Write the sheet as CSV, or as a printable HTML page when the file name ends in .html.

    Both carry the protocol the sheet is printed under (its version and plan hash) and end with the sheet's
    audit chain head (where and how: :mod:`behavlab.audit_head`); the CSV puts the protocol line after the
    table, just before the head.
    """
    if path.suffix.lower() in (".html", ".htm"):
        return _write_printable(sheet, path)
    if path.suffix.lower() != ".csv":
        raise InvalidInputError(f"--out {path.name}: accepted: a file name ending in .csv or .html")
    rows = (dosing_cells(line) for line in sheet.lines)
    return write_csv(path, SHEET_HEADER, rows, audit_head=sheet.audit_head, notes=(sheet.protocol,))


#: The printed sheet's columns and their share of the page width (%); the empty ones are filled in by hand.
PRINTED_COLUMNS = (
    ("Code", 9),
    ("Ear tag", 7),
    ("Cage", 6),
    ("Weight (g)", 7),
    ("Weighed at", 14),
    ("Volume (mL)", 7),
    ("Planned time", 8),
    ("Time given", 8),
    ("Actual volume (mL)", 9),
    ("Initials", 7),
    ("Given", 5),
    ("Note", 13),
)
#: Fits A4 and Letter portrait (the narrower width and the shorter height of the two) with 24 animals.
PRINT_CSS = """@page{size:portrait;margin:10mm}
body{font-family:sans-serif;font-size:9pt;margin:0}
h1{font-size:13pt;margin:0 0 2mm}
p{margin:1mm 0}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{border:1px solid #444;padding:1.5mm 1mm;vertical-align:top;white-space:nowrap;overflow:hidden}
th{font-size:8pt;text-align:left;white-space:normal}
tr{page-break-inside:avoid;break-inside:avoid;height:8mm}
.tick{text-align:center;font-size:11pt}
.note{font-size:7pt;white-space:normal;overflow-wrap:anywhere}
.audit-head{font-size:7pt;overflow-wrap:anywhere}
@media screen{body{max-width:190mm;margin:auto}}"""


def _printed_row(line: DosingLine) -> str:
    cells = dosing_cells(line)
    filled = (cells.code, line.ear_tag or "", cells.cage, cells.weight_g, cells.weighed_at, cells.volume_ml)
    by_hand = ("", "", "", "")
    tick = "&#10003;" if line.dosed else "&#9744;"
    return (
        "<tr>"
        + "".join(f"<td>{html.escape(cell)}</td>" for cell in (*filled, *by_hand))
        + f"<td class='tick'>{tick}</td><td class='note'>{html.escape(cells.refused)}</td></tr>"
    )


def _write_printable(sheet: DosingSheet, path: Path) -> Path:
    rows = "\n".join(_printed_row(line) for line in sheet.lines)
    widths = "".join(f"<col style='width:{share}%'>" for _, share in PRINTED_COLUMNS)
    header = "".join(f"<th>{html.escape(name)}</th>" for name, _ in PRINTED_COLUMNS)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Dosing sheet {html.escape(sheet.study)} {sheet.day}</title>
<style>{PRINT_CSS}</style></head>
<body><h1>Dosing sheet: {html.escape(sheet.study)}, {sheet.day.isoformat()}</h1>
<p class="protocol">{html.escape(sheet.protocol)}</p>
<p>Every animal receives {sheet.volume_ml_per_kg:g} mL/kg. Operator: ____________ Start time: ______</p>
<table><colgroup>{widths}</colgroup><thead><tr>{header}</tr></thead><tbody>
{rows}
</tbody></table>
<p class="audit-head">{html.escape(sheet.audit_head.line)}</p></body></html>
"""
    return write_text(path, page)

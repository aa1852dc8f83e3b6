"""Cells people open in spreadsheets: text that a spreadsheet would run as a formula is defused.

Notes
-----
OWASP's CSV-injection advice: a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be evaluated as a formula by Excel, LibreOffice or Google Sheets; a leading apostrophe makes it
text. Numbers (``-3.5``, ``+1e3``) are left alone, so negative values stay numbers.
"""

from __future__ import annotations

import math
from datetime import date, datetime

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """The cell's text, prefixed with ' when a spreadsheet would run it as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES) and not is_number(text):
        return "'" + text
    return text


def is_number(text: str) -> bool:
    """Whether ``float`` reads the text as a number."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def _is_missing(value: object) -> bool:
    """None, NaN, and pandas' missing markers (NaT, NA)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NaTType", "NAType")


def typed_cell(value: object) -> object:
    """A spreadsheet cell: numbers stay numbers, missing is empty, dates are ISO text, text is defused."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # NumPy scalars
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return spreadsheet_safe(value)

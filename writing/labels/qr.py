"""QR and Micro QR symbols of a payload, as filled rectangles ready to draw in SVG or PDF (no raster).

Which symbol a label gets: a QR code when, with its 4-module quiet zone, it fills the label's square at
modules of at least :data:`COMFORTABLE_MODULE_MM`; on a smaller square, whichever of QR and Micro QR
(2-module quiet zone, fewer modules) has the larger modules there, as long as they are at least
:data:`MIN_MODULE_MM` (what bench scanners and phone cameras read reliably at print resolution): Micro QR
whenever it holds the payload. A payload neither fits is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno

#: The smallest printed module (one black square of the symbol) a label may carry, in millimetres.
MIN_MODULE_MM = 0.33
#: A module at least this large reads easily (four dots of a 203 dpi label printer): a QR code at this size
#: is kept even where a Micro QR code would have larger modules.
COMFORTABLE_MODULE_MM = 0.5

#: Light modules around the symbol that a reader needs, per kind of symbol (ISO/IEC 18004).
QR_QUIET_ZONE = 4
MICRO_QR_QUIET_ZONE = 2


class SymbolTooSmallError(ValueError):
    """A payload whose QR and Micro QR symbols both need modules smaller than the rule allows."""


@dataclass(frozen=True)
class Symbol:
    """A symbol placed in a square box: dark modules merged into horizontal runs, lengths in millimetres.

    ``runs`` holds (x, y, width) of each run of dark modules, from the box's top-left corner (the quiet
    zone included); every run is one module high.
    """

    payload: str
    micro: bool
    box_mm: float
    module_mm: float
    runs: tuple[tuple[float, float, float], ...]


def _dark_runs(matrix: tuple[bytearray, ...]) -> list[tuple[int, int, int]]:
    """(column, row, length) of each horizontal run of dark modules."""
    runs = []
    for row, cells in enumerate(matrix):
        start = None
        for column, dark in enumerate([*cells, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                runs.append((start, row, column - start))
                start = None
    return runs


def _placed(payload: str, code: segno.QRCode, quiet_zone: int, box_mm: float) -> Symbol | None:
    """The symbol scaled into the box, or None when its modules would be below the rule."""
    modules, _ = code.symbol_size(scale=1, border=0)
    module_mm = box_mm / (modules + 2 * quiet_zone)
    if module_mm < MIN_MODULE_MM:
        return None
    runs = tuple(
        ((column + quiet_zone) * module_mm, (row + quiet_zone) * module_mm, length * module_mm)
        for column, row, length in _dark_runs(code.matrix)
    )
    return Symbol(payload=payload, micro=code.is_micro, box_mm=box_mm, module_mm=module_mm, runs=runs)


def symbol_for(payload: str, box_mm: float) -> Symbol:
    """The QR symbol of the payload filling a square of ``box_mm``, or Micro QR on a small square."""
    full = _placed(payload, segno.make_qr(payload, error="m"), QR_QUIET_ZONE, box_mm)
    if full is not None and full.module_mm >= COMFORTABLE_MODULE_MM:
        return full
    try:
        micro = segno.make_micro(payload)
    except segno.DataOverflowError:
        micro = None
    placed = None if micro is None else _placed(payload, micro, MICRO_QR_QUIET_ZONE, box_mm)
    placed = placed or full
    if placed is None:
        raise SymbolTooSmallError(
            f"a QR code of {payload!r} does not fit {box_mm:.1f} mm with modules of at least "
            f"{MIN_MODULE_MM} mm; choose a larger label template or a shorter payload"
        )
    return placed


def svg_path_data(symbol: Symbol, x_mm: float, y_mm: float) -> str:
    """The symbol's dark modules as SVG path data, its box's top-left corner at (x_mm, y_mm)."""
    module = symbol.module_mm
    return "".join(
        f"M{x_mm + x:.3f} {y_mm + y:.3f}h{width:.3f}v{module:.3f}h{-width:.3f}z"
        for x, y, width in symbol.runs
    )

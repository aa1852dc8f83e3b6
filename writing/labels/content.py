"""What a label shows, apart from how it is drawn: free of the drawing libraries, so it is cheap to import."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextLine:
    """One line of a label's small text and its type size in points."""

    text: str
    size_pt: float = 7.0


@dataclass(frozen=True)
class Label:
    """What one label shows: its code in large type, the QR symbol's payload and smaller lines below.

    A label without a payload has no symbol, and its text takes the label's whole width.
    """

    code: str
    qr_payload: str | None
    lines: tuple[TextLine, ...] = ()
    code_size_pt: float = 14.0

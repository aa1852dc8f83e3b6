"""The report's document blocks: headings, paragraphs, lists, tables and figures, all plain text.

The report is built once as a list of blocks and written twice (:mod:`behavlab.report.markup`), so
``report.md`` and ``report.html`` always say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    """A section heading; level 1 is the title."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``banner`` marks a warning shown prominently."""

    text: str
    banner: bool = False


@dataclass(frozen=True)
class Bullets:
    """A list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells with an optional caption."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""


@dataclass(frozen=True)
class Image:
    """A figure: a file name relative to the report and its caption."""

    source: str
    caption: str


Block = Heading | Paragraph | Bullets | Table | Image


def table(header: Sequence[str], rows: Iterable[Sequence[object]], caption: str = "") -> Table:
    """A Table block from any cells (converted to text)."""
    return Table(
        tuple(header), tuple(tuple("" if c is None else str(c) for c in row) for row in rows), caption
    )

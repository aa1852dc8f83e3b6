"""The audit chain head written on paper and in files: the latest event's hash and the number of events.

Every artifact that leaves the database (the dosing sheet as CSV and HTML, the preparer's sheet, the blind and
the unmasked report as Markdown and HTML, the report's ``manifest.json``) carries the head of the audit chain
at the moment it was written. ``behavlab audit verify --head HASH`` or ``--receipt FILE`` later proves that
the log in the database still extends that head, so deleting the latest events or rewriting events and
recomputing every hash is detected against any sheet that left the database.

The line is the same in every text artifact::

    audit chain head: <SHA-256 of the latest event, 64 lowercase hex digits> (<N> events)

(``(1 event)`` for a single event). Where each kind of artifact carries it:

- CSV sheets (dosing sheet, preparer's sheet): after the table, one empty row, then one row whose only cell is
  the line (on the dosing sheet, a row with the protocol line comes before it). The header stays the first
  line and every data row keeps its columns, so ``csv.DictReader`` and ``pandas.read_csv`` read the table as
  before (both skip the empty row); the head row is the last one and its first cell begins with
  ``audit chain head:``, which is never a blind code. A program reading only the animals stops at the empty
  row.
- HTML pages and Markdown: a paragraph holding the line.
- ``manifest.json``: ``"audit_chain_head": {"hash": "<64 hex digits>", "events": N}``.

The hash is a digest of the audit events, which hold no allocation, so it reveals nothing about the arms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEAD_LABEL = "audit chain head:"
#: The key of the head in ``manifest.json``.
MANIFEST_KEY = "audit_chain_head"
#: The head line as printed, tolerant of case, spacing and a Markdown escaper's backslashes before brackets.
HEAD_LINE = re.compile(
    r"audit chain head:\s*([0-9a-f]{64})\s*\\?\(\s*(\d+)\s+events?\s*\\?\)",
    re.IGNORECASE,
)
_HASH = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class ChainHead:
    """The audit chain at one moment: the latest event's SHA-256 and the number of events up to it.

    Parameters
    ----------
    hash
        SHA-256 of the latest event, 64 lowercase hex digits (all zeros for an empty log).
    events
        Number of events in the log up to and including that one.
    """

    hash: str
    events: int

    def __post_init__(self) -> None:
        if not _HASH.fullmatch(self.hash):
            raise ValueError(f"audit chain head {self.hash!r}: accepted: 64 lowercase hex digits")
        if self.events < 0:
            raise ValueError(f"audit chain head event count {self.events}: accepted: 0 or more")

    @property
    def line(self) -> str:
        """The head as printed on every artifact: ``audit chain head: <hash> (<N> events)``."""
        return f"{HEAD_LABEL} {self.hash} ({self.events} event{'' if self.events == 1 else 's'})"

    def as_json(self) -> dict[str, str | int]:
        """The head as it stands in ``manifest.json``."""
        return {"hash": self.hash, "events": self.events}


def heads_in(text: str) -> list[ChainHead]:
    """Every distinct head line in a text, in order of first appearance."""
    found: list[ChainHead] = []
    for match in HEAD_LINE.finditer(text):
        head = ChainHead(match.group(1).lower(), int(match.group(2)))
        if head not in found:
            found.append(head)
    return found

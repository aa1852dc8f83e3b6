"""Anchoring the audit chain on paper: the head each artifact carries, and proof the log still extends it.

A hash chain alone cannot notice that its latest events were deleted, nor that an event was rewritten and
every later hash recomputed: what is left verifies. What it cannot forge is a head that left the database, so
every sheet, report and manifest carries one (the format and where each artifact puts it are in
:mod:`behavlab.audit_head`), and :func:`verify_extends` checks the current log against it: the event with that
hash exists, it is the event at the head's position (its count), and the chain verifies from the first event
through it to the current end.

When the head is taken:

- preparer's sheet (written at randomization or re-printed): in the writer transaction, after the
  ``preparer_sheet.write`` or ``preparer_sheet.reprint`` event that records it, so the head includes the
  sheet's own event. (Should the commit still fail after the file is written, the file names a head the log
  never held, and ``audit verify --receipt`` says so.)
- dosing sheet, blind and unmasked report, ``manifest.json``: writing them records no event; the head is read
  in the same read session as the artifact's data, after it, so it covers every event the artifact reflects.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from behavlab.audit_head import HEAD_LINE, MANIFEST_KEY, ChainHead, heads_in
from behavlab.db.session import reading
from behavlab.errors import InvalidInputError
from behavlab.models import AuditEvent
from behavlab.services.audit import GENESIS_HASH, ChainReport, verify_chain
from behavlab.services.workspace import Workspace

#: A receipt larger than this is not a sheet, report or manifest behavlab wrote.
MAX_RECEIPT_BYTES = 64 * 1024 * 1024
RECEIPT_KINDS = (
    "a dosing sheet (.csv or .html), a preparer's sheet (.csv), a report (report.md or report.html) or "
    "manifest.json written by behavlab"
)


@dataclass(frozen=True)
class HeadCheck:
    """Whether the current log extends a head: where that head's event is now and what, if anything, is wrong.

    Attributes
    ----------
    hash
        The head's hash as given.
    claimed_events
        The event count the head was printed with, or None when only the hash was given.
    position
        The number of events up to and including the head's event in the current log (0 for the empty
        log's head), or None when no event has that hash.
    events_now
        The number of events in the log now.
    problem
        What is wrong, naming the event, or None when the log extends the head.
    """

    hash: str
    claimed_events: int | None
    position: int | None
    events_now: int
    problem: str | None

    @property
    def ok(self) -> bool:
        """Whether the log extends the head."""
        return self.problem is None


def chain_head(session: Session) -> ChainHead:
    """The head of the audit chain as this session sees it: the latest event's hash and the event count.

    Call it inside the transaction that wrote the artifact's own event, after that event, so the head
    includes it. One statement reads both, so hash and count always belong together.
    """
    count = select(func.count()).select_from(AuditEvent).scalar_subquery()
    row = session.exec(select(AuditEvent.hash, count).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    if row is None:
        return ChainHead(GENESIS_HASH, 0)
    latest_hash, events = row
    return ChainHead(latest_hash, int(events))


def current_head(workspace: Workspace) -> ChainHead:
    """The head of the audit chain now."""
    with reading(workspace.engine) as session:
        return chain_head(session)


def parse_head(text: str) -> tuple[str, int | None]:
    """A head as typed after ``--head``: the 64-hex hash, or the printed line or its ``HASH (N events)`` part.

    Returns
    -------
    tuple of (str, int or None)
        The hash in lowercase and the event count when one was given.
    """
    typed = text.strip()
    if len(typed) == 64 and all(c in "0123456789abcdefABCDEF" for c in typed):
        return typed.lower(), None
    match = HEAD_LINE.fullmatch(typed) or HEAD_LINE.fullmatch(f"audit chain head: {typed}")
    if match is None:
        raise InvalidInputError(
            f"--head {typed[:80]!r}: accepted: the 64 hex digits of the audit chain head, or the line "
            "'audit chain head: <64 hex digits> (<N> events)' as printed on a sheet or report"
        )
    return match.group(1).lower(), int(match.group(2))


def read_receipt(path: Path) -> list[ChainHead]:
    """The chain head(s) a sheet, report or manifest carries (see :mod:`behavlab.audit_head` for where).

    Raises
    ------
    InvalidInputError
        The file cannot be read, is too large, or carries no head; the message names the file.
    """
    try:
        size = path.stat().st_size
        if size > MAX_RECEIPT_BYTES:
            raise InvalidInputError(
                f"--receipt {path}: {size} bytes; accepted: {RECEIPT_KINDS} (at most "
                f"{MAX_RECEIPT_BYTES // (1024 * 1024)} MiB)"
            )
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise InvalidInputError(f"--receipt {path}: cannot be read ({exc.strerror or exc})") from None
    heads = _manifest_head(path, text) if path.suffix.lower() == ".json" else heads_in(text)
    if not heads:
        raise InvalidInputError(
            f"--receipt {path}: no audit chain head found; accepted: {RECEIPT_KINDS}, which carries the line "
            "'audit chain head: <64 hex digits> (<N> events)' (in manifest.json: "
            f'"{MANIFEST_KEY}": {{"hash": ..., "events": ...}})'
        )
    return heads


def verify_extends(
    workspace: Workspace, head_hash: str, events: int | None = None, chain: ChainReport | None = None
) -> HeadCheck:
    """Check that the current log extends a head printed earlier.

    Parameters
    ----------
    workspace
        The opened database.
    head_hash
        The head's SHA-256 (64 hex digits).
    events
        The event count printed with the head, if known; the head's event must then be at that position.
    chain
        The result of :func:`behavlab.services.audit.verify_chain` already run on this log, if any; it is
        run here otherwise.

    Returns
    -------
    HeadCheck
        ``ok`` when the event with that hash exists at that position and the chain verifies from the first
        event through it to the end; otherwise ``problem`` names truncation, rewriting or the broken event.
        Rows that differ from their events are ``verify_chain``'s finding, not this one's.
    """
    head_hash = head_hash.strip().lower()
    if len(head_hash) != 64 or any(c not in "0123456789abcdef" for c in head_hash):
        raise InvalidInputError(f"audit chain head {head_hash[:80]!r}: accepted: 64 hex digits")
    if events is not None and events < 0:
        raise InvalidInputError(f"audit chain head event count {events}: accepted: 0 or more")
    with reading(workspace.engine) as session:
        events_now = session.exec(select(func.count()).select_from(AuditEvent)).one()
        position, problem = _position(session, head_hash, events, events_now)
    if problem is None and events is not None and position != events:
        problem = (
            f"the event with that hash is event {position} of the log, but the head was printed with "
            f"{events} events: events before it were deleted or inserted"
        )
    if problem is None and position is not None:
        report = chain if chain is not None else verify_chain(workspace)
        if report.first_bad_event_id is not None:
            where = "at or before the head" if report.events_checked < position else "after the head"
            problem = (
                f"the chain is broken {where}, at event {report.first_bad_event_id}: {report.problem} "
                f"({report.events_checked} events before it verified)"
            )
    return HeadCheck(head_hash, events, position, events_now, problem)


def _position(
    session: Session, head_hash: str, events: int | None, events_now: int
) -> tuple[int | None, str | None]:
    """How many events lead up to the head's event, or why it is not in the log."""
    if head_hash == GENESIS_HASH:
        return 0, None
    if events == 0:
        return None, f"a head of 0 events is the empty log's, {GENESIS_HASH}; this hash is not"
    head_id = session.exec(select(AuditEvent.id).where(AuditEvent.hash == head_hash)).first()
    if head_id is not None:
        position = session.exec(
            select(func.count()).select_from(AuditEvent).where(col(AuditEvent.id) <= head_id)
        ).one()
        return int(position), None
    if events is None:
        return None, (
            f"no event has that hash: the log ({events_now} events now) was truncated below the head or "
            "rewritten and re-chained"
        )
    if events_now < events:
        return None, (
            f"no event has that hash, and the log has {events_now} events, fewer than the {events} it had "
            f"when the head was printed: the last {events - events_now} or more were deleted (truncated)"
        )
    at_position = session.exec(
        select(AuditEvent.id, AuditEvent.hash).order_by(col(AuditEvent.id)).offset(events - 1).limit(1)
    ).one()
    return None, (
        f"no event has that hash; event {events} of the log (id {at_position[0]}) now has hash "
        f"{at_position[1]}: the log was rewritten at or before it and re-chained"
    )


def _manifest_head(path: Path, text: str) -> list[ChainHead]:
    """The head recorded in a manifest.json (falling back to head lines for any other JSON)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(
            f"--receipt {path}: not valid JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    if not isinstance(document, dict) or MANIFEST_KEY not in document:
        return heads_in(text)
    recorded = document[MANIFEST_KEY]
    if (
        not isinstance(recorded, dict)
        or not isinstance(recorded.get("hash"), str)
        or not isinstance(recorded.get("events"), int)
        or isinstance(recorded.get("events"), bool)
    ):
        raise InvalidInputError(
            f'--receipt {path}: "{MANIFEST_KEY}" is {json.dumps(recorded)[:120]}; accepted: '
            '{"hash": "<64 hex digits>", "events": <number of events>}'
        )
    try:
        return [ChainHead(recorded["hash"].lower(), recorded["events"])]
    except ValueError as exc:
        raise InvalidInputError(f"--receipt {path}: {exc}") from None

"""Reading a scanned label (or a typed blind code) at the bench: which animal of the open study it names.

A screen loads the study's :class:`ScanContext` once, in a worker, then reads each scan against it at once,
on the screen's own thread, so keys typed after a scan reach the animal it named. The context holds the
study's short ID, its blind codes and the other studies' names by short ID: nothing that could narrow an arm.
Whether typed text is (or may still become) a scan is decided here too, by its content alone.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import col, select

from behavlab.db.session import reading
from behavlab.errors import InvalidInputError, NotFoundError
from behavlab.models import Allocation, Study
from behavlab.services.library_errors import refused_input
from behavlab.services.lookup import find_study
from behavlab.services.workspace import Workspace
from cohorts.blind_codes import ALPHABET, CODE_LENGTH
from cohorts.scan_payload import PREFIX, SEPARATOR, is_payload, read_scan, study_short_id

PAYLOAD_START = PREFIX + SEPARATOR


def could_be_scan(text: str) -> bool:
    """Whether typing can complete `text` into a scan: a payload's start, or a code's first characters."""
    return (
        PAYLOAD_START.startswith(text)
        or is_payload(text)
        or (len(text) <= CODE_LENGTH and all(char in ALPHABET for char in text))
    )


def is_scan(text: str) -> bool:
    """Whether `text` at Enter is a scan: a payload, or a code's length of code characters (checked later)."""
    return is_payload(text) or (len(text) == CODE_LENGTH and all(char in ALPHABET for char in text))


@dataclass(frozen=True)
class ScanContext:
    """What reading a scan for one study needs: its short ID and codes, and the other studies by short ID."""

    study: str
    short_id: str
    codes: frozenset[str]
    other_studies: Mapping[str, str]


def scan_context(workspace: Workspace, study_name: str) -> ScanContext:
    """The study's short ID and blind codes, and every other study of the workspace by short ID."""
    with reading(workspace.engine) as session:
        study = find_study(session, study_name)
        codes = session.exec(select(Allocation.blind_code).where(Allocation.study_id == study.id)).all()
        others = session.exec(select(Study.uuid, Study.name).where(col(Study.id) != study.id)).all()
    return ScanContext(
        study=study.name,
        short_id=study_short_id(study.uuid),
        codes=frozenset(codes),
        other_studies={study_short_id(uuid): name for uuid, name in others},
    )


def scanned_animal(context: ScanContext, text: str) -> str:
    """The blind code of the study's animal a scanned label or typed code names.

    Parameters
    ----------
    context
        The open study's scan context, from :func:`scan_context`.
    text
        What the scanner typed before Enter: a label's payload or a bare blind code.

    Returns
    -------
    str
        The animal's normalized blind code.

    Raises
    ------
    InvalidInputError
        If the text is neither a label's payload nor a valid code (a mistyped check character), or the label
        was printed for another study (named when it is in this workspace).
    NotFoundError
        If no animal of the study holds the code.
    """
    with refused_input():
        scan = read_scan(text)
    if scan.study_short_id is not None and scan.study_short_id != context.short_id:
        other = context.other_studies.get(scan.study_short_id)
        source = f"study {other!r}" if other is not None else "a study not in this workspace"
        raise InvalidInputError(
            f"this label is from {source} (study ID {scan.study_short_id}), not {context.study!r}"
        )
    if scan.code not in context.codes:
        raise NotFoundError(f"no animal with blind code {scan.code} in study {context.study!r}")
    return scan.code

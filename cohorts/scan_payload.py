"""What a label's QR symbol holds and how a scanned or typed text is read back.

A label's QR payload is ``BL:<study short ID>:<blind code>``, for example ``BL:3F2A9C1D:K7QX2M``: the prefix
says it is a behavlab label, the study's short ID (the first eight hex digits of its UUID, upper case) says
which study printed it, and the code ends in its check character. Nothing else: the payload is printed on
labels handled before unmasking, so it carries nothing that could narrow an animal's arm. Every character is
in QR's alphanumeric set (upper-case letters, digits and ``:``), the densest mode a symbol can use for it, so
the payload fits a Micro QR symbol on the smallest labels.

A USB scanner is a keyboard: it types the payload (or, from a plain barcode, the bare code) and Enter. A scan
is therefore recognised by its content, never by its speed.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohorts.blind_codes import BlindCodeError, normalize_code

PREFIX = "BL"
SEPARATOR = ":"
SHORT_ID_LENGTH = 8
ACCEPTED = (
    f"a label's QR text {PREFIX}{SEPARATOR}<study ID>{SEPARATOR}<code> "
    f"or a blind code alone (6 characters ending in its check character)"
)


class ScanError(BlindCodeError):
    """A scanned or typed text that is neither a label's payload nor a valid blind code."""


@dataclass(frozen=True)
class Scan:
    """What a scanned text names: a blind code and, from a label's payload, the study that printed it."""

    code: str
    study_short_id: str | None


def study_short_id(study_uuid: str) -> str:
    """The study's short ID printed on its labels: the first eight hex digits of its UUID, upper case.

    Parameters
    ----------
    study_uuid
        The study's UUID as text (with or without dashes).

    Returns
    -------
    str
        Eight upper-case hexadecimal digits.
    """
    digits = study_uuid.replace("-", "").upper()
    if len(digits) < SHORT_ID_LENGTH or any(d not in "0123456789ABCDEF" for d in digits):
        raise ValueError(f"{study_uuid!r} is not a study UUID")
    return digits[:SHORT_ID_LENGTH]


def label_payload(short_id: str, code: str) -> str:
    """The text a label's QR symbol encodes for one animal.

    Parameters
    ----------
    short_id
        The study's short ID, from :func:`study_short_id`.
    code
        The animal's blind code, check character included.

    Returns
    -------
    str
        ``BL:<short ID>:<code>``.
    """
    return SEPARATOR.join((PREFIX, short_id, normalize_code(code)))


def is_payload(text: str) -> bool:
    """Whether a text starts as a label's payload does (``BL:``, any case), complete or not."""
    return text.strip().upper().startswith(PREFIX + SEPARATOR)


def read_scan(text: str) -> Scan:
    """The blind code (and study) a scanned or typed text names, its check character verified.

    Parameters
    ----------
    text
        What the scanner or a person typed before Enter: a label's payload or a bare blind code.

    Returns
    -------
    Scan
        The normalized code and, for a payload, the study's short ID (``None`` for a bare code).

    Raises
    ------
    ScanError
        If the text is a malformed payload or not a valid code; the message says what would be accepted.
    """
    stripped = text.strip()
    if not is_payload(stripped):
        return Scan(code=_checked(stripped, text), study_short_id=None)
    parts = stripped.upper().split(SEPARATOR)
    if len(parts) != 3 or len(parts[1]) != SHORT_ID_LENGTH:
        raise ScanError(f"{text!r} is not a complete label text; expected {ACCEPTED}")
    return Scan(code=_checked(parts[2], text), study_short_id=parts[1])


def _checked(code: str, text: str) -> str:
    try:
        return normalize_code(code)
    except BlindCodeError as error:
        where = "" if code == text else f"label text {text!r}: "
        raise ScanError(f"{where}{error}") from error

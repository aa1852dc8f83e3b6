"""Free text the services store (names, labels, reasons, people) passes the rule of `cohorts.text_safety`."""

from behavlab.services.library_errors import refused_input
from cohorts.text_safety import check_text


def checked_text(value: str, field: str, multiline: bool = False) -> str:
    """`value` unchanged if it holds no control, bidi or zero-width character, else InvalidInputError.

    The message names `field`, the character's position and code point and what is accepted, e.g.
    ``study name: character 5 is U+001B (ESC), a control character; accepted: printable text without control,
    bidi or zero-width characters``.
    """
    with refused_input():
        return check_text(value, field, multiline)

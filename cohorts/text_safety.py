r"""The one rule for typed text: what looks alike must be alike, and nothing typed may drive a screen.

Refused everywhere (names, labels, reasons, sheet cells):

- control characters (Unicode category Cc: NUL, ESC, DEL, the C1 controls such as CSI), which can move the
  cursor, recolour or retitle a terminal; in one-line fields this includes tabs and line breaks;
- bidirectional-text controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates, U+200E/U+200F
  and U+061C marks), which reorder what a reader sees;
- zero-width characters (U+200B-U+200D, U+2060, U+FEFF) and every other invisible format character
  (category Cf, e.g. the soft hyphen), which make two different values look the same;
- the Unicode line and paragraph separators (U+2028, U+2029) in one-line fields, and lone surrogates.

Multi-line fields (notes) may hold line feeds, carriage returns and tabs, and nothing else of the above.
`visible` is the same rule seen from the output side: text stored before the rule existed is shown with each
such character written as an escape (``\x1b``, ``\u202e``), never sent raw to a terminal.
"""

import unicodedata
from dataclasses import dataclass

from cohorts.errors import CohortsError

LINE_BREAKS = frozenset("\n\r\t")
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))
)
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
SEPARATORS = frozenset("\u2028\u2029")
ACCEPTED_ONE_LINE = "printable text without control, bidi or zero-width characters"
ACCEPTED_MULTILINE = "printable text and line breaks, without other control, bidi or zero-width characters"
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# The C0 and C1 control characters have no Unicode name, only these abbreviations (ISO 6429).
_C0_NAMES = (
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF",
    "VT", "FF", "CR", "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK",
    "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US",
)  # fmt: skip
_C1_NAMES = (
    "PAD", "HOP", "BPH", "NBH", "IND", "NEL", "SSA", "ESA", "HTS", "HTJ", "VTS",
    "PLD", "PLU", "RI", "SS2", "SS3", "DCS", "PU1", "PU2", "STS", "CCH", "MW",
    "SPA", "EPA", "SOS", "SGCI", "SCI", "CSI", "ST", "OSC", "PM", "APC",
)  # fmt: skip
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class UnsafeTextError(CohortsError):
    """Text holding a character the rule refuses; the message names the field, position and code point."""


@dataclass(frozen=True)
class UnsafeCharacter:
    """The first refused character of a text: where it is (1-based) and what it is."""

    position: int
    character: str

    @property
    def code_point(self) -> str:
        """The character as ``U+XXXX``."""
        return f"U+{ord(self.character):04X}"

    @property
    def name(self) -> str:
        """The character's Unicode name, or its control abbreviation (``ESC``), or ``""``."""
        code = ord(self.character)
        if code < 0x20:
            return _C0_NAMES[code]
        if code == 0x7F:
            return "DEL"
        if 0x80 <= code < 0xA0:
            return _C1_NAMES[code - 0x80]
        return unicodedata.name(self.character, "")

    @property
    def kind(self) -> str:
        """What sort of character it is, as a user reads it in an error message."""
        character = self.character
        if character in "\n\r" or character in SEPARATORS:
            return "a line break"
        if character == "\t":
            return "a tab"
        if character in BIDI_CONTROLS:
            return "a bidi control (it reorders the text shown)"
        if character in ZERO_WIDTH:
            return "a zero-width character"
        category = unicodedata.category(character)
        if category == "Cc":
            return "a control character"
        if category == "Cs":
            return "a lone surrogate, not a character"
        return "an invisible format character"

    def describe(self) -> str:
        """``character 5 is U+001B (ESC), a control character``."""
        name = f" ({self.name})" if self.name else ""
        return f"character {self.position} is {self.code_point}{name}, {self.kind}"


def is_refused(character: str, multiline: bool = False) -> bool:
    """Whether the rule refuses `character` (one character) in a one-line or a multi-line field."""
    if multiline and character in LINE_BREAKS:
        return False
    return character in SEPARATORS or unicodedata.category(character) in _REFUSED_CATEGORIES


def unsafe_character(text: str, multiline: bool = False) -> UnsafeCharacter | None:
    """The first character of `text` the rule refuses, or None when the text is safe to store and show."""
    if text.isascii() and text.isprintable():  # printable ASCII holds no control, bidi or separator character
        return None
    for index, character in enumerate(text):
        if is_refused(character, multiline):
            return UnsafeCharacter(index + 1, character)
    return None


def check_text(text: str, field: str, multiline: bool = False) -> str:
    """Return `text` unchanged if the rule accepts it, else raise `UnsafeTextError`.

    Parameters
    ----------
    text
        The value as given.
    field
        What the value is, as the user knows it (``"study name"``, ``"--reason"``); it starts the message.
    multiline
        Whether line feeds, carriage returns and tabs are allowed (free-text notes).

    Returns
    -------
    str
        `text`, accepted.

    Raises
    ------
    UnsafeTextError
        ``"study name: character 5 is U+001B (ESC), a control character; accepted: printable text without
        control, bidi or zero-width characters"``.
    """
    found = unsafe_character(text, multiline)
    if found is not None:
        accepted = ACCEPTED_MULTILINE if multiline else ACCEPTED_ONE_LINE
        raise UnsafeTextError(f"{field}: {found.describe()}; accepted: {accepted}")
    return text


def visible(text: str, keep_newlines: bool = False) -> str:
    r"""`text` with every character the one-line rule refuses written as an escape a reader can see.

    ``"a\x1b[2Jb"`` becomes the nine printable characters ``a\x1b[2Jb``, ``"\u202e"`` becomes ``\u202e``;
    text the rule accepts is returned unchanged, so showing stored values through it changes nothing for
    values stored under the rule. With `keep_newlines`, line feeds stay line feeds (a message of several
    lines); carriage returns, which can overwrite what a terminal shows, are always escaped.
    """
    if unsafe_character(text) is None:
        return text
    kept = "\n" if keep_newlines else ""
    return "".join(
        _escape(character) if is_refused(character) and character not in kept else character
        for character in text
    )


def _escape(character: str) -> str:
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"

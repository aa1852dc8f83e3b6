"""Blind codes: one short random code per animal, with a check character that catches typing slips.

A code is 5 random characters plus 1 check character from a 31-symbol alphabet without the look-alikes 0/O and
1/I/L. Codes come from the operating system's randomness (`secrets`) and take no input, so they cannot encode
an arm: knowing one animal's code and arm says nothing about any other animal.

Notes
-----
The check is a weighted sum modulo a prime, the scheme of ISBN-10 and of ISO/IEC 7064 (Gallian 1991, College
Math J 22:194-202). With symbol values v_i in 0..30 and weights w = (6, 5, 4, 3, 2, 1) on the six positions
(the check character last, weight 1), a code is valid when sum(w_i * v_i) = 0 (mod 31). Because 31 is prime:

- a substitution at position i changes the sum by w_i * d with 0 < |d| < 31; neither factor is a multiple of
  31, so the sum is no longer 0 mod 31 and the slip is caught;
- swapping unequal neighbours at i, i+1 changes it by (w_i - w_{i+1}) * (v_{i+1} - v_i) = (v_{i+1} - v_i),
  again not a multiple of 31.

Every single substitution and every adjacent transposition is therefore detected (any transposition, in
fact, since all weights differ). `tests/cohorts/test_blind_codes.py` checks this exhaustively per code.
"""

import secrets
from collections.abc import Collection, Mapping

from cohorts.errors import CohortsError

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DATA_LENGTH = 5
CODE_LENGTH = DATA_LENGTH + 1
WEIGHTS = tuple(range(CODE_LENGTH, 0, -1))
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
_MODULUS = len(ALPHABET)
_IGNORED = str.maketrans("", "", " -_\t")
ACCEPTED = (
    f"{CODE_LENGTH} characters from 2-9 and A-Z except I, L and O (case, spaces and dashes do not matter)"
)


class BlindCodeError(CohortsError):
    """A typed code is not a valid blind code (wrong length, foreign character, or failed check)."""


def check_character(data: str) -> str:
    """The check character that completes `data` (5 alphabet symbols) into a valid code.

    Parameters
    ----------
    data
        The first `DATA_LENGTH` characters of a code, from `ALPHABET`.

    Returns
    -------
    str
        The one character of `ALPHABET` that makes ``data + character`` a valid code.
    """
    if len(data) != DATA_LENGTH or any(symbol not in _VALUE for symbol in data):
        raise BlindCodeError(f"{data!r} is not {DATA_LENGTH} symbols of the code alphabet {ALPHABET}")
    total = sum(weight * _VALUE[symbol] for weight, symbol in zip(WEIGHTS, data, strict=False))
    return ALPHABET[-total % _MODULUS]


def generate_codes(n: int, existing: Collection[str] = ()) -> list[str]:
    """`n` new unique codes from OS randomness, none equal to a code in `existing`.

    Parameters
    ----------
    n
        How many codes to make (0 or more).
    existing
        Codes already in use, never returned.

    Returns
    -------
    list of str
        `n` distinct codes of `CODE_LENGTH` characters, each ending in its check character.
    """
    if n < 0:
        raise ValueError(f"cannot generate {n} codes")
    taken = set(existing)
    codes: list[str] = []
    while len(codes) < n:
        data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
        code = data + check_character(data)
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes


def normalize_code(typed: str) -> str:
    """A typed code in canonical form (upper case, no spaces or dashes).

    Parameters
    ----------
    typed
        The code as a person typed or scanned it.

    Returns
    -------
    str
        The code in upper case without spaces, dashes or underscores.

    Raises
    ------
    BlindCodeError
        Wrong length, a character never used in codes, or a failed check character.
    """
    code = typed.translate(_IGNORED).upper()
    if len(code) != CODE_LENGTH:
        raise BlindCodeError(f"code {typed!r} has {len(code)} characters; accepted: {ACCEPTED}")
    foreign = sorted({symbol for symbol in code if symbol not in _VALUE})
    if foreign:
        raise BlindCodeError(
            f"code {typed!r} contains {', '.join(foreign)}, never used in codes; accepted: {ACCEPTED}"
        )
    if check_character(code[:DATA_LENGTH]) != code[DATA_LENGTH]:
        raise BlindCodeError(
            f"code {typed!r} fails its check character: a character is mistyped or two are swapped; "
            "check the label and type it again"
        )
    return code


def code_named(typed: str, codes_by_lab_id: Mapping[str, str]) -> str:
    """The blind code of the animal a person named by its lab ID (ignoring case) or by its code.

    Parameters
    ----------
    typed
        A lab ID or a blind code, as typed or scanned.
    codes_by_lab_id
        Each randomized animal's blind code by its lab ID.

    Returns
    -------
    str
        The code of the animal with that lab ID, else the typed code in canonical form.

    Raises
    ------
    BlindCodeError
        `typed` is no lab ID of `codes_by_lab_id` and not a valid blind code.
    """
    wanted = typed.strip().casefold()
    for lab_id, code in codes_by_lab_id.items():
        if lab_id.casefold() == wanted:
            return code
    return normalize_code(typed)

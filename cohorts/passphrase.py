"""Whether a passphrase is strong enough to seal an allocation with: length of real characters, then zxcvbn.

A sealed key can be attacked offline without leaving any trace, so the passphrase must resist guessing by
someone who knows the lab: the study's own words (name, compound, vehicle, arm names) and the lab's usual
vocabulary (`LAB_WORDS`) count as dictionary words for the estimate. Messages name the reason and never
contain the passphrase.

Notes
-----
The estimate is zxcvbn (Wheeler 2016, "zxcvbn: Low-Budget Password Strength Estimation", USENIX Security),
through the `zxcvbn` Python port, imported only when a passphrase is checked. A score of 3 or more (an
estimated 10**8 guesses or more; zxcvbn's "safely unguessable") is required (`MIN_SCORE`), and a passphrase
whose words are all study or lab words is refused outright: zxcvbn rates several known words strong by their
count alone, but they are an informed attacker's first guesses. The length rule
(`MIN_PASSPHRASE_CHARS` real characters after NFC normalization, not counting whitespace,
control or format characters) follows NIST SP 800-63B section 3.1.1.2, which asks for a length minimum and
a check against lists of commonly used or context-specific words rather than composition rules. Control and
format characters (zero-width and bidirectional marks) are removed before estimating, so invisible
characters cannot dress up a weak passphrase. zxcvbn estimates at most `ESTIMATED_CHARS` characters; a
longer passphrase is judged by its beginning.
"""

import re
import unicodedata
from collections.abc import Sequence

from cohorts.sealing_errors import PassphraseTooShortError, WeakPassphraseError

#: The fewest real characters a passphrase may have (spaces, control and invisible characters not counted).
MIN_PASSPHRASE_CHARS = 12
_IGNORED_CATEGORIES = ("Cc", "Cf")

MIN_SCORE = 3
ESTIMATED_CHARS = 72
#: Words anyone attacking a key of this lab would try first.
LAB_WORDS = (
    "behavlab",
    "cohorts",
    "ketamine",
    "esketamine",
    "saline",
    "vehicle",
    "placebo",
    "control",
    "fluoxetine",
    "imipramine",
    "desipramine",
    "mouse",
    "mice",
    "rat",
    "rats",
    "c57bl",
    "c57bl6",
    "bl6",
    "study",
    "drug",
    "dose",
    "dosing",
    "forced swim",
    "fst",
    "sucrose",
    "spt",
    "blind",
    "unblind",
    "allocation",
    "randomize",
    "randomization",
    "passphrase",
    "lab",
    "laboratory",
    "vivarium",
    "cage",
    "arm",
)

__all__ = [
    "ESTIMATED_CHARS",
    "LAB_WORDS",
    "MIN_PASSPHRASE_CHARS",
    "MIN_SCORE",
    "PassphraseTooShortError",
    "WeakPassphraseError",
    "check_passphrase",
    "real_characters",
]


def real_characters(passphrase: str) -> int:
    """Characters of the NFC-normalized passphrase that count toward its length.

    Whitespace, control (Cc) and format (Cf: zero-width, bidirectional) characters do not count.
    """
    return sum(
        1
        for char in unicodedata.normalize("NFC", passphrase)
        if not char.isspace() and unicodedata.category(char) not in _IGNORED_CATEGORIES
    )


def check_passphrase_length(passphrase: str) -> None:
    """Refuse a passphrase with fewer than `MIN_PASSPHRASE_CHARS` real characters, without echoing it."""
    length = real_characters(passphrase)
    if length < MIN_PASSPHRASE_CHARS:
        raise PassphraseTooShortError(
            f"the passphrase has {length} real characters (spaces, control and invisible characters do not "
            f"count); accepted: at least {MIN_PASSPHRASE_CHARS} (four or more unrelated words are easier "
            "to remember than symbols)"
        )


def check_passphrase(passphrase: str, user_words: Sequence[str] = ()) -> None:
    """Refuse a passphrase too short or too easy to guess, naming why without echoing it.

    Parameters
    ----------
    passphrase
        The passphrase as typed.
    user_words
        The study's own words (study name, compound, vehicle, arm names), treated as dictionary words
        together with `LAB_WORDS`.

    Raises
    ------
    PassphraseTooShortError
        Fewer than `MIN_PASSPHRASE_CHARS` real characters.
    WeakPassphraseError
        Every word a study or lab word, or a zxcvbn score below `MIN_SCORE` (the message then carries
        zxcvbn's warning and suggestions).
    """
    check_passphrase_length(passphrase)
    from zxcvbn import zxcvbn

    visible = "".join(
        char
        for char in unicodedata.normalize("NFC", passphrase)
        if unicodedata.category(char) not in _IGNORED_CATEGORIES
    )
    dictionary = _dictionary_words(user_words)
    letters = re.findall(r"[^\W\d_]+", visible.lower())
    if letters and all(word in dictionary for word in letters):
        raise WeakPassphraseError(
            "the passphrase is made only of the study's or the lab's own words (with digits or symbols), the "
            "first guesses anyone who knows the study would try; accepted: a passphrase with words of its "
            "own. Four or more unrelated random words work well."
        )
    result = zxcvbn(visible[:ESTIMATED_CHARS], user_inputs=dictionary)
    score = int(result["score"])
    if score < MIN_SCORE:
        feedback = result["feedback"]
        advice = " ".join(part for part in (feedback["warning"], *feedback["suggestions"]) if part)
        raise WeakPassphraseError(
            f"the passphrase is too easy to guess (strength {score} of 4 by zxcvbn, counting the study's and "
            f"the lab's words as known; accepted: {MIN_SCORE} or more). "
            + (advice + " " if advice else "")
            + "Four or more unrelated random words work well."
        )


def _dictionary_words(user_words: Sequence[str]) -> list[str]:
    """The study's words, each whole and split into its parts, with the lab's words; lower case."""
    words: list[str] = list(LAB_WORDS)
    for text in user_words:
        lowered = text.strip().lower()
        if lowered:
            words.append(lowered)
            words.extend(part for part in re.split(r"[\W_]+", lowered) if len(part) >= 3)
    return list(dict.fromkeys(words))

"""Passphrase strength: real-character length, zxcvbn score with the study's and the lab's words."""

import pytest

from cohorts.passphrase import MIN_SCORE, WeakPassphraseError, check_passphrase
from cohorts.sealing_errors import PassphraseTooShortError, SealedKeyError

STUDY_WORDS = ("ketamine-fst-2026", "ketamine", "vehicle", "saline")
STRONG = "tundra lantern quiver mosaic"


@pytest.mark.parametrize(
    ("passphrase", "reason"),
    [
        ("password", "has 8 real characters"),
        (" " * 8, "has 0 real characters"),
        ("\u200b" * 8, "has 0 real characters"),
        ("\u200b" * 40, "has 0 real characters"),
        ("ketamine1", "has 9 real characters"),
        ("ketamine2026!", "only of the study's or the lab's own words"),
        ("Ketamine-Vehicle-Saline", "only of the study's or the lab's own words"),
        ("ketamine vehicle saline mice", "only of the study's or the lab's own words"),
        ("passwordpassword", "too easy to guess"),
        ("123456789012", "too easy to guess"),
        ("qwertyuiopasdf", "too easy to guess"),
    ],
)
def test_weak_passphrases_are_refused_with_a_reason_and_never_echoed(passphrase: str, reason: str) -> None:
    with pytest.raises(WeakPassphraseError, match=reason) as caught:
        check_passphrase(passphrase, STUDY_WORDS)
    assert passphrase.strip() not in str(caught.value) or not passphrase.strip()
    assert isinstance(caught.value, SealedKeyError)


def test_a_refusal_by_score_carries_zxcvbn_feedback() -> None:
    with pytest.raises(
        WeakPassphraseError, match=r"strength [0-2] of 4 .*accepted: 3 or more\)\. \S"
    ) as caught:
        check_passphrase("passwordpassword")
    assert "Repeat" in str(caught.value) or "common" in str(caught.value)
    assert MIN_SCORE == 3


def test_study_words_are_known_words_for_the_estimate() -> None:
    check_passphrase("zorbatical-flummoxed")
    with pytest.raises(WeakPassphraseError):
        check_passphrase("zorbatical-flummoxed", ["zorbatical flummoxed"])


def test_too_short_is_the_subclass_old_callers_catch() -> None:
    with pytest.raises(PassphraseTooShortError):
        check_passphrase("short")


def test_invisible_characters_do_not_make_a_weak_passphrase_strong() -> None:
    with pytest.raises(WeakPassphraseError):
        check_passphrase("pass\u200bword\u200bpass\u200bword\u202e")


@pytest.mark.parametrize(
    "passphrase",
    [STRONG, "ketamine tundra quiver mosaic", "gravel Orchid 7 sunlit harbour", "x" * 3 + STRONG * 4],
)
def test_random_word_phrases_are_accepted(passphrase: str) -> None:
    check_passphrase(passphrase, STUDY_WORDS)

"""Blind codes: uniqueness, alphabet, and detection of every substitution and adjacent transposition."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.blind_codes import (
    ALPHABET,
    CODE_LENGTH,
    BlindCodeError,
    check_character,
    generate_codes,
    normalize_code,
)

data_parts = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH - 1, max_size=CODE_LENGTH - 1)


def is_accepted(typed: str) -> bool:
    """Whether `normalize_code` accepts a typed code."""
    try:
        normalize_code(typed)
    except BlindCodeError:
        return False
    return True


def test_alphabet_has_no_look_alikes_and_a_prime_size() -> None:
    assert not set("0O1IL") & set(ALPHABET)
    assert len(ALPHABET) == len(set(ALPHABET)) == 31


def test_generated_codes_are_unique_valid_and_avoid_existing_ones() -> None:
    first = generate_codes(3000)
    assert len(set(first)) == 3000
    assert all(len(code) == CODE_LENGTH and normalize_code(code) == code for code in first)
    more = generate_codes(500, existing=first)
    assert not set(more) & set(first)
    assert generate_codes(0) == []


@settings(max_examples=300)
@given(data_parts)
def test_every_substitution_and_adjacent_transposition_is_detected(data: str) -> None:
    code = data + check_character(data)
    assert is_accepted(code)
    for position in range(CODE_LENGTH):
        for symbol in ALPHABET.replace(code[position], ""):
            assert not is_accepted(code[:position] + symbol + code[position + 1 :])
    for position in range(CODE_LENGTH - 1):
        if code[position] != code[position + 1]:
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            assert not is_accepted(swapped)


def test_typed_codes_are_normalized() -> None:
    code = generate_codes(1)[0]
    assert normalize_code(f" {code[:3].lower()}-{code[3:]} ") == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("ABC2", "has 4 characters"),
        ("ABCDEFG", "has 7 characters"),
        ("AB0DE2", "contains 0, never used in codes"),
        ("ABIDEL", "contains I, L, never used in codes"),
    ],
)
def test_malformed_codes_are_refused_with_what_is_accepted(typed: str, message: str) -> None:
    with pytest.raises(BlindCodeError, match=message) as caught:
        normalize_code(typed)
    assert "accepted: 6 characters from 2-9 and A-Z except I, L and O" in str(caught.value)


def test_a_mistyped_code_names_the_check_failure() -> None:
    code = generate_codes(1)[0]
    wrong = code[:-1] + ALPHABET[(ALPHABET.index(code[-1]) + 1) % len(ALPHABET)]
    with pytest.raises(BlindCodeError, match="fails its check character"):
        normalize_code(wrong)

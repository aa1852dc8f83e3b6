"""The one text rule: control, bidi and zero-width characters are refused by name and position, and shown
as escapes when old text holding them is printed."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cohorts.text_safety import (
    ACCEPTED_ONE_LINE,
    UnsafeTextError,
    check_text,
    is_refused,
    unsafe_character,
    visible,
)

BIDI = [chr(code) for code in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("ket\x1b[2Jamine", "character 4 is U+001B (ESC), a control character"),
        ("two\nlines", "character 4 is U+000A (LF), a line break"),
        ("tab\there", "character 4 is U+0009 (HT), a tab"),
        ("\x00", "character 1 is U+0000 (NUL), a control character"),
        ("del\x7f", "character 4 is U+007F (DEL), a control character"),
        ("c1\x9b31m", "character 3 is U+009B (CSI), a control character"),
        ("ab\u2028", "character 3 is U+2028 (LINE SEPARATOR), a line break"),
        ("abc\u202etxt.exe", "character 4 is U+202E (RIGHT-TO-LEFT OVERRIDE), a bidi control (it reorders"),
        ("a\u2066b", "character 2 is U+2066 (LEFT-TO-RIGHT ISOLATE), a bidi control"),
        ("ctr\u200bl", "character 4 is U+200B (ZERO WIDTH SPACE), a zero-width character"),
        ("\ufeffM1", "character 1 is U+FEFF (ZERO WIDTH NO-BREAK SPACE), a zero-width character"),
        ("soft\u00adhyphen", "character 5 is U+00AD (SOFT HYPHEN), an invisible format character"),
    ],
)
def test_each_kind_of_hidden_character_is_named_with_its_position(text: str, described: str) -> None:
    with pytest.raises(UnsafeTextError) as refused:
        check_text(text, "study name")
    message = str(refused.value)
    assert message.startswith(f"study name: {described}")
    assert message.endswith(f"; accepted: {ACCEPTED_ONE_LINE}")


def test_the_message_reads_as_one_line_naming_field_position_and_code_point() -> None:
    with pytest.raises(UnsafeTextError) as refused:
        check_text("ket\x1bx", "study name")
    assert str(refused.value) == (
        "study name: character 4 is U+001B (ESC), a control character; "
        "accepted: printable text without control, bidi or zero-width characters"
    )


@pytest.mark.parametrize("character", BIDI + ZERO_WIDTH)
def test_every_bidi_and_zero_width_character_is_refused_even_in_multi_line_text(character: str) -> None:
    assert unsafe_character(f"a{character}b") is not None
    assert unsafe_character(f"line one\n{character}", multiline=True) is not None


def test_multi_line_text_keeps_line_breaks_and_tabs_but_no_escape() -> None:
    assert check_text("first line\r\nsecond\tline", "notes", multiline=True) == "first line\r\nsecond\tline"
    with pytest.raises(UnsafeTextError, match=r"^notes: character 6 is U\+001B \(ESC\)"):
        check_text("line\n\x1b[2J", "notes", multiline=True)


ORDINARY = ["ket-2025-03", "née à Lyon", "C57BL/6J", "小鼠 研究", "<script>alert(1)</script>", "🐭 | *x* [y]"]


@pytest.mark.parametrize("text", ORDINARY)
def test_visible_text_of_any_script_and_punctuation_is_accepted_unchanged(text: str) -> None:
    assert check_text(text, "study name") == text
    assert visible(text) == text


def test_visible_writes_each_refused_character_as_an_escape() -> None:
    assert visible("a\x1b[31mred\x07") == "a\\x1b[31mred\\x07"
    assert visible("x\u202eabc\u200b") == "x\\u202eabc\\u200b"
    assert visible("two\nlines\r") == "two\\nlines\\r"
    assert visible("two\nlines\r", keep_newlines=True) == "two\nlines\\r"


@given(st.text())
def test_nothing_visible_returns_is_refused(text: str) -> None:
    assert unsafe_character(visible(text)) is None
    kept = visible(text, keep_newlines=True)
    assert not any(is_refused(character) for character in kept if character != "\n")

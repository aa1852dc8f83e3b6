"""A label's QR payload, and scanned text read back to a code and a study."""

import pytest

from cohorts.blind_codes import generate_codes
from cohorts.scan_payload import ScanError, is_payload, label_payload, read_scan, study_short_id

UUID = "3f2a9c1d-0b7e-4c55-9a61-2d8e4f0c7b13"


def test_the_short_id_is_the_uuid_s_first_eight_hex_digits_upper_case() -> None:
    assert study_short_id(UUID) == "3F2A9C1D"
    with pytest.raises(ValueError, match="not a study UUID"):
        study_short_id("study-1")


def test_a_payload_reads_back_to_its_code_and_study() -> None:
    [code] = generate_codes(1)
    payload = label_payload(study_short_id(UUID), code.lower())
    assert payload == f"BL:3F2A9C1D:{code}"
    assert is_payload(payload) and is_payload("bl:3f")
    scan = read_scan(payload.lower() + "\n")
    assert (scan.code, scan.study_short_id) == (code, "3F2A9C1D")


def test_a_bare_code_is_a_scan_without_a_study() -> None:
    [code] = generate_codes(1)
    scan = read_scan(f" {code[:3]}-{code[3:]} ")
    assert (scan.code, scan.study_short_id) == (code, None)


def test_a_mistyped_check_character_is_refused_saying_so() -> None:
    [code] = generate_codes(1)
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")
    with pytest.raises(ScanError, match="fails its check character"):
        read_scan(wrong)
    with pytest.raises(ScanError, match=f"label text 'BL:3F2A9C1D:{wrong}': .*check character"):
        read_scan(f"BL:3F2A9C1D:{wrong}")


@pytest.mark.parametrize("text", ["BL:3F2A9C1D", "BL:3F2A:ABCDEF", "BL:3F2A9C1D:K7:X", "12.5"])
def test_malformed_text_is_refused(text: str) -> None:
    with pytest.raises(ScanError):
        read_scan(text)

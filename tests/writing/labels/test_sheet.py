"""Rendered label sheets decode back to every payload, each QR where its template puts it."""

import xml.etree.ElementTree as ElementTree

import cv2
import numpy as np
import pypdfium2
import pytest
import zxingcpp

from tests.writing.labels.reading import BORDER, PIXEL_MM, label_area, page_image
from writing.labels.content import Label, TextLine
from writing.labels.qr import MIN_MODULE_MM, SymbolTooSmallError, symbol_for
from writing.labels.sheet import LabelDoesNotFitError, pdf_document, qr_box, svg_sheets
from writing.labels.templates import A4_24, A4_65, ROLL_25X13, LabelTemplate, label_positions


def _labels(count: int) -> list[Label]:
    return [
        Label(
            code=f"K{index:02d}Q",
            qr_payload=f"ST7:K{index:02d}Q",
            lines=(TextLine("study ST7"), TextLine("10 mL/kg, day 1")),
        )
        for index in range(count)
    ]


def _page_image(document: bytes, page: int = 0) -> np.ndarray:
    return page_image(pypdfium2.PdfDocument(document)[page])


def _expected_centres(template: LabelTemplate, labels: list[Label]) -> dict[str, tuple[float, float]]:
    qr_x, qr_y, side = qr_box(template)
    return {
        label.qr_payload: (x + qr_x + side / 2, y + qr_y + side / 2)
        for label, (x, y) in zip(labels, label_positions(template), strict=False)
    }


def _decoded_centres(image: np.ndarray, template: LabelTemplate) -> dict[str, tuple[float, float]]:
    """Each label's area cut from the page and its QR decoded (OpenCV misses some on a whole A4 page)."""
    detector = cv2.QRCodeDetector()
    centres = {}
    for x, y in label_positions(template):
        label, left, top = label_area(image, template, x, y)
        payload, corners, _ = detector.detectAndDecode(label)
        if payload:
            centre_x, centre_y = corners.reshape(-1, 2).mean(axis=0) - BORDER
            centres[payload] = ((left + centre_x) * PIXEL_MM, (top + centre_y) * PIXEL_MM)
    return centres


@pytest.mark.parametrize("template", [A4_24, A4_65], ids=lambda template: template.name)
def test_every_qr_of_a_pdf_sheet_decodes_where_its_template_puts_it(template: LabelTemplate) -> None:
    labels = _labels(template.labels_per_page)
    centres = _decoded_centres(_page_image(pdf_document(template, labels, title="syringes")), template)
    expected = _expected_centres(template, labels)
    assert sorted(centres) == sorted(expected)
    for payload, (x, y) in expected.items():
        assert centres[payload] == pytest.approx((x, y), abs=0.5), payload


def test_labels_beyond_one_sheet_continue_on_the_next_page() -> None:
    labels = _labels(A4_24.labels_per_page + 2)
    document = pdf_document(A4_24, labels, title="syringes")
    assert len(pypdfium2.PdfDocument(document)) == 2
    assert sorted(_decoded_centres(_page_image(document, page=1), A4_24)) == ["ST7:K24Q", "ST7:K25Q"]


SMALL = LabelTemplate(
    name="small",
    description="20 x 10 mm test stock",
    page_width_mm=50.0,
    page_height_mm=30.0,
    columns=2,
    rows=2,
    label_width_mm=20.0,
    label_height_mm=11.0,
    left_margin_mm=4.0,
    top_margin_mm=3.0,
    horizontal_pitch_mm=22.0,
    vertical_pitch_mm=12.0,
)


def test_a_label_too_small_for_a_readable_qr_gets_a_micro_qr_that_decodes() -> None:
    labels = [Label(code=f"K{index}", qr_payload=f"ST7:K{index}Q", code_size_pt=8) for index in range(4)]
    assert symbol_for(labels[0].qr_payload, qr_box(SMALL)[2]).micro
    image = _page_image(pdf_document(SMALL, labels, title="tubes"))
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.MicroQRCode)
    centres = {
        result.text: (
            (result.position.top_left.x + result.position.bottom_right.x) / 2 * PIXEL_MM,
            (result.position.top_left.y + result.position.bottom_right.y) / 2 * PIXEL_MM,
        )
        for result in results
    }
    expected = _expected_centres(SMALL, labels)
    assert sorted(centres) == sorted(expected)
    for payload, centre in expected.items():
        assert centres[payload] == pytest.approx(centre, abs=0.5), payload


def test_a_large_label_keeps_a_full_qr_at_a_readable_module() -> None:
    symbol = symbol_for("ST7:K01Q", qr_box(A4_65)[2])
    assert not symbol.micro
    assert symbol.module_mm >= MIN_MODULE_MM


def test_a_payload_no_symbol_can_hold_readably_is_refused() -> None:
    with pytest.raises(SymbolTooSmallError, match="larger label template"):
        symbol_for("ST7:K01Q", 4.0)
    with pytest.raises(LabelDoesNotFitError, match="K01Q"):
        pdf_document(SMALL, [Label(code="K01Q", qr_payload="ST7:" + "K01Q" * 10)], title="tubes")


def test_text_too_long_for_the_label_is_refused_naming_it() -> None:
    label = Label(code="K01Q", qr_payload="ST7:K01Q", lines=(TextLine("x" * 200),))
    with pytest.raises(LabelDoesNotFitError, match="xxxx"):
        svg_sheets(A4_65, [label])


def test_an_svg_sheet_parses_with_one_group_per_label_holding_only_its_text() -> None:
    labels = _labels(5)
    labels[0] = Label(code="K<&>", qr_payload="ST7:K00Q", lines=(TextLine("a & b"),))
    (document,) = svg_sheets(A4_24, labels)
    root = ElementTree.fromstring(document)
    namespace = "{http://www.w3.org/2000/svg}"
    assert root.get("viewBox") == "0 0 210.0 297.0"
    groups = root.findall(f"{namespace}g")
    assert [group.get("data-code") for group in groups] == [label.code for label in labels]
    assert [text.text for text in groups[0].iter(f"{namespace}text")] == ["K<&>", "a & b"]
    assert all(len(group.findall(f"{namespace}path")) == 1 for group in groups)
    assert groups[4].get("transform") == "translate(73.250 46.800)"


def test_a_label_without_a_payload_has_no_symbol_and_its_text_takes_the_whole_width() -> None:
    line = TextLine("F001 K7QX2M F003 KS4ZE4")
    with pytest.raises(LabelDoesNotFitError):
        svg_sheets(A4_65, [Label(code="cage F01", qr_payload="ST7:K01Q", lines=(line,))])
    (document,) = svg_sheets(A4_65, [Label(code="cage F01", qr_payload=None, lines=(line,))])
    group = ElementTree.fromstring(document).find("{http://www.w3.org/2000/svg}g")
    assert group is not None and group.find("{http://www.w3.org/2000/svg}path") is None
    page = pypdfium2.PdfDocument(pdf_document(A4_65, [Label("cage F01", None, (line,))], title="cages"))[0]
    assert "F003 KS4ZE4" in page.get_textpage().get_text_range()


def test_the_tube_roll_carries_a_micro_qr_that_decodes_where_its_box_is() -> None:
    payload = "BL:1234567:J9HHQ3"  # a real payload's length: a QR code fits the box, at smaller modules
    label = Label(code="J9HHQ3", qr_payload=payload, lines=(TextLine("PFC", 9.0), TextLine("dr")))
    symbol = symbol_for(payload, qr_box(ROLL_25X13)[2])
    assert symbol.micro and symbol.module_mm >= MIN_MODULE_MM
    image = _page_image(pdf_document(ROLL_25X13, [label], title="tubes"))
    (result,) = zxingcpp.read_barcodes(
        label_area(image, ROLL_25X13, 0.0, 0.0)[0], formats=zxingcpp.BarcodeFormat.MicroQRCode
    )
    assert result.text == payload
    centre = (
        ((result.position.top_left.x + result.position.bottom_right.x) / 2 - BORDER) * PIXEL_MM,
        ((result.position.top_left.y + result.position.bottom_right.y) / 2 - BORDER) * PIXEL_MM,
    )
    assert centre == pytest.approx(_expected_centres(ROLL_25X13, [label])[payload], abs=0.5)


def test_a_print_may_start_part_way_down_a_used_sheet() -> None:
    labels = _labels(3)
    document = pdf_document(A4_24, labels, title="syringes", start=23)
    assert len(pypdfium2.PdfDocument(document)) == 2
    positions = label_positions(A4_24)
    first = _decoded_centres(_page_image(document), A4_24)
    qr_x, qr_y, side = qr_box(A4_24)
    for payload, (x, y) in zip(["ST7:K00Q", "ST7:K01Q"], positions[22:], strict=True):
        assert first[payload] == pytest.approx((x + qr_x + side / 2, y + qr_y + side / 2), abs=0.5)
    assert sorted(first) == ["ST7:K00Q", "ST7:K01Q"]
    assert sorted(_decoded_centres(_page_image(document, page=1), A4_24)) == ["ST7:K02Q"]
    sheets = svg_sheets(A4_24, labels, start=23)
    assert [
        len(ElementTree.fromstring(sheet).findall("{http://www.w3.org/2000/svg}g")) for sheet in sheets
    ] == [
        2,
        1,
    ]

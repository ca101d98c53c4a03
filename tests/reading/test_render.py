"""The printable blank: numbered pages with the serial as text and as a Code 128 barcode."""

import pypdfium2 as pdfium
import pytest
import zxingcpp

from safar.reading.render import next_serials, render_pdf
from safar.reading.template import load_template


def test_serials_count_up_keeping_letters_and_width():
    assert next_serials("AA0000009", 3) == ["AA0000009", "AA0000010", "AA0000011"]


def test_serials_that_would_overflow_are_refused():
    with pytest.raises(ValueError, match="run past AA9999999"):
        next_serials("AA9999999", 2)


def test_each_blank_carries_its_serial_as_text_and_barcode():
    template = load_template("safar-card")
    pdf = pdfium.PdfDocument(render_pdf(template, ["AA0000041", "AA0000042"]))
    assert len(pdf) == 2
    for i, serial in enumerate(["AA0000041", "AA0000042"]):
        page = pdf[i]
        text = page.get_textpage().get_text_range()
        assert " ".join(serial) in " ".join(text.replace(" ", "")) or serial in text.replace(
            " ", ""
        )
        assert "Номер паспорта" in text
        image = page.render(scale=200 / 72, grayscale=True).to_numpy()
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
        assert [c.text for c in codes] == [serial]
    pdf.close()


def test_the_overleaf_follows_each_card():
    template = load_template("safar-card")
    pdf = pdfium.PdfDocument(render_pdf(template, ["AA0000001"], ["TJ-DU", " 01  ноҳияи Сино"]))
    assert len(pdf) == 2
    assert "ноҳияи Сино" in pdf[1].get_textpage().get_text_range()
    pdf.close()

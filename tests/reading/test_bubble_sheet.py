"""The second form: an answer sheet made in another style than the card (bubble-sheet.json)."""

import numpy as np
import pypdfium2 as pdfium
import pytest

from safar.reading.render import render_pdf
from safar.reading.synth_sheet import PENS, choose_of, fill, truth_value
from safar.reading.template import load_template


@pytest.fixture(scope="module")
def sheet():
    return load_template("bubble-sheet")


def test_the_template_loads_with_its_id_grid_and_questions(sheet):
    assert sheet.layout == "sheet" and sheet.fiducial_kind == "ring"
    ids = [f for f in sheet.fields if f.name.startswith("id_")]
    questions = [f for f in sheet.fields if f.name.startswith("q")]
    assert len(ids) == 6 and all(len(f.options) == 10 and f.required for f in ids)
    assert [o.value for o in ids[0].options] == list("0123456789")
    assert len(questions) == 50 and all(
        [o.value for o in f.options] == list("ABCD") for f in questions
    )
    assert [f.name for f in questions if choose_of(sheet, f) == "any"] == [
        "q46",
        "q47",
        "q48",
        "q49",
        "q50",
    ]
    assert choose_of(sheet, sheet.field("q01")) == "at_most_one"
    assert choose_of(sheet, sheet.field("id_1")) == "one"


def test_the_blank_has_ring_marks_a_bullseye_and_printed_letters(sheet):
    pdf = pdfium.PdfDocument(render_pdf(sheet, ["000123"]))
    page = pdf[0]
    text = page.get_textpage().get_text_range()
    grey = page.render(scale=100 / 72, grayscale=True).to_numpy()
    pdf.close()
    assert "Candidate ID" in text and "№ 000123" in text
    px = 100 / 25.4

    def at(x_mm, y_mm):
        return grey[int(round(y_mm * px)), int(round(x_mm * px))]

    for i, m in enumerate(sheet.fiducials):
        cx, cy = m.centre
        assert at(cx + m.size * 0.41, cy) < 100  # the ring
        assert at(cx + m.size * 0.26, cy) > 200  # white inside it
        assert (at(cx, cy) < 100) == (i == 0)  # only the top-left is a bullseye
    # The letter inside each bubble is printed, the bubble's outline too; between them, paper.
    b = sheet.field("q01").options[0].box
    assert (
        grey[int(b.y * px) : int((b.y + b.h) * px), int(b.x * px) : int((b.x + b.w) * px)].min()
        < 120
    )


@pytest.mark.parametrize("pen", list(PENS))
def test_a_filled_sheet_carries_its_truth(sheet, pen):
    rng = np.random.default_rng(11)
    img, truth = fill(sheet, rng, 100, pen)
    grey = img.mean(axis=2)
    px = 100 / 25.4
    for f in sheet.fields:
        marks = truth["marks"][f.name]
        assert truth["values"][f.name] == truth_value(sheet, f, marks)
        for o, mark in zip(f.options, marks, strict=True):
            centre = grey[
                int(o.box.cy * px) - 3 : int(o.box.cy * px) + 4,
                int(o.box.cx * px) - 3 : int(o.box.cx * px) + 4,
            ]
            if mark == "fill":
                assert centre.mean() < 215, (f.name, o.value, pen)
            elif mark == "empty":
                assert centre.mean() > 150, (f.name, o.value, pen)
    # The ID is always filled, one digit a column.
    assert all(truth["values"][f"id_{k}"] is not None for k in range(1, 7))

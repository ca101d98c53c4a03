"""The bubble answer sheet read end to end from synthetic scans: a form made elsewhere, read by
writing only its template."""

import datetime as dt

import numpy as np
import pytest

from safar.reading.card import read_card
from safar.reading.synth_sheet import synth_sheet
from safar.reading.template import load_template

TODAY = dt.date(2026, 12, 1)
FIXED = {
    "q01": ["empty", "fill", "empty", "empty"],
    "q02": ["empty", "empty", "empty", "empty"],
    "q03": ["erased", "empty", "fill", "empty"],
    "q04": ["empty", "empty", "empty", "tick"],
    "q46": ["fill", "empty", "fill", "empty"],
    "q47": ["empty", "empty", "empty", "empty"],
}


@pytest.fixture(scope="module")
def sheet():
    return load_template("bubble-sheet")


@pytest.mark.parametrize(
    ("dpi", "pen", "mode", "fmt", "rotation"),
    [
        (150, "gel", "grey", "jpg", 0),
        (150, "pencil", "colour", "png", 180),
        (300, "ballpoint", "bw", "png", 0),
    ],
)
def test_a_filled_sheet_is_read_right(sheet, dpi, pen, mode, fmt, rotation):
    rng = np.random.default_rng(dpi + len(pen))
    page = synth_sheet(
        sheet,
        rng,
        dpi=dpi,
        pen=pen,
        mode=mode,
        fmt=fmt,
        rotation=rotation,
        skew=1.2,
        answers=FIXED,
    )
    result = read_card(page["data"], sheet, today=TODAY)
    assert result.aligned, result.problem
    assert result.residual_mm is not None and result.residual_mm < sheet.tolerance
    wrong = []
    for f in sheet.fields:
        reading, truth, marks = result.fields[f.name], page["values"][f.name], page["marks"][f.name]
        value = [] if isinstance(truth, list) and reading.value is None else reading.value
        sure = reading.valid and reading.confidence >= sheet.confident
        if sure and value != truth:
            wrong.append((f.name, value, truth, marks))
        if set(marks) <= {"fill", "empty"} and (value != truth or not sure):
            wrong.append((f.name, value, truth, marks, reading.confidence))
    assert wrong == []
    assert result.fields["q01"].value == "B"
    assert result.fields["q02"].value is None
    assert result.fields["q46"].value == ["A", "C"]
    assert result.fields["q47"].value in ([], None)
    # A tick instead of a fill is not taken for a mark without a person looking.
    tick = result.fields["q04"]
    assert not (tick.valid and tick.confidence >= sheet.confident)

"""The card reader on synthetic scans: round trips, a cancelled box, bad dates, unaligned pages.

Cards come from the project's own blank and synthetic hand (safar.reading.synth), so these tests
need nothing outside the repository. A round trip asserts the fields that the reader must get
right for the card to be useful; the benchmark (safar bench reading) measures the rest at scale.
"""

import datetime

import numpy as np
import pytest

from safar.reading.card import CROSSING_KEYS, load_template, read_card
from safar.reading.synth import encode, fill, scan, synth_card

# The synthetic cards are crossed in 2025-2026; the reader is told the day explicitly.
TODAY = datetime.date(2026, 11, 22)

TEMPLATE = load_template("safar-card")
CHECKBOX_FIELDS = [f.name for f in TEMPLATE.fields if f.kind == "checkboxes"]


def assert_read_as_written(result, values):
    assert result.aligned, result.problem
    for name in CHECKBOX_FIELDS:
        assert result.fields[name].value == values[name], name
    assert result.fields["card_number"].value == values["card_number"]
    # Character fields: wrong values may be read, but never confidently.
    for name, reading in result.fields.items():
        if result.is_confident(name):
            assert reading.value == values[name], (name, reading.value, values[name])


@pytest.mark.parametrize(
    ("rotation", "dpi", "mode", "fmt"),
    [
        (0, 300, "colour", "jpg"),
        (90, 200, "grey", "png"),
        (180, 400, "bw", "png"),
        (270, 500, "grey", "jpg"),
    ],
)
def test_a_filled_card_is_read_at_any_rotation_and_resolution(rotation, dpi, mode, fmt):
    rng = np.random.default_rng(rotation + dpi)
    card = synth_card(
        TEMPLATE,
        rng,
        "AB0000123",
        rotation=rotation,
        dpi=dpi,
        mode=mode,
        fmt=fmt,
        skew=float(rng.uniform(-5, 5)),
        cancel=False,
    )
    result = read_card(card["data"], TEMPLATE, today=TODAY)
    assert_read_as_written(result, card["values"])
    assert result.rotation in (0, 90, 180, 270)
    values = result.crossing_values()
    assert set(values) == set(CROSSING_KEYS)
    assert values["card_number"] == "AB0000123"


def test_a_box_cancelled_by_filling_does_not_count():
    rng = np.random.default_rng(11)
    values = None
    for _ in range(20):  # find a seed that cancels a box in the purpose group
        card = synth_card(
            TEMPLATE,
            rng,
            "AB0000124",
            rotation=0,
            dpi=300,
            mode="grey",
            fmt="png",
            skew=1.0,
            cancel=True,
        )
        if card["cancelled"]:
            values = card["values"]
            break
    group = card["cancelled"][0].split(":")[0]
    result = read_card(card["data"], TEMPLATE, today=TODAY)
    assert result.fields[group].value == values[group]
    assert "filled" in result.fields[group].marks


def test_a_date_that_does_not_exist_is_flagged_invalid():
    rng = np.random.default_rng(5)
    from safar.reading.synth import card_values

    values = card_values(TEMPLATE, rng, "AB0000125")
    values["birth_date"] = "1990-02-31"  # written as 31 02 1990
    image, _ = fill(TEMPLATE, values, rng, 300)
    data = encode(scan(image, rng, rotation=0, skew=0.5, mode="grey"), "png", rng)
    result = read_card(data, TEMPLATE, today=TODAY)
    birth = result.fields["birth_date"]
    assert not birth.valid
    assert birth.problem in ("not a real date", "the date is incomplete")
    assert not result.confident


def test_region_is_refused_for_a_foreign_citizen():
    rng = np.random.default_rng(8)
    from safar.reading.synth import card_values

    values = card_values(TEMPLATE, rng, "AB0000126")
    while values["citizenship"] == "TJK":
        values = card_values(TEMPLATE, rng, "AB0000126")
    values["region"] = "TJ-SU"
    image, _ = fill(TEMPLATE, values, rng, 300)
    result = read_card(
        encode(scan(image, rng, rotation=0, skew=0, mode="grey"), "png", rng), TEMPLATE, today=TODAY
    )
    assert result.fields["region"].value == "TJ-SU"
    assert not result.fields["region"].valid
    assert result.fields["region"].problem == "must be left empty for this card"


def test_a_page_without_the_marks_is_flagged_not_guessed():
    rng = np.random.default_rng(1)
    noise = (rng.random((1200, 1700)) * 255).astype(np.uint8)
    result = read_card(noise, TEMPLATE, today=TODAY)
    assert not result.aligned
    assert "corner marks" in result.problem
    assert result.fields == {}
    assert not result.confident


def test_a_file_that_is_not_an_image_is_flagged():
    result = read_card(b"hello, not an image", TEMPLATE, today=TODAY)
    assert not result.aligned
    assert result.problem


def test_a_card_cut_in_half_is_not_aligned():
    rng = np.random.default_rng(2)
    card = synth_card(
        TEMPLATE,
        rng,
        "AB0000127",
        rotation=0,
        dpi=200,
        mode="grey",
        fmt="png",
        skew=0.0,
        cancel=False,
    )
    import cv2

    image = cv2.imdecode(np.frombuffer(card["data"], np.uint8), cv2.IMREAD_GRAYSCALE)
    half = image[:, : image.shape[1] // 2]
    assert not read_card(half, TEMPLATE, today=TODAY).aligned


def test_every_field_has_a_crop_and_a_target():
    rng = np.random.default_rng(3)
    card = synth_card(
        TEMPLATE,
        rng,
        "AB0000128",
        rotation=0,
        dpi=300,
        mode="colour",
        fmt="jpg",
        skew=-2.0,
        cancel=False,
    )
    result = read_card(card["data"], TEMPLATE, today=TODAY)
    assert set(result.fields) == set(TEMPLATE.names)
    for name, reading in result.fields.items():
        assert reading.crop.ndim == 2 and reading.crop.size > 0, name
        assert 0.0 <= reading.confidence <= 1.0
        assert reading.target == TEMPLATE.field(name).target


@pytest.mark.parametrize(
    ("fill", "state", "confidence"),
    [
        (0.0, "empty", 1.0),
        (0.30, "marked", 1.0),
        (0.60, "marked", 1.0),  # a thick 200 dpi cross
        (0.70, "filled", 0.5),  # a scribble that does not fill the box: a doubtful cancel
        (0.95, "filled", 1.0),
    ],
)
def test_a_checkbox_is_decided_by_how_much_of_it_is_inked(fill, state, confidence):
    from safar.reading._boxes import CHECK_INSET_MM, _px, checkbox_state
    from safar.reading.template import Rect

    page = np.full((80, 80), 240, np.uint8)
    box = Rect(2, 2, 4.5, 4.5)
    ys, xs = _px(box, CHECK_INSET_MM)  # the inner square the reader measures
    rows = int(round(fill * (ys.stop - ys.start)))  # ink its top `fill`, row by row
    page[ys.start : ys.start + rows, xs] = 20
    got_state, got_confidence, got_fill = checkbox_state(page, box, threshold=128)
    assert (got_state, got_confidence) == (state, confidence)
    assert abs(got_fill - fill) < 0.05

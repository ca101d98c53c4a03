"""Checkboxes judged against the blank form: bubbles with printed letters, fill and cross modes,
pale pencil and heavy marker at 100-600 dpi, the `choose` rules and the template keys' checks.

Pages are the project's own rendered blank (render.py) marked by simple drawn strokes and put
through a light scanner model (paper tone, blur, noise), so nothing outside the repository is
needed.
"""

import dataclasses
import datetime
import json

import cv2
import numpy as np
import pytest

from safar.reading._align import PX_PER_MM
from safar.reading._blank import blank_reference
from safar.reading._checkboxes import read_group
from safar.reading.card import read_card
from safar.reading.render import render_pdf
from safar.reading.template import TemplateError, load_template, parse_template

TODAY = datetime.date(2026, 12, 1)
LABEL = {"tg": "Савол", "ru": "Вопрос", "en": "Question"}
LETTERS = "ABCD"


def bubble_form(**group) -> dict:
    """A small sheet: two rows of four lettered bubbles (q1 one answer, q2 any answers)."""

    def row(name, y, **extra):
        options = [
            {"value": v, "print": v, "box": [20 + 14 * i, y, 6, 6], "label": ""}
            for i, v in enumerate(LETTERS)
        ]
        return {
            "name": name,
            "kind": "checkboxes",
            "label": LABEL,
            "mark": "fill",
            "shape": "circle",
            "options": options,
            **extra,
        }

    return {
        "name": "bubbles-test",
        "page": {"width": 100, "height": 70},
        "fiducials": {
            "kind": "square",
            "marks": [
                {"x": 4, "y": 4, "size": 8},
                {"x": 90, "y": 4, "size": 6},
                {"x": 90, "y": 60, "size": 6},
                {"x": 4, "y": 60, "size": 6},
            ],
        },
        "fields": [row("q1", 25, **group), row("q2", 45, choose="any")],
    }


TEMPLATE = parse_template(bubble_form(), source="bubbles-test.json")


def rendered(template, dpi: float) -> np.ndarray:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(render_pdf(template, ["0"]))
    try:
        grey = pdf[0].render(scale=dpi / 72, grayscale=True).to_numpy()
    finally:
        pdf.close()
    return np.ascontiguousarray(grey[..., 0] if grey.ndim == 3 else grey)


def scanned(img: np.ndarray, rng, dpi: float) -> np.ndarray:
    """Paper tone, a scanner's blur and sensor noise."""
    out = img.astype(np.float32) * rng.uniform(0.9, 0.97)
    out = cv2.GaussianBlur(out, (0, 0), 0.5 * dpi / 200)
    out += rng.normal(0, 4, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


def mark(img, box, how: str, px: float, rng) -> None:
    """Ink one bubble: 'marker' (black, spilling over), 'fill' (pen), 'pencil' (grey, grainy),
    'pale' (light pencil), 'cross' (two pen strokes), 'half' (the lower half filled)."""
    cx, cy = (box.x + box.w / 2) * px, (box.y + box.h / 2) * px
    r = box.w / 2 * px
    ink = np.zeros(img.shape, np.uint8)
    centre = (int(round(cx)), int(round(cy)))
    if how in ("cross", "pencil cross"):
        t = max(1, int(round(0.4 * px)))
        d = r * 0.6
        cv2.line(ink, (int(cx - d), int(cy - d)), (int(cx + d), int(cy + d)), 255, t, cv2.LINE_AA)
        cv2.line(ink, (int(cx + d), int(cy - d)), (int(cx - d), int(cy + d)), 255, t, cv2.LINE_AA)
        level = 30 if how == "cross" else 150
    else:
        radius = int(round(r * (1.08 if how == "marker" else 0.9)))
        cv2.circle(ink, centre, radius, 255, -1, cv2.LINE_AA)
        if how == "half":
            ink[: int(cy), :] = 0
        level = {"marker": 15, "fill": 40, "half": 40, "pencil": 140, "pale": 195}[how]
    alpha = ink.astype(np.float32) / 255
    if how in (
        "pencil",
        "pale",
        "pencil cross",
    ):  # graphite leaves paper showing through: a grainy grey
        # Grain of ~0.04 mm (600 dpi cells) with specks of bare paper, seen through the pixel.
        fine = (int(img.shape[0] * 23.6 / px) + 1, int(img.shape[1] * 23.6 / px) + 1)
        grain = rng.uniform(0.3, 1.0, fine).astype(np.float32)
        grain[rng.random(fine) < 0.15] = 0
        alpha *= cv2.resize(grain, img.shape[::-1], interpolation=cv2.INTER_AREA)
    img[:] = (img * (1 - alpha) + level * alpha).astype(np.uint8)


def page_with(template, marks: dict, dpi: float, seed: int = 0) -> np.ndarray:
    """The blank at `dpi` with {(field, option value): how} inked, scanned."""
    rng = np.random.default_rng(seed)
    img = rendered(template, dpi)
    px = dpi / 25.4
    for (name, value), how in marks.items():
        f = template.field(name)
        box = next(o.box for o in f.options if o.value == value)
        mark(img, box, how, px, rng)
    return scanned(img, rng, dpi)


DPIS = [100, 200, 300, 600]


@pytest.mark.parametrize("dpi", DPIS)
def test_printed_letters_in_empty_bubbles_are_not_ink(dpi):
    result = read_card(page_with(TEMPLATE, {}, dpi), TEMPLATE, today=TODAY)
    assert result.aligned, result.problem
    q1, q2 = result.fields["q1"], result.fields["q2"]
    assert q1.marks == ["empty"] * 4 and q1.value is None
    assert q1.confidence >= 0.9
    assert q2.marks == ["empty"] * 4 and q2.value == []
    assert q2.confidence >= 0.9


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("how", ["fill", "pencil", "pale", "marker"])
def test_a_filled_bubble_is_the_answer_in_any_ink(dpi, how):
    page = page_with(TEMPLATE, {("q1", "C"): how, ("q2", "A"): how, ("q2", "D"): how}, dpi)
    result = read_card(page, TEMPLATE, today=TODAY)
    assert result.aligned, result.problem
    q1, q2 = result.fields["q1"], result.fields["q2"]
    assert q1.value == "C", (q1.marks, q1.confidence)
    assert q1.marks == ["empty", "empty", "marked", "empty"]
    assert q1.confidence >= TEMPLATE.confident and q1.valid
    assert q2.value == ["A", "D"]
    assert q2.confidence >= TEMPLATE.confident


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("how", ["cross", "half"])
def test_a_cross_or_a_half_filled_bubble_is_doubtful_in_fill_mode(dpi, how):
    page = page_with(TEMPLATE, {("q1", "B"): how}, dpi)
    result = read_card(page, TEMPLATE, today=TODAY)
    assert result.aligned, result.problem
    q1 = result.fields["q1"]
    assert q1.confidence < TEMPLATE.confident, (q1.value, q1.marks, q1.confidence)
    assert q1.marks[0] == q1.marks[2] == q1.marks[3] == "empty"


@pytest.mark.parametrize("dpi", [100, 300])
def test_a_firm_choice_beside_a_light_one_is_doubtful(dpi):
    """Pencil pressed lightly in one bubble and firmly in another: the margin is small."""
    page = page_with(TEMPLATE, {("q1", "A"): "fill", ("q1", "D"): "pale"}, dpi)
    q1 = read_card(page, TEMPLATE, today=TODAY).fields["q1"]
    assert q1.confidence < TEMPLATE.confident or not q1.valid


# --- the choose rules, on a page rendered straight at the reader's resolution ---------------


def aligned_page(template, marks: dict) -> np.ndarray:
    return page_with(template, marks, PX_PER_MM * 25.4)


def group(template, name: str, marks: dict) -> dict:
    page = aligned_page(template, {(name, v): how for v, how in marks.items()})
    return read_group(page, template.field(name), 128.0, blank_reference(template))


def test_one_answer_where_one_is_needed():
    template = parse_template(bubble_form(choose="one"), source="t.json")
    r = group(template, "q1", {"B": "fill"})
    assert [o.value for o in r["options"]] == ["B"] and r["problem"] is None
    r = group(template, "q1", {})
    assert r["options"] == [] and r["problem"] == "nothing marked"


def test_several_answers_where_at_most_one_is_allowed():
    template = parse_template(bubble_form(choose="at_most_one"), source="t.json")
    r = group(template, "q1", {"A": "fill", "C": "fill"})
    assert r["problem"] == "several boxes are marked" and r["confidence"] <= 0.3
    r = group(template, "q1", {})
    assert r["options"] == [] and r["problem"] is None


def test_any_gives_every_chosen_value_in_option_order():
    r = group(TEMPLATE, "q2", {"D": "fill", "B": "marker"})
    assert [o.value for o in r["options"]] == ["B", "D"] and r["problem"] is None


def test_the_choose_rule_reaches_the_reading():
    template = parse_template(bubble_form(choose="at_most_one"), source="t.json")
    page = page_with(template, {("q1", "A"): "fill", ("q1", "B"): "fill"}, 200)
    q1 = read_card(page, template, today=TODAY).fields["q1"]
    assert not q1.valid and q1.problem == "several boxes are marked"
    required = parse_template(bubble_form(required=True), source="t.json")
    assert required.field("q1").choose == "one"
    q1 = read_card(page_with(required, {}, 200), required, today=TODAY).fields["q1"]
    assert not q1.valid and q1.problem == "nothing marked"


# --- cross mode (the Safar card's meaning): a scribble beside a cross cancels ---------------


def test_a_scribble_beside_a_cross_is_a_cancelled_box():
    form = bubble_form(mark="cross", shape="square")
    form["fields"][0]["options"] = [
        {k: v for k, v in o.items() if k != "print"} for o in form["fields"][0]["options"]
    ]
    template = parse_template(form, source="t.json")
    page = aligned_page(template, {("q1", "A"): "cross"})
    box = template.field("q1").options[2].box  # a dense scribble, about half of the box
    y0, x0 = int((box.y + 1) * PX_PER_MM), int((box.x + 1) * PX_PER_MM)
    for k in range(0, int((box.h - 2) * PX_PER_MM), 4):
        cv2.line(page, (x0, y0 + k), (x0 + int((box.w - 2) * PX_PER_MM), y0 + k + 3), 20, 2)
    r = read_group(page, template.field("q1"), 128.0, blank_reference(template))
    assert [s for s, _, _ in r["states"]] == ["marked", "empty", "filled", "empty"]
    assert [o.value for o in r["options"]] == ["A"]
    assert r["confidence"] < 0.9  # a person checks it


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("how", ["cross", "pencil cross"])
def test_a_cross_in_pen_or_pencil_marks_a_cross_mode_box(dpi, how):
    """Pencil is grey: the page's threshold (set by black print) must not miss its strokes."""
    form = bubble_form()
    for f in form["fields"]:
        f.update(mark="cross", shape="square")
        f["options"] = [{k: v for k, v in o.items() if k != "print"} for o in f["options"]]
    template = parse_template(form, source="t.json")
    page = page_with(template, {("q1", "C"): how, ("q2", "B"): how, ("q2", "D"): how}, dpi)
    result = read_card(page, template, today=TODAY)
    q1, q2 = result.fields["q1"], result.fields["q2"]
    assert q1.value == "C" and q1.confidence >= 0.9, (q1.marks, q1.confidence)
    assert q2.value == ["B", "D"] and q2.confidence >= 0.9, (q2.marks, q2.confidence)


# --- the blank: rendered, or a scan named by the template -----------------------------------


def test_a_blank_scan_is_aligned_and_used(tmp_path):
    rng = np.random.default_rng(5)
    blank = scanned(rendered(TEMPLATE, 150), rng, 150)
    # The blank scan sits a little off on the scanner bed: alignment takes care of it.
    blank = np.pad(blank, ((7, 0), (0, 5)), constant_values=int(np.percentile(blank, 90)))
    cv2.imwrite(str(tmp_path / "blank.png"), blank)
    form = bubble_form()
    form["blank"] = "blank.png"
    (tmp_path / "sheet.json").write_text(json.dumps(form))
    template = load_template(tmp_path / "sheet.json")
    assert template.blank == str(tmp_path / "blank.png")
    assert blank_reference(template).scanned
    page = page_with(template, {("q1", "D"): "pencil"}, 300, seed=3)
    result = read_card(page, template, today=TODAY)
    assert result.fields["q1"].value == "D" and result.fields["q1"].confidence >= 0.9
    assert result.fields["q2"].value == [] and result.fields["q2"].confidence >= 0.9


def test_a_blank_of_another_form_is_refused(tmp_path):
    cv2.imwrite(str(tmp_path / "blank.png"), np.full((400, 600), 250, np.uint8))
    template = dataclasses.replace(TEMPLATE, blank=str(tmp_path / "blank.png"))
    with pytest.raises(TemplateError, match="blank"):
        blank_reference(template)


def test_the_renderer_draws_bubbles_and_their_letters():
    img = rendered(TEMPLATE, PX_PER_MM * 25.4)
    box = TEMPLATE.field("q1").options[0].box
    x0, y0 = round(box.x * PX_PER_MM), round(box.y * PX_PER_MM)
    x1, y1 = round((box.x + box.w) * PX_PER_MM), round((box.y + box.h) * PX_PER_MM)
    assert img[y0 + 1, x0 + 1] > 200  # a circle: the square's corner stays paper
    assert img[(y0 + y1) // 2, x0 : x0 + 3].min() < 128  # its left edge is drawn
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    assert img[cy - 8 : cy + 8, cx - 8 : cx + 8].min() < 128  # the letter inside


# --- the template keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"mark": "tick"}, "field 'q1': mark must be one of cross, fill"),
        ({"choose": "two"}, "field 'q1': choose must be one of one, at_most_one, any"),
        ({"shape": "oval"}, "field 'q1': shape must be one of square, circle"),
    ],
)
def test_unknown_checkbox_keys_name_the_file_and_field(change, message):
    with pytest.raises(TemplateError, match=f"^sheet.json: {message}"):
        parse_template(bubble_form(**change), source="sheet.json")


def test_print_must_be_text():
    form = bubble_form()
    form["fields"][1]["options"][2]["print"] = 3
    with pytest.raises(TemplateError, match="sheet.json: field 'q2': option 3: print"):
        parse_template(form, source="sheet.json")


def test_an_other_option_cannot_be_one_of_any():
    form = bubble_form()
    form["fields"][1]["options"][3] = {"other": "q1", "box": [70, 45, 6, 6]}
    with pytest.raises(TemplateError, match="field 'q2': an 'other' option needs choose"):
        parse_template(form, source="sheet.json")


def test_two_options_with_one_value_are_refused():
    form = bubble_form()
    form["fields"][0]["options"][1]["value"] = "A"
    with pytest.raises(TemplateError, match="field 'q1': two options have the same value"):
        parse_template(form, source="sheet.json")


@pytest.mark.parametrize(
    ("blank", "page", "message"),
    [
        ("missing.pdf", 1, "blank: no such file"),
        ("blank.txt", 1, "blank: 'blank.txt' is not a PDF, PNG, JPEG or TIFF file"),
        ("", 1, "blank: must be the path"),
        ("blank.png", 0, "blank_page: must be a page number from 1"),
    ],
)
def test_a_bad_blank_names_the_file_and_key(tmp_path, blank, page, message):
    (tmp_path / "blank.txt").write_text("x")
    cv2.imwrite(str(tmp_path / "blank.png"), np.full((10, 10), 255, np.uint8))
    form = bubble_form()
    form["blank"], form["blank_page"] = blank, page
    path = tmp_path / "sheet.json"
    path.write_text(json.dumps(form))
    with pytest.raises(TemplateError, match=f"sheet.json: {message}"):
        load_template(path)


def test_defaults_keep_the_safar_card_as_it_was():
    card = load_template("safar-card")
    assert card.blank is None
    for f in card.fields:
        if f.kind == "checkboxes":
            assert (f.mark, f.shape) == ("cross", "square")
            assert f.choose == ("one" if f.required else "at_most_one")
            assert all(o.print is None for o in f.options)


def test_a_sheet_with_no_bubble_marked_anywhere_goes_to_a_person():
    """A black-and-white scan loses pale pencil: an unanswered sheet is likelier that."""
    form = bubble_form()
    third = json.loads(json.dumps(form["fields"][0]))
    third["name"] = "q3"
    for o in third["options"]:
        o["box"][1] = 35
    form["fields"].append(third)
    template = parse_template(form, source="t.json")
    result = read_card(page_with(template, {}, 200), template, today=TODAY)
    assert all(r.value in (None, []) and r.confidence <= 0.5 for r in result.fields.values())
    answered = read_card(page_with(template, {("q3", "B"): "fill"}, 200), template, today=TODAY)
    assert all(r.confidence >= 0.9 for r in answered.fields.values())


@pytest.mark.parametrize("shift", [(0, 4), (3, -4), (0, 5)])
def test_letters_a_few_pixels_off_the_blank_are_still_not_ink(shift):
    """The page lands up to ±5 px (0.6 mm) off the blank after alignment: the blank's letters
    are registered box by box (±3 px) and grown (2 px) before they are left out."""
    page = np.roll(aligned_page(TEMPLATE, {("q1", "D"): "fill"}), shift, axis=(0, 1))
    r = read_group(page, TEMPLATE.field("q1"), 128.0, blank_reference(TEMPLATE))
    assert [s for s, _, _ in r["states"]] == ["empty", "empty", "empty", "marked"]
    assert max(share for _, _, share in r["states"][:3]) < 0.01  # not a pixel of letter left
    assert r["confidence"] >= 0.9 and [o.value for o in r["options"]] == ["D"]


# --- pale pencil on a black-and-white (1-bit) scan -------------------------------------------


def one_bit(marks, dpi: float, seed: int, strength: float, cut: int, speckle: float = 0.0):
    """The blank at `dpi`, bubbles filled with synth_sheet's HB pencil pressed at `strength`,
    scanned in grey and thresholded at `cut` (1-bit): only the darkest graphite grains stay
    black. `speckle`: the share of the page sprinkled with black specks (dust, toner)."""
    from safar.reading.synth import scan
    from safar.reading.synth_sheet import Hand

    rng = np.random.default_rng(seed)
    img = cv2.cvtColor(rendered(TEMPLATE, dpi), cv2.COLOR_GRAY2BGR)
    hand = Hand("pencil", dpi, rng)
    hand.strength = strength
    for name, value in marks:
        field = TEMPLATE.field(name)
        hand.bubble(img, next(o.box for o in field.options if o.value == value), "fill")
    bw = np.where(scan(img, rng, rotation=0, skew=0.5, mode="grey") > cut, 255, 0).astype(np.uint8)
    if speckle:
        specks = rng.random(bw.shape) < speckle
        bw[cv2.dilate(specks.astype(np.uint8), np.ones((2, 2), np.uint8)) > 0] = 0
    return bw


def test_a_pencil_fill_on_a_1_bit_scan_at_200_dpi_is_marked():
    from safar.reading._align import align
    from safar.reading._checkboxes import FILL_LINE

    bw = one_bit([("q1", "C"), ("q2", "B")], 200, seed=1, strength=0.5, cut=150)
    # The fill kept as a few black dots: the share the fill rule sees is far under FILL_LINE.
    states = read_group(
        align(bw, TEMPLATE).page, TEMPLATE.field("q1"), 128.0, blank_reference(TEMPLATE)
    )["states"]
    assert 0 < states[2][2] < FILL_LINE / 3
    result = read_card(bw, TEMPLATE, today=TODAY)
    q1, q2 = result.fields["q1"], result.fields["q2"]
    assert q1.marks == ["empty", "empty", "marked", "empty"] and q1.value == "C"
    assert q2.value == ["B"]


def test_an_empty_bubble_with_speckle_on_a_1_bit_scan_stays_empty():
    bw = one_bit([], 200, seed=1, strength=0.5, cut=150, speckle=0.0008)
    result = read_card(bw, TEMPLATE, today=TODAY)
    for name in ("q1", "q2"):
        assert result.fields[name].marks == ["empty"] * 4, result.fields[name].marks
    # Speckle over the page and a pencil fill: the fill stands out from the page's empty bubbles.
    bw = one_bit([("q1", "C")], 200, seed=1, strength=0.6, cut=140, speckle=0.0008)
    q1 = read_card(bw, TEMPLATE, today=TODAY).fields["q1"]
    assert q1.marks == ["empty", "empty", "marked", "empty"], q1.marks


def test_one_speck_of_dust_in_a_bubble_is_not_a_fill():
    from safar.reading._align import PX_PER_MM as P

    page = np.where(aligned_page(TEMPLATE, {}) > 128, 255, 0).astype(np.uint8)
    box = TEMPLATE.field("q1").options[1].box
    y, x = int((box.y + 1.2) * P), int((box.x + 1.2) * P)
    page[y : y + 3, x : x + 3] = 0
    r = read_group(page, TEMPLATE.field("q1"), 128.0, blank_reference(TEMPLATE))
    assert [s for s, _, _ in r["states"]] == ["empty"] * 4

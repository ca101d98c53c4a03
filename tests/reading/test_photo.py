"""Phone photos of a card: found, flattened, evened and read — or refused with a reason.

The photos are synthetic (safar.reading.photo_synth) of the project's own filled card
(safar.reading.synth), so nothing outside the repository is needed.
"""

import datetime
import json

import cv2
import numpy as np
import pytest

from safar.reading import _photo
from safar.reading._image import load_pages
from safar.reading.card import load_template, read_card
from safar.reading.photo_synth import photo_jpeg, photograph, photograph_table
from safar.reading.synth import card_values, fill, synth_card
from safar.reading.template import parse_template

TODAY = datetime.date(2026, 11, 22)
TEMPLATE = load_template("safar-card")
CHECKBOX_FIELDS = [f.name for f in TEMPLATE.fields if f.kind == "checkboxes"]


@pytest.fixture(scope="module")
def card():
    rng = np.random.default_rng(41)
    values = card_values(TEMPLATE, rng, "AB0000123")
    img, _ = fill(TEMPLATE, values, rng, 300)
    return img, values


def assert_read_as_written(result, values):
    assert result.aligned, result.problem
    assert result.photo
    for name in CHECKBOX_FIELDS:
        assert result.fields[name].value == values[name], name
    assert result.fields["card_number"].value == values["card_number"]
    for name, reading in result.fields.items():
        if result.is_confident(name):
            assert reading.value == values[name], (name, reading.value, values[name])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_phone_photos_of_a_filled_card_are_read(seed):
    rng = np.random.default_rng(seed)
    values = card_values(TEMPLATE, rng, "AB0000123")
    img, _ = fill(TEMPLATE, values, rng, 300)
    # One photo each on wood, fabric, a dark cloth and a cluttered desk, with a hand's shadow.
    background = ["wood", "fabric", "dark", "clutter"][seed - 1]
    data = photo_jpeg(img, rng, background=background, shadow=True, megapixels=8)
    result = read_card(data, TEMPLATE, today=TODAY)
    assert_read_as_written(result, values)


def test_the_page_corners_are_found_to_a_fraction_of_a_millimetre(card):
    img, _ = card
    for seed in (5, 6):
        info: dict = {}
        photo = photograph(img, np.random.default_rng(seed), info=info, tilt=25, shadow=0.5)
        grey = load_pages(photo)[0]
        scale = grey.shape[1] / photo.shape[1]
        quad = _photo.find_page(grey)
        truth = _photo._order(info["corners"] * scale)
        px_per_mm = np.linalg.norm(truth[1] - truth[0]) / 210
        error_mm = np.linalg.norm(quad - truth, axis=1).max() / px_per_mm
        assert error_mm < 0.6, error_mm


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"blur": 9.0, "blur_kind": "defocus"}, "too blurred"),
        ({"offset": (1.3, 0.0), "coverage": 0.6}, "outside the photo"),
        ({"exposure": 0.08}, "too dark"),
        ({"coverage": 0.05}, "too small"),
    ],
)
def test_unreadable_photos_are_refused_with_the_reason(card, kw, reason):
    img, _ = card
    data = photo_jpeg(img, np.random.default_rng(7), megapixels=8, **kw)
    result = read_card(data, TEMPLATE, today=TODAY)
    assert not result.aligned
    assert reason in result.problem
    assert result.fields == {}


@pytest.mark.parametrize("background", ["wood", "clutter"])
def test_a_photo_of_the_table_alone_has_no_page(background):
    photo = photograph_table(np.random.default_rng(8), megapixels=8, background=background)
    assert _photo.looks_like_photo(cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY))
    result = read_card(photo, TEMPLATE, today=TODAY)
    assert not result.aligned
    assert "no page found in the photo" in result.problem


@pytest.mark.parametrize("mode", ["colour", "grey", "bw"])
def test_a_scan_does_not_take_the_photo_path(monkeypatch, mode):
    calls = []
    real = _photo.align_photo

    def counting(grey, template):
        calls.append(grey.shape)
        return real(grey, template)

    monkeypatch.setattr(_photo, "align_photo", counting)
    rng = np.random.default_rng(11)
    scan = synth_card(TEMPLATE, rng, "AB0000123", mode=mode, dpi=200, rotation=90, cancel=False)
    result = read_card(scan["data"], TEMPLATE, today=TODAY)
    assert result.aligned, result.problem
    assert not result.photo
    assert calls == []
    assert not _photo.looks_like_photo(load_pages(scan["data"])[0])


def _edges_template():
    data = json.loads(open(TEMPLATE.source, encoding="utf-8").read())
    data["fiducials"] = {"kind": "edges"}
    return parse_template(data, source="edges-card")


def test_an_edges_template_needs_no_marks():
    template = _edges_template()
    assert template.fiducial_kind == "edges"
    assert template.fiducials == ()


def test_an_edges_template_is_read_from_a_photo_by_the_page_corners(card):
    img, values = card
    template = _edges_template()
    # Upright enough that the page's top is the photo's top: edges cannot tell which way is up.
    data = photo_jpeg(img, np.random.default_rng(12), turn=6, tilt=15, megapixels=8)
    result = read_card(data, template, today=TODAY)
    assert_read_as_written(result, values)


def test_an_edges_template_reads_a_scan_cropped_to_the_page(card):
    img, values = card
    template = _edges_template()
    result = read_card(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), template, today=TODAY)
    assert result.aligned, result.problem
    for name in CHECKBOX_FIELDS:
        assert result.fields[name].value == values[name], name

"""Alignment marks: rings, bullseyes, small squares; which way up; more marks; the residual check.

Small test pages are drawn from a template by the project's own renderer (render.py draws every
mark kind), rasterised by pdfium and put through the synthetic scanner (synth.scan: margin, skew,
a 90° turn, blur, noise).
"""

import dataclasses
import datetime
import shutil

import cv2
import numpy as np
import pypdfium2 as pdfium
import pytest

from safar.reading._align import NotAligned, align
from safar.reading.render import render_pdf
from safar.reading.synth import scan
from safar.reading.template import Fiducial, TemplateError, parse_template

W, H = 148.0, 105.0  # A6 landscape
LABEL = {"tg": "Ном", "ru": "Имя", "en": "Name"}
TODAY = datetime.date(2026, 11, 22)  # read_card is told the day; nothing here depends on it


def template(kind="ring", size=4.0, odd=0, big=None, extra=(), **fid):
    marks = [
        {"x": 5, "y": 5, "size": size},
        {"x": W - 5 - size, "y": 5, "size": size},
        {"x": W - 5 - size, "y": H - 5 - size, "size": size},
        {"x": 5, "y": H - 5 - size, "size": size},
    ]
    if big is not None:
        marks[odd]["size"] = big
    marks += [{"x": x, "y": y, "size": size} for x, y in extra]
    if odd is not None:
        fid["odd"] = odd
    line = "The quick brown fox jumps over the lazy dog. " * 2
    return parse_template(
        {
            "name": "marks",
            "page": {"width": W, "height": H},
            "fiducials": {"kind": kind, "marks": marks, **fid},
            "fields": [
                {
                    "name": "serial",
                    "kind": "serial",
                    "label": LABEL,
                    "barcode": [40, 20, 60, 12],
                    "text": {"x": 40, "y": 34, "w": 5, "h": 7, "count": 9},
                },
                {
                    "name": "name",
                    "kind": "characters",
                    "label": LABEL,
                    "row": {"x": 20, "y": 60, "w": 6, "h": 8, "count": 10},
                },
            ],
            "texts": [{"x": 20, "y": 80, "size": 8, "text": dict.fromkeys(LABEL, line)}],
        }
    )


def scanned(tpl, dpi, rotation=0, skew=0.0, seed=0, mode="grey"):
    pdf = pdfium.PdfDocument(render_pdf(tpl, ["AB0000001"]))
    bgr = pdf[0].render(scale=dpi / 72, rev_byteorder=False).to_numpy()[..., :3].copy()
    pdf.close()
    return scan(bgr, np.random.default_rng(seed), rotation=rotation, skew=skew, mode=mode)


KINDS = {
    "ring (a bullseye among rings)": dict(kind="ring"),
    "ring (a bigger ring)": dict(kind="ring", odd=2, big=6.0),
    "bullseye (a bigger one)": dict(kind="bullseye", big=6.0),
    "small square (a bigger one)": dict(kind="small_square", size=2.0, big=3.0),
    "square, six marks": dict(kind="square", size=5.0, big=7.0, extra=[(72, 5), (72, 95)]),
}


@pytest.mark.parametrize("dpi", [100, 200, 300])
@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_mark_kind_is_found_at_any_rotation_skew_and_resolution(kind, rotation, dpi):
    tpl = template(**KINDS[kind])
    skew = (-3.5, 2.0, 4.5, -1.0)[rotation // 90]
    result = align(scanned(tpl, dpi, rotation, skew, seed=dpi + rotation), tpl)
    # synth.scan turns the page counter-clockwise; Alignment.rotation is clockwise.
    assert result.rotation == (360 - rotation) % 360
    assert result.residual_mm < 0.3
    assert len(result.residuals_mm) == len(tpl.fiducials)


def test_the_mark_centres_are_sub_pixel_accurate():
    """At 100 dpi a pixel is 0.25 mm: the page is turned and shifted by fractions of a pixel by a
    known transform, and the homography found maps the true mark centres to within 0.05 mm."""
    tpl = template("ring")
    dpi = 100
    pdf = pdfium.PdfDocument(render_pdf(tpl, ["AB0000001"]))
    grey = pdf[0].render(scale=dpi / 72, grayscale=True).to_numpy().copy()
    pdf.close()
    # pdfium stretches the page to whole pixels: the true scale per axis.
    px = np.array([grey.shape[1] / W, grey.shape[0] / H])
    grey = cv2.copyMakeBorder(grey, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    turn = cv2.getRotationMatrix2D((300.0, 200.0), 1.7, 1.0)
    turn[:, 2] += (0.37, -0.61)
    grey = cv2.warpAffine(grey, turn, grey.shape[::-1], flags=cv2.INTER_CUBIC, borderValue=255)
    result = align(grey, tpl)
    # pdfium's pixel i covers [i, i + 1) of the page; OpenCV puts pixel centres at integers.
    true = np.array([m.centre for m in tpl.fiducials]) * px - 0.5 + 40
    true = true @ turn[:, :2].T + turn[:, 2]
    mapped = cv2.perspectiveTransform(true[None].astype(np.float64), result.homography)[0]
    error_mm = np.linalg.norm(mapped / 8.0 - np.array([m.centre for m in tpl.fiducials]), axis=1)
    assert error_mm.max() < 0.05


def _moved(tpl, index, dx_mm):
    marks = list(tpl.fiducials)
    m = marks[index]
    marks[index] = Fiducial(m.x + dx_mm, m.y, m.size)
    return dataclasses.replace(tpl, fiducials=tuple(marks))


def test_a_page_with_a_mark_moved_by_3_mm_is_refused_with_its_residual():
    tpl = template("ring", extra=[(72, 5), (72, 96)])
    printed = _moved(tpl, 4, 3.0)  # the extra mark at the top edge, printed 3 mm to the right
    with pytest.raises(NotAligned, match=r"the extra mark 1 is \d\.\d mm from its place"):
        align(scanned(printed, 200, skew=1.0), tpl)
    # As printed it aligns, within the tolerance.
    assert align(scanned(tpl, 200, skew=1.0), tpl).residual_mm < tpl.tolerance


def test_the_tolerance_is_the_templates():
    tpl = template("ring", extra=[(72, 5), (72, 96)], tolerance=2.5)
    result = align(scanned(_moved(tpl, 4, 3.0), 200, skew=1.0), tpl)
    assert 1.0 < result.residual_mm <= 2.5


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_the_barcode_tells_which_way_up_rings_all_alike_are(rotation):
    tpl = template("ring", odd=None, orientation="barcode")
    result = align(scanned(tpl, 200, rotation, 2.0, seed=rotation), tpl)
    assert result.rotation == (360 - rotation) % 360


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="Tesseract is not installed")
@pytest.mark.parametrize("rotation", [90, 180])
def test_the_printed_text_tells_which_way_up_the_page_is(rotation):
    tpl = template("small_square", size=3.0, odd=None, orientation="text")
    result = align(scanned(tpl, 200, rotation, -1.5, seed=rotation), tpl)
    assert result.rotation == (360 - rotation) % 360


def test_without_orientation_an_upright_page_stays_upright():
    tpl = template("ring", odd=None)
    assert tpl.orientation == "none"
    assert align(scanned(tpl, 150, 0, 3.0), tpl).rotation == 0


def test_a_page_of_another_mark_kind_is_not_aligned():
    rings = template("ring")
    squares = template("small_square", size=4.0, big=6.0)
    with pytest.raises(NotAligned):
        align(scanned(squares, 200), rings)


@pytest.mark.parametrize(
    ("fid", "message"),
    [
        ({"kind": "circle"}, "kind must be one of"),
        ({"odd": 7}, "odd must be the index"),
        ({"odd": None, "orientation": "mark"}, "needs 'odd'"),
        ({"orientation": "sideways"}, "orientation must be one of"),
        ({"tolerance": 0}, "tolerance must be a positive"),
        ({"kind": "corner", "odd": None, "extra": [(70, 5)]}, "needs 4 marks"),
    ],
)
def test_bad_fiducial_settings_are_refused_naming_the_setting(fid, message):
    fid = dict(fid)
    kind = fid.pop("kind", "ring")
    extra = fid.pop("extra", ())
    odd = fid.pop("odd", 0)
    with pytest.raises(TemplateError, match=message):
        template(kind, odd=odd, extra=extra, **fid)


def test_barcode_orientation_needs_a_barcode():
    data = {
        "page": {"width": W, "height": H},
        "fiducials": {
            "kind": "ring",
            "orientation": "barcode",
            "marks": [{"x": 5, "y": 5, "size": 4}] * 4,
        },
        "fields": [{"name": "n", "kind": "characters", "label": LABEL, "boxes": [[20, 20, 6, 8]]}],
    }
    with pytest.raises(TemplateError, match="needs a serial field"):
        parse_template(data)


def test_l_corners_drawn_by_the_renderer_align_upright():
    """queXF-style corner lines (x, y = the L's outer vertex, size = its arm)."""
    arm = 15.0
    data = {
        "page": {"width": W, "height": H},
        "fiducials": {
            "kind": "corner",
            "marks": [
                {"x": 8, "y": 8, "size": arm},
                {"x": W - 8, "y": 8, "size": arm},
                {"x": W - 8, "y": H - 8, "size": arm},
                {"x": 8, "y": H - 8, "size": arm},
            ],
        },
        "fields": [{"name": "n", "kind": "characters", "label": LABEL, "boxes": [[40, 40, 6, 8]]}],
    }
    tpl = parse_template(data)
    assert tpl.orientation == "none"
    result = align(scanned(tpl, 200, 0, 0.8, seed=4), tpl)
    assert result.rotation == 0
    assert result.residual_mm < 0.5


def test_the_reading_keeps_the_residual():
    from safar.reading.card import read_card

    tpl = template("bullseye", big=6.0)
    reading = read_card(scanned(tpl, 200, 90, 1.5), tpl, today=TODAY)
    assert reading.aligned, reading.problem
    assert reading.rotation == 270
    assert 0 <= reading.residual_mm < 0.3
    moved = _moved(template("ring", extra=[(72, 5), (72, 96)]), 5, -3.0)
    refused = read_card(
        scanned(moved, 200), template("ring", extra=[(72, 5), (72, 96)]), today=TODAY
    )
    assert not refused.aligned and refused.residual_mm is None
    assert "the extra mark 2 is" in refused.problem

"""Finding the page: fiducial marks → which way up → homography to the template → residual check.

Mark kinds (template `fiducials.kind`, see docs/card.md):

- `square`: solid squares; the top-left one is larger, which fixes the rotation (any of
  0/90/180/270° plus skew). `small_square`: the same at 2 mm.
- `ring`: circle outlines; `bullseye`: a ring round a dot. The `odd` mark (a bullseye among rings,
  or a bigger mark) fixes which way up the page is.
- `corner`: L-shaped lines (queXF forms), looked for near the image corners of an upright page.

Marks are looked for as contours in an Otsu-thresholded copy of at most DETECT_SIDE px, matched to
the template by a similarity transform from two of them (no mirror images), then each centre is
refined at full resolution (ink-weighted centroid, sub-pixel). When the marks alone cannot tell
which way up the page is, the barcode (`orientation: barcode`) or the printed text (`text`,
Tesseract's orientation detection) decides. More than four marks give a least-squares homography.
After warping, every mark is found again on the aligned page and its distance to where the
template has it is the residual; a page whose worst residual exceeds the template's `tolerance`
is refused. A page whose marks are not found in a geometry that fits is reported as not aligned;
nothing is guessed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from .refusals import Refusal
from .template import Template

PX_PER_MM = 8.0  # resolution of the aligned page the reader works on
DETECT_SIDE = 1400  # long side of the image fiducials are searched in


def _size_ok(size_px, expected_px):
    """A blob's size fits a mark's: blur and thresholding add a pixel or two round small marks
    (which mark is the bigger one is then decided by the sizes' fit over all marks)."""
    return (size_px > 0.75 * expected_px - 1.5) & (size_px < 1.33 * expected_px + 1.5)


ROUND = ("ring", "bullseye", "disc")


class NotAligned(Refusal):
    """The page could not be aligned to the template; `key` and `params` say why (for operators,
    see safar.reading.refusals), the message in English."""


@dataclass(frozen=True)
class Alignment:
    page: np.ndarray  # the aligned grey page, template mm × PX_PER_MM
    homography: np.ndarray  # source image px → aligned page px
    rotation: int  # degrees the scan was turned (0, 90, 180, 270), roughly
    source_px_per_mm: float
    residual_mm: float = 0.0  # the worst distance of a mark from its template place, after warping
    residuals_mm: tuple[float, ...] = ()  # per mark, in template order


@dataclass(frozen=True)
class Blob:
    x: float
    y: float
    size: float  # side (solid) or diameter (round), px
    shape: str  # "solid", "ring", "bullseye" or "disc" (a round blob without a hole)


def _binary(small: np.ndarray) -> np.ndarray:
    _, bw = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw


# ---------------------------------------------------------------------------------------------
# Today's solid squares (the Safar card): connected components, TL bigger.


def _square_candidates(bw: np.ndarray) -> list[tuple[float, float, float]]:
    """(cx, cy, side) of solid, roughly square blobs."""
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(bw, connectivity=8)
    out = []
    min_side = max(bw.shape) / 200
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if w < min_side or h < min_side:
            continue
        side = np.sqrt(area)
        # Skew up to 5° makes a square's bounding box up to ~1.17× larger than the square.
        box_area = w * h
        if not (0.6 < w / h < 1.6) or area / box_area < 0.7:
            continue
        out.append((float(centroids[i][0]), float(centroids[i][1]), float(side)))
    return out


def _find_squares(small: np.ndarray, template: Template) -> np.ndarray | None:
    """Image points (TL, TR, BR, BL) of the square fiducials, or None."""
    cands = _square_candidates(_binary(small))
    if len(cands) < 4:
        return None
    marks = template.fiducials
    tpl = np.array([m.centre for m in marks], np.float64)
    big = marks[0].size
    ratio = np.array([m.size / big for m in marks])
    cands.sort(key=lambda c: -c[2])
    pts = np.array([(c[0], c[1]) for c in cands])
    sides = np.array([c[2] for c in cands])
    best, best_err = None, np.inf
    for i in range(min(6, len(cands))):  # the top-left mark is among the biggest blobs
        mm = sides[i] / big  # px per mm implied by this blob
        for j in range(len(cands)):
            if j == i or abs(sides[j] / sides[i] - ratio[1]) > 0.2:
                continue
            # Similarity transform from TL→TR; predict BR and BL (no mirror images).
            v_tpl = tpl[1] - tpl[0]
            v_img = pts[j] - pts[i]
            scale = np.linalg.norm(v_img) / np.linalg.norm(v_tpl)
            if not 0.75 < scale / mm < 1.33:
                continue
            ang = np.arctan2(v_img[1], v_img[0]) - np.arctan2(v_tpl[1], v_tpl[0])
            rot = scale * np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
            chosen, err = [i, j], 0.0
            for k in (2, 3):
                predicted = pts[i] + rot @ (tpl[k] - tpl[0])
                d = np.linalg.norm(pts - predicted, axis=1)
                d[chosen] = np.inf
                m = int(np.argmin(d))
                tol = 0.08 * np.linalg.norm(v_img)
                if d[m] > tol or abs(sides[m] / sides[i] - ratio[k]) > 0.25:
                    break
                chosen.append(m)
                err += d[m]
            else:
                if err < best_err:
                    best, best_err = pts[chosen], err
    return best


# ---------------------------------------------------------------------------------------------
# L-shaped corner lines (queXF).


def _find_corners(small: np.ndarray, template: Template) -> np.ndarray | None:
    """Outer vertices of four L-shaped corner marks of an upright page, or None."""
    bw = _binary(small)
    h, w = bw.shape
    n, labels, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
    # Arm length in px, if the page fills the image as a full-page scan does.
    arm = template.fiducials[0].size * w / template.width
    found = []
    for sx, sy in ((0, 0), (1, 0), (1, 1), (0, 1)):
        best, best_score = None, -np.inf
        for i in range(1, n):
            x, y, bw_, bh, area = stats[i]
            cx, cy = x + bw_ / 2, y + bh / 2
            if (cx > w / 2) != bool(sx) or (cy > h / 2) != bool(sy):
                continue
            if not (0.5 * arm < bw_ < 1.6 * arm and 0.5 * arm < bh < 1.6 * arm):
                continue
            if area / (bw_ * bh) > 0.45:  # solid: not an L
                continue
            score = abs(cx - w / 2) + abs(cy - h / 2)  # the outermost candidate
            if score > best_score:
                best, best_score = i, score
        if best is None:
            return None
        ys, xs = np.nonzero(labels == best)
        # The vertex is the extreme point towards the page corner.
        key = (xs if sx else -xs) + (ys if sy else -ys)
        k = int(np.argmax(key))
        found.append((float(xs[k]), float(ys[k])))
    return np.array(found)


def _corner_hypotheses(pts: np.ndarray, template: Template) -> list[np.ndarray]:
    """The found corners as TL, TR, BR, BL of each way up whose proportions fit the page."""
    aspect = template.width / template.height
    out = [pts]  # as found: upright
    for turn in (1, 2, 3):
        p = np.roll(pts, -turn, axis=0)
        w = np.linalg.norm(p[1] - p[0]) + np.linalg.norm(p[2] - p[3])
        h = np.linalg.norm(p[3] - p[0]) + np.linalg.norm(p[2] - p[1])
        if abs(w / h / aspect - 1) < 0.1:
            out.append(p)
    return out


def _relocate_corner(page: np.ndarray, template: Template, k: int) -> tuple[float, float] | None:
    """The vertex of corner mark k on the aligned page, in px, or None."""
    m = template.fiducials[k]
    arm = m.size * PX_PER_MM
    sx, sy = (0, 1, 1, 0)[k], (0, 0, 1, 1)[k]  # the mark points into the page from its corner
    vx, vy = m.x * PX_PER_MM, m.y * PX_PER_MM
    reach = arm * 1.3
    x0 = int(max(0, vx - reach if sx else vx - 0.3 * arm))
    x1 = int(min(page.shape[1], vx + 0.3 * arm if sx else vx + reach))
    y0 = int(max(0, vy - reach if sy else vy - 0.3 * arm))
    y1 = int(min(page.shape[0], vy + 0.3 * arm if sy else vy + reach))
    win = page[y0:y1, x0:x1]
    if win.size == 0:
        return None
    n, labels, stats, _ = cv2.connectedComponentsWithStats(_binary(win), connectivity=8)
    best, best_area = None, 0
    for i in range(1, n):
        _, _, bw_, bh, area = stats[i]
        if 0.5 * arm < bw_ < 1.6 * arm and 0.5 * arm < bh < 1.6 * arm and area > best_area:
            if area / (bw_ * bh) <= 0.45:
                best, best_area = i, area
    if best is None:
        return None
    ys, xs = np.nonzero(labels == best)
    key = (xs if sx else -xs) + (ys if sy else -ys)
    j = int(np.argmax(key))
    return float(xs[j] + x0), float(ys[j] + y0)


# ---------------------------------------------------------------------------------------------
# Blobs: solid squares, rings and bullseyes of any size, as contours.


def _blobs(bw: np.ndarray, min_side: float, max_side: float) -> list[Blob]:
    """Solid squares, rings, bullseyes and discs among the ink contours of a binary image."""
    contours, hierarchy = cv2.findContours(bw, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return []
    hier = hierarchy[0]
    boxes = np.array([cv2.boundingRect(c) for c in contours]).reshape(-1, 4)
    out: list[Blob] = []
    rings: list[int] = []
    tops = np.nonzero(hier[:, 3] < 0)[0]
    for i in tops:
        x, y, w, h = boxes[i]
        if max(w, h) < min_side or max(w, h) > max_side or not 0.6 < w / h < 1.67:
            continue
        c = contours[i]
        area = cv2.contourArea(c)
        if area <= 0:
            continue
        mo = cv2.moments(c)
        cx, cy = mo["m10"] / mo["m00"], mo["m01"] / mo["m00"]
        (_, _), (rw, rh), _ = cv2.minAreaRect(c)
        fill = area / max(rw * rh, 1.0)  # a square fills its rectangle, a disc π/4 of it
        _, radius = cv2.minEnclosingCircle(c)
        round_ = area / max(np.pi * radius * radius, 1.0) > 0.75  # a square fills 2/π of it
        full = area + cv2.arcLength(c, True) / 2 + 1  # the contour runs through edge pixels
        hole, hole_c = 0.0, None
        child = hier[i][2]
        while child >= 0:
            a = cv2.contourArea(contours[child])
            if a > hole:
                hole = a
                hm = cv2.moments(contours[child])
                hole_c = (hm["m10"] / max(hm["m00"], 1e-9), hm["m01"] / max(hm["m00"], 1e-9))
            child = hier[child][0]
        diameter = float(np.sqrt(4 * full / np.pi))
        if hole < 0.05 * area:
            if fill > 0.65:
                if round_:
                    out.append(Blob(cx, cy, diameter, "disc"))
                else:
                    out.append(Blob(cx, cy, float(np.sqrt(full)), "solid"))
        elif 0.12 * area < hole < 0.85 * area and round_ and fill > 0.6 and hole_c is not None:
            if np.hypot(hole_c[0] - cx, hole_c[1] - cy) < 0.12 * diameter:
                rings.append(len(out))
                out.append(Blob(cx, cy, diameter, "ring"))
    # A ring with ink at its centre (a dot, or smaller rings) is a bullseye; what is inside it is
    # not a mark of its own.
    inner: set[int] = set()
    if rings:
        top_boxes = boxes[tops]
        top_c = top_boxes[:, :2] + top_boxes[:, 2:] / 2
        pts = np.array([(b.x, b.y) for b in out])
        sizes = np.array([b.size for b in out])
        for r in rings:
            b = out[r]
            near = np.hypot(top_c[:, 0] - b.x, top_c[:, 1] - b.y) < 0.15 * b.size
            inside = (top_boxes[:, 2] < 0.75 * b.size) & (top_boxes[:, 2] >= max(2, 0.12 * b.size))
            if np.any(near & inside):  # not a speck of noise
                out[r] = Blob(b.x, b.y, b.size, "bullseye")
                d = np.hypot(pts[:, 0] - b.x, pts[:, 1] - b.y)
                inner.update(
                    int(i) for i in np.nonzero((d < 0.15 * b.size) & (sizes < 0.75 * b.size))[0]
                )
    return [b for i, b in enumerate(out) if i not in inner]


def _fits(shape: str, expected: str) -> bool:
    if expected == "solid":
        return shape in ("solid", "disc")  # blur rounds a small square's corners off
    if expected == "ring":
        return shape == "ring"
    return shape in ("bullseye", "disc")  # a bullseye blurred shut is a disc


def _fits_loosely(shape: str, expected: str) -> bool:
    """Where a mark is already known to be, only its centre is wanted: a small square whose
    corners thresholding rounded off (a disc), or a ring whose hole noise speckled, will do."""
    if expected == "solid":
        return shape in ("solid", "disc")
    return shape != "solid"


def _blob_hypotheses(blobs: list[Blob], template: Template) -> list[tuple[float, np.ndarray]]:
    """(error, image points of every mark) for each way the blobs fit the template's marks."""
    marks = template.fiducials
    n = len(marks)
    if len(blobs) < n:
        return []
    tpl = np.array([m.centre for m in marks], np.float64)
    size_mm = np.array([m.size for m in marks])
    shapes = [template.mark_shape(k) for k in range(n)]
    pts = np.array([(b.x, b.y) for b in blobs])
    sizes = np.array([b.size for b in blobs])
    fit = np.array([[_fits(b.shape, s) for s in shapes] for b in blobs])  # blob × mark
    a = 0
    b = int(np.argmax(np.linalg.norm(tpl - tpl[0], axis=1)))  # the mark farthest from mark 0
    v_tpl = tpl[b] - tpl[a]
    d_tpl = float(np.linalg.norm(v_tpl))
    found: dict[tuple[int, ...], float] = {}
    for i in np.nonzero(fit[:, a])[0]:
        # px per mm as far as this blob's size can tell (see _size_ok)
        lo, hi = (sizes[i] - 1.5) / 1.33 / size_mm[a], (sizes[i] + 1.5) / 0.75 / size_mm[a]
        v = pts - pts[i]
        dist = np.linalg.norm(v, axis=1)
        ok = fit[:, b] & (dist > lo * d_tpl) & (dist < hi * d_tpl)
        for j in np.nonzero(ok)[0]:
            scale = dist[j] / d_tpl
            if not (
                _size_ok(sizes[i], scale * size_mm[a]) and _size_ok(sizes[j], scale * size_mm[b])
            ):
                continue
            ang = np.arctan2(v[j][1], v[j][0]) - np.arctan2(v_tpl[1], v_tpl[0])
            rot = scale * np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]])
            predicted = pts[i] + (tpl - tpl[a]) @ rot.T
            chosen = [-1] * n
            chosen[a], chosen[b] = int(i), int(j)
            tol = 0.05 * dist[j] + 2
            for k in range(n):
                if k in (a, b):
                    continue
                d = np.linalg.norm(pts - predicted[k], axis=1)
                d[~fit[:, k] | ~_size_ok(sizes, scale * size_mm[k])] = np.inf
                d[[c for c in chosen if c >= 0]] = np.inf
                m = int(np.argmin(d))
                if d[m] > tol:
                    break
                chosen[k] = m
            else:
                key = tuple(chosen)
                # mm off the predicted places, plus mm of size off the marks' sizes: the latter
                # tells the bigger mark from the others when blur has swollen them all.
                err = float(np.linalg.norm(pts[chosen] - predicted, axis=1).sum() / scale)
                err += float(np.abs(sizes[chosen] / scale - size_mm).sum())
                found[key] = min(err, found.get(key, np.inf))
    return sorted(((e, pts[list(k)]) for k, e in found.items()), key=lambda h: h[0])


def _ink_centre(win: np.ndarray, blob: Blob) -> tuple[float, float]:
    """Ink-weighted centroid (sub-pixel) of the blob's disc in a grey window."""
    h, w = win.shape
    r = blob.size * (0.62 if blob.shape == "solid" else 0.5) + 1.5  # a tilted square's corners
    ys, xs = np.mgrid[0:h, 0:w]
    inside = (xs - blob.x) ** 2 + (ys - blob.y) ** 2 <= r * r
    white = float(np.percentile(win, 90))
    weight = np.clip(white - win.astype(np.float64), 0, None) * inside
    total = weight.sum()
    if total <= 0:
        return blob.x, blob.y
    return float((weight * xs).sum() / total), float((weight * ys).sum() / total)


def _relocate_blob(
    grey: np.ndarray, centre: tuple[float, float], size_px: float, shape: str, search_px: float
) -> tuple[float, float] | None:
    """The sub-pixel centre of the mark nearest `centre` (px), or None when there is none."""
    cx, cy = centre
    r = int(size_px * 0.75 + search_px) + 2
    x0, y0 = max(0, int(cx) - r), max(0, int(cy) - r)
    x1, y1 = min(grey.shape[1], int(cx) + r + 1), min(grey.shape[0], int(cy) + r + 1)
    win = grey[y0:y1, x0:x1]
    if win.size == 0 or win.min() == win.max():
        return None
    blobs = [
        b
        for b in _blobs(_binary(win), max(2.0, size_px * 0.5), size_px * 1.6)
        if _fits_loosely(b.shape, shape) and _size_ok(b.size, size_px)
    ]
    if not blobs:
        return None
    best = min(blobs, key=lambda b: np.hypot(b.x + x0 - cx, b.y + y0 - cy))
    if np.hypot(best.x + x0 - cx, best.y + y0 - cy) > search_px + 0.25 * size_px:
        return None
    x, y = _ink_centre(win, best)
    return x + x0, y + y0


# ---------------------------------------------------------------------------------------------
# Which way up: the barcode or the printed text, when the marks alone cannot tell.


def _rotation_of(pts: np.ndarray) -> int:
    d = pts[1] - pts[0]
    return int(round(np.degrees(np.arctan2(d[1], d[0])) / 90.0)) % 4 * 90


def _by_barcode(grey: np.ndarray, f: float, hyps: list[np.ndarray], template: Template):
    """The hypothesis under which the serial's barcode reads left to right.

    The barcode's region is warped upright under each hypothesis and read; zxing-cpp reads a
    barcode either way round and says how it lay, so one read settles 0 against 180°. A scan too
    coarse for the warped copy is read in the original image instead, where zxing's orientation
    (degrees clockwise) is compared with each hypothesis' turn.
    """
    import zxingcpp

    code128: Any = zxingcpp.BarcodeFormat.Code128  # the stubs want a set of formats

    def read(region: np.ndarray):
        found = zxingcpp.read_barcodes(region, formats=code128)
        if not found:  # grey noise between thin bars: once more in clean black and white
            _, bw = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
            found = zxingcpp.read_barcodes(bw, formats=code128)
        return found[0] if found else None

    def turned(a: int, b: int) -> int:
        return (a - b) % 360

    rect = next(fl.barcode for fl in template.fields if fl.barcode is not None)
    margin = 4.0
    w = int((rect.w + 2 * margin) * PX_PER_MM)
    h = int((rect.h + 2 * margin) * PX_PER_MM)
    shift = np.array(
        [[1, 0, -(rect.x - margin) * PX_PER_MM], [0, 1, -(rect.y - margin) * PX_PER_MM]]
    )
    turns = [_rotation_of(pts) for pts in hyps]
    seen: list[int] = []  # the page's turn (clockwise), as the barcodes read say
    for pts in hyps:
        hom = np.vstack([shift, [0, 0, 1]]) @ _homography(pts / f, template)
        code = read(cv2.warpPerspective(grey, hom, (w, h), borderValue=255))
        if code is not None:
            seen.append((_rotation_of(pts) + int(round(code.orientation / 90)) * 90) % 360)
            break
    if not seen:
        for pts in hyps:
            corners = corners_in_source(_homography(pts / f, template), rect, margin_mm=margin)
            x0, y0 = np.floor(corners.min(axis=0)).astype(int)
            x1, y1 = np.ceil(corners.max(axis=0)).astype(int)
            region = grey[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
            code = read(region) if region.size else None
            if code is not None:
                seen.append(int(round(code.orientation / 90)) * 90 % 360)
                break
    for want in seen:
        for pts, turn in zip(hyps, turns, strict=True):
            if turned(turn, want) == 0:
                return pts
    raise NotAligned("barcode_unread")


def _osd_rotate(page: np.ndarray) -> int | None:
    """Tesseract's orientation detection: degrees to turn the page clockwise to read it."""
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    ok, png = cv2.imencode(".png", page)
    try:
        run = subprocess.run(
            [exe, "stdin", "stdout", "--psm", "0"],
            input=png.tobytes(),
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    info = {}
    for line in run.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    try:
        if float(info.get("Orientation confidence", "0")) < 1.0:
            return None
        return int(info["Rotate"]) % 360
    except (KeyError, ValueError):
        return None


def _by_text(grey: np.ndarray, f: float, hyps: list[np.ndarray], template: Template):
    pts = hyps[0]
    hom = _homography(pts / f, template)
    scale = 300 / 25.4 / PX_PER_MM  # Tesseract reads best at about 300 dpi
    hom = np.diag([scale, scale, 1.0]) @ hom
    size = (int(template.width * PX_PER_MM * scale), int(template.height * PX_PER_MM * scale))
    turn = _osd_rotate(cv2.warpPerspective(grey, hom, size, borderValue=255))
    if turn is None:
        raise NotAligned("text_no_orientation")
    if turn == 0:
        return pts
    # The page drawn under this hypothesis must be turned `turn`° clockwise: the true top-left
    # mark is the one this hypothesis put `turn` further round.
    want = (_rotation_of(pts) - turn) % 360
    for other in hyps:
        if _rotation_of(other) == want:
            return other
    raise NotAligned("text_misfit")


# ---------------------------------------------------------------------------------------------


def _find_edges(small: np.ndarray, template: Template) -> np.ndarray | None:
    """The page's own corners (`edges` templates), with its long sides on the template's.

    A page that stands out from a darker surround is found by safar.reading._photo; an image
    that has no surround but has the page's proportions is taken to be the page, cropped.
    """
    from ._photo import _page_corners, find_page

    try:
        return _page_corners(find_page(small, aspect=template.width / template.height), template)
    except NotAligned:
        h, w = small.shape
        page = template.width / template.height
        if abs(w / h - page) / page < 0.03:
            return np.array([(0, 0), (w - 1, 0), (w - 1, h - 1), (0, h - 1)], np.float64)
        return None


def _template_points(template: Template) -> np.ndarray:
    if template.fiducial_kind == "edges":
        w, h = template.width, template.height
        return np.array([(0, 0), (w, 0), (w, h), (0, h)], np.float64)
    if template.fiducial_kind == "corner":
        return np.array([(m.x, m.y) for m in template.fiducials], np.float64)
    return np.array([m.centre for m in template.fiducials], np.float64)


def _homography(src: np.ndarray, template: Template) -> np.ndarray:
    """Source px → aligned page px; least squares over all marks when there are more than 4."""
    dst = _template_points(template) * PX_PER_MM
    if len(src) == 4:
        return cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32))
    hom, _ = cv2.findHomography(src.astype(np.float64), dst, 0)
    if hom is None:
        raise NotAligned("marks_misfit")
    return hom


def _choose(hyps: list[np.ndarray], grey, f, template: Template) -> np.ndarray:
    if len(hyps) == 1 or template.orientation == "mark":
        return hyps[0]
    if template.orientation == "barcode":
        return _by_barcode(grey, f, hyps, template)
    if template.orientation == "text":
        return _by_text(grey, f, hyps, template)
    upright = [h for h in hyps if _rotation_of(h) == 0]  # "none": the page is taken as upright
    return (upright or hyps)[0]


def _classic_squares(template: Template) -> bool:
    """The Safar card's four squares, the top-left one bigger: found as they always were."""
    return (
        template.fiducial_kind == "square"
        and len(template.fiducials) == 4
        and template.orientation == "mark"
        and template.odd in (None, 0)
    )


def _find(small: np.ndarray, template: Template) -> list[np.ndarray]:
    """Every way the marks found fit the template (best first), as image points of the marks."""
    kind = template.fiducial_kind
    if kind == "edges":
        pts = _find_edges(small, template)
        return [] if pts is None else [pts]
    if kind == "corner":
        pts = _find_corners(small, template)
        return [] if pts is None else _corner_hypotheses(pts, template)
    if _classic_squares(template):
        pts = _find_squares(small, template)
        return [] if pts is None else [pts]
    side = max(small.shape)
    page_mm = max(template.width, template.height)
    smallest = min(m.size for m in template.fiducials) * side / page_mm
    biggest = max(m.size for m in template.fiducials) * side / page_mm
    # The page may fill as little as a third of the image (a card on an A4 scanner bed).
    blobs = _blobs(_binary(small), max(3.0, smallest / 3.5), biggest * 1.5)
    hyps = _blob_hypotheses(blobs, template)
    # One hypothesis per way up (the same marks may be matched from several pairs).
    out, seen = [], set()
    for _, pts in hyps:  # best first
        r = _rotation_of(pts)
        if r not in seen:
            seen.add(r)
            out.append(pts)
    return out


def align(grey: np.ndarray, template: Template) -> Alignment:
    """Warp the page onto the template at PX_PER_MM; raises NotAligned with the reason."""
    if grey.size == 0 or min(grey.shape) < 100:
        raise NotAligned("image_too_small")
    f = min(1.0, DETECT_SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else grey
    hyps = _find(small, template)
    if not hyps and template.fiducial_kind == "edges":
        raise NotAligned("edges_not_found")
    if not hyps:
        raise NotAligned("marks_not_found")
    pts = _choose(hyps, grey, f, template)
    src = _refine(grey, pts / f, template)
    tpl = _template_points(template)
    hom = _homography(src, template)
    src_mm = np.linalg.norm(src[1] - src[0]) / np.linalg.norm(tpl[1] - tpl[0])
    rotation = _rotation_of(src)
    image, warp = grey, hom
    # Shrink a much finer scan first: warping straight down would alias thin strokes away.
    if src_mm > 1.6 * PX_PER_MM:
        g = 1.25 * PX_PER_MM / src_mm
        image = cv2.resize(grey, None, fx=g, fy=g, interpolation=cv2.INTER_AREA)
        warp = hom @ np.diag([1 / g, 1 / g, 1.0])
    size = (int(round(template.width * PX_PER_MM)), int(round(template.height * PX_PER_MM)))
    page = cv2.warpPerspective(
        image, warp, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    # The result must look like the template: every mark where it should be.
    _check_marks(page, template)
    residuals = _residuals(page, template)  # none for `edges`: there are no marks
    worst = int(np.argmax(residuals)) if len(residuals) else 0
    if len(residuals) and residuals[worst] > template.tolerance:
        raise NotAligned(
            "residual",
            mark=worst,
            mm=round(float(residuals[worst]), 1),
            tolerance=float(template.tolerance),
        )
    return Alignment(
        page=page,
        homography=hom,
        rotation=rotation,
        source_px_per_mm=float(src_mm),
        residual_mm=round(float(residuals[worst]), 3) if len(residuals) else 0.0,
        residuals_mm=tuple(round(float(r), 3) for r in residuals),
    )


def _refine(grey: np.ndarray, pts: np.ndarray, template: Template) -> np.ndarray:
    """Sub-pixel mark centres at full resolution.

    Corner vertices are kept as found, and so are the Safar card's squares: their centroids in
    the detection copy are already within a fraction of a pixel, and the character classifier
    was trained on pages aligned from them (refined centres moved the crops by hundredths of a
    millimetre, and the benchmark's wrong values from 5 to 9 in 400 cards).
    """
    if template.fiducial_kind in ("corner", "edges") or _classic_squares(template):
        return pts
    tpl = _template_points(template)
    scale = np.linalg.norm(pts[2] - pts[0]) / np.linalg.norm(tpl[2] - tpl[0])  # px per mm
    out = pts.copy()
    for k, m in enumerate(template.fiducials):
        size_px = m.size * scale
        found = _relocate_blob(grey, tuple(pts[k]), size_px, template.mark_shape(k), size_px / 4)
        if found is not None:
            out[k] = found
    return out


def _residuals(page: np.ndarray, template: Template) -> np.ndarray:
    """Each mark's distance (mm) on the aligned page from where the template has it."""
    out = []
    for k, m in enumerate(template.fiducials):
        if template.fiducial_kind == "corner":
            found = _relocate_corner(page, template, k)
            want = (m.x * PX_PER_MM, m.y * PX_PER_MM)
        else:
            want = (m.centre[0] * PX_PER_MM, m.centre[1] * PX_PER_MM)
            search = max(4.0, 3 * template.tolerance) * PX_PER_MM
            found = _relocate_blob(page, want, m.size * PX_PER_MM, template.mark_shape(k), search)
        if found is None:
            raise NotAligned("mark_missing", mark=k)
        out.append(np.hypot(found[0] - want[0], found[1] - want[1]) / PX_PER_MM)
    return np.array(out)


def _check_marks(page: np.ndarray, template: Template) -> None:
    if template.fiducial_kind != "square":
        return
    for m in template.fiducials:
        x0, y0 = int((m.x + m.size * 0.25) * PX_PER_MM), int((m.y + m.size * 0.25) * PX_PER_MM)
        x1, y1 = int((m.x + m.size * 0.75) * PX_PER_MM), int((m.y + m.size * 0.75) * PX_PER_MM)
        if page[y0:y1, x0:x1].mean() > 110:
            raise NotAligned("marks_off")


def corners_in_source(hom: np.ndarray, rect_mm, margin_mm: float = 0.0) -> np.ndarray:
    """The four corners of a template rectangle in source-image pixels."""
    x, y, w, h = (
        rect_mm.x - margin_mm,
        rect_mm.y - margin_mm,
        rect_mm.w + 2 * margin_mm,
        rect_mm.h + 2 * margin_mm,
    )
    pts = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32) * PX_PER_MM
    inv = np.linalg.inv(hom)
    return cv2.perspectiveTransform(pts[None], inv)[0]

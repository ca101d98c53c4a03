"""Finding the page: fiducial marks → rotation → homography to the template.

Square fiducials are solid squares; the top-left one is larger, which fixes the rotation (any of
0/90/180/270° plus skew). Corner fiducials (L-shaped lines, as on queXF forms) are looked for
near the image corners of an upright page. A page whose marks are not found in a geometry that
fits the template is reported as not aligned; nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .template import Template

PX_PER_MM = 8.0  # resolution of the aligned page the reader works on
DETECT_SIDE = 1400  # long side of the image fiducials are searched in


class NotAligned(Exception):
    """The page could not be aligned to the template; the message says why (for operators)."""


@dataclass(frozen=True)
class Alignment:
    page: np.ndarray  # the aligned grey page, template mm × PX_PER_MM
    homography: np.ndarray  # source image px → aligned page px
    rotation: int  # degrees the scan was turned (0, 90, 180, 270), roughly
    source_px_per_mm: float


def _binary(small: np.ndarray) -> np.ndarray:
    _, bw = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return bw


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


def align(grey: np.ndarray, template: Template) -> Alignment:
    """Warp the page onto the template at PX_PER_MM; raises NotAligned with the reason."""
    if grey.size == 0 or min(grey.shape) < 100:
        raise NotAligned("the image is too small to be a scanned page")
    f = min(1.0, DETECT_SIDE / max(grey.shape))
    small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else grey
    if template.fiducial_kind == "edges":
        pts = _find_edges(small, template)
        tpl = np.array(
            [(0, 0), (template.width, 0), (template.width, template.height), (0, template.height)]
        )
    elif template.fiducial_kind == "square":
        pts = _find_squares(small, template)
        tpl = np.array([m.centre for m in template.fiducials])
    else:
        pts = _find_corners(small, template)
        tpl = np.array([(m.x, m.y) for m in template.fiducials])
    if pts is None and template.fiducial_kind == "edges":
        raise NotAligned("the page's edges were not found: the page must stand out from around it")
    if pts is None:
        raise NotAligned("the four corner marks were not found where the template has them")
    src = (pts / f).astype(np.float32)
    dst = (tpl * PX_PER_MM).astype(np.float32)
    hom = cv2.getPerspectiveTransform(src, dst)
    src_mm = np.linalg.norm(src[1] - src[0]) / np.linalg.norm(tpl[1] - tpl[0])
    d = src[1] - src[0]
    rotation = int(round(np.degrees(np.arctan2(d[1], d[0])) / 90.0)) % 4 * 90
    image = grey
    # Shrink a much finer scan first: warping straight down would alias thin strokes away.
    if src_mm > 1.6 * PX_PER_MM:
        g = 1.25 * PX_PER_MM / src_mm
        image = cv2.resize(grey, None, fx=g, fy=g, interpolation=cv2.INTER_AREA)
        hom = hom @ np.diag([1 / g, 1 / g, 1.0])
    size = (int(round(template.width * PX_PER_MM)), int(round(template.height * PX_PER_MM)))
    page = cv2.warpPerspective(
        image, hom, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    # The result must look like the template: every mark where it should be.
    _check_marks(page, template)
    full_hom = cv2.getPerspectiveTransform(src, dst)
    return Alignment(page=page, homography=full_hom, rotation=rotation, source_px_per_mm=src_mm)


def _check_marks(page: np.ndarray, template: Template) -> None:
    if template.fiducial_kind != "square":
        return
    for m in template.fiducials:
        x0, y0 = int((m.x + m.size * 0.25) * PX_PER_MM), int((m.y + m.size * 0.25) * PX_PER_MM)
        x1, y1 = int((m.x + m.size * 0.75) * PX_PER_MM), int((m.y + m.size * 0.75) * PX_PER_MM)
        if page[y0:y1, x0:x1].mean() > 110:
            raise NotAligned("the corner marks do not line up with the template")


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

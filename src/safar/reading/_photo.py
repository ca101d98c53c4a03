"""Phone photos of a page: find the page, flatten it, even the light, or say why not.

A photo differs from a scan in three ways the aligner cannot handle alone: the page is seen in
perspective on a table (dark or cluttered), the light is uneven (gradients, vignetting, the
shadow of the hand holding the phone) and the focus may be poor. This module

1. tells a photo from a scan cheaply (`looks_like_photo`: a scan's border is the white scanner
   bed; a photo's border is the table), so scans take the usual path at no cost;
2. finds the page (`find_page`): the largest bright convex quadrilateral whose edges stand out
   from what surrounds them (judged as a brightness *ratio*, so a shadow across the page and the
   table does not break an edge), its corners refined by fitting straight lines to the strongest
   step along each side;
3. flattens it (`flatten`): a perspective warp to the template's aspect ratio, then divides the
   page by a large-scale estimate of the paper's brightness (a morphological closing that removes
   everything smaller than ~12 mm: ink, boxes, marks) so the light is even;
4. refuses, with a reason an operator can act on, a photo with no page, a page partly outside
   the photo, a page too small (too few pixels per mm), too blurred, or in shadow / too dark.

The usual alignment (fiducial marks, or the page's corners for `edges` templates) then runs on
the flattened page.
"""

from __future__ import annotations

import cv2
import numpy as np

from ._align import PX_PER_MM, Alignment, NotAligned, align
from .template import Template

DETECT_SIDE = 1000  # long side of the image the page is searched in
MIN_PX_PER_MM = 4.0  # fewer pixels per mm on the page's shortest side: too small to read
MAX_FLAT_PX_PER_MM = 12.0  # the flattened page keeps at most this resolution (barcodes like it)
MIN_SHARPNESS = 120.0  # least-sharp-direction 2nd-derivative variance at 4 px/mm (see sharpness)
MIN_PAPER = 30.0  # the paper's brightness (0..255) in its darkest tenth, before evening
EVEN_MM = 12.0  # marks and ink smaller than this are not mistaken for shade


class PhotoRefused(NotAligned):
    """A photo that cannot be read; `key` and `params` say why, for the operator (the texts are
    in safar.reading.refusals)."""


# The refusals' keys (safar.reading.refusals.REFUSALS).
NO_PAGE = "no_page"
CUT_OFF = "cut_off"
TOO_SMALL = "too_small"
BLURRED = "blurred"
TOO_DARK = "too_dark"


def looks_like_photo(grey: np.ndarray) -> bool:
    """True when the image's border is dark or textured (a table), not a scanner's white bed.

    Costs a strided look at the outer 3 % of the image: scans are not slowed down.
    """
    h, w = grey.shape[:2]
    step = max(1, max(h, w) // 400)
    small = grey[::step, ::step]
    sh, sw = small.shape
    b = max(2, int(0.03 * min(sh, sw)))
    border = np.concatenate(
        [small[:b].ravel(), small[-b:].ravel(), small[:, :b].ravel(), small[:, -b:].ravel()]
    )
    return float(np.median(border)) < 100


def _order(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left of the image."""
    quad = np.asarray(quad, np.float32).reshape(4, 2)
    centre = quad.mean(axis=0)
    ang = np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0])
    quad = quad[np.argsort(ang)]  # clockwise on screen (y down), starting anywhere
    start = int(np.argmin(quad.sum(axis=1)))  # the top-left is smallest in x + y
    return np.roll(quad, -start, axis=0)


def _hull_quad(contour: np.ndarray) -> np.ndarray | None:
    hull = cv2.convexHull(contour)
    peri = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.045, 0.06, 0.08):
        approx = cv2.approxPolyDP(hull, eps * peri, True)
        if len(approx) == 4:
            return _order(approx.reshape(4, 2))
        if len(approx) < 4:
            break
    # Fall back to the hull points extreme along the four diagonals.
    pts = hull.reshape(-1, 2).astype(np.float32)
    s, d = pts.sum(axis=1), pts[:, 0] - pts[:, 1]
    quad = np.array(
        [pts[np.argmin(s)], pts[np.argmax(d)], pts[np.argmax(s)], pts[np.argmin(d)]], np.float32
    )
    if len({tuple(p) for p in quad}) < 4:
        return None
    return _order(quad)


def _plausible(quad: np.ndarray) -> bool:
    """Convex, no corner too sharp or too blunt for a rectangle seen at up to ~35° tilt."""
    if not cv2.isContourConvex(quad.reshape(-1, 1, 2).astype(np.float32)):
        return False
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cos = float(v1 @ v2 / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        if not 45 < np.degrees(np.arccos(np.clip(cos, -1, 1))) < 135:
            return False
    return True


def _side_contrast(clean_log: np.ndarray, quad: np.ndarray, d: float) -> np.ndarray:
    """log(inside / outside) brightness at points along the quad's sides (NaN off the image)."""
    h, w = clean_log.shape
    centre = quad.mean(axis=0)
    out = []
    ts = np.linspace(0.06, 0.94, 24)
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        edge = b - a
        n = np.array([-edge[1], edge[0]]) / (np.linalg.norm(edge) + 1e-9)
        if n @ ((a + b) / 2 - centre) < 0:
            n = -n  # outward
        pts = a + ts[:, None] * edge
        inner = pts - n * d
        outer = pts + n * d
        vals = np.full(len(ts), np.nan)
        ok = (outer[:, 0] >= 0) & (outer[:, 0] < w - 1) & (outer[:, 1] >= 0) & (outer[:, 1] < h - 1)
        ok &= (
            (inner[:, 0] >= 0) & (inner[:, 0] < w - 1) & (inner[:, 1] >= 0) & (inner[:, 1] < h - 1)
        )
        ii, oo = inner[ok].astype(int), outer[ok].astype(int)
        vals[ok] = clean_log[ii[:, 1], ii[:, 0]] - clean_log[oo[:, 1], oo[:, 0]]
        out.append(vals)
    return np.concatenate(out)


def _candidates(clean: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """(contour, share of its points on the image border) of bright regions, several ways."""
    h, w = clean.shape
    masks = []
    otsu, bw = cv2.threshold(clean, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    masks.append(bw)
    for level in (0.75, 1.25, 1.5):
        masks.append(cv2.threshold(clean, min(250, otsu * level), 255, cv2.THRESH_BINARY)[1])
    # Near the paper's own brightness: leaves out light objects lying against the page.
    paper = float(np.percentile(clean, 95))
    for level in (0.65, 0.8):
        masks.append(cv2.threshold(clean, paper * level, 255, cv2.THRESH_BINARY)[1])
    # Illumination-free: brighter than the local surroundings at a large scale.
    tiny = cv2.resize(clean, (max(8, w // 8), max(8, h // 8)), interpolation=cv2.INTER_AREA)
    tiny = cv2.GaussianBlur(tiny, (0, 0), max(h, w) / 96)  # σ = 1/12 of the image, at 1/8 size
    big = cv2.resize(tiny, (w, h), interpolation=cv2.INTER_LINEAR)
    masks.append(((clean.astype(np.int16) - big) > 0).astype(np.uint8) * 255)
    # Regions closed by strong edges.
    med = float(np.median(clean))
    edges = cv2.Canny(clean, 0.4 * med, 1.0 * med)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    masks.append(cv2.bitwise_not(edges))
    out = []
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    for m in masks:
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, kernel)
        contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        for c in contours:
            if cv2.contourArea(c) < 0.02 * h * w:
                continue
            pts = c.reshape(-1, 2)
            on_border = (
                (pts[:, 0] <= 1) | (pts[:, 1] <= 1) | (pts[:, 0] >= w - 2) | (pts[:, 1] >= h - 2)
            )
            out.append((c, float(on_border.mean())))
    return out


def _solid(contour: np.ndarray) -> bool:
    """Nearly convex, as the visible part of a page (a page clipped by the frame) is."""
    hull = cv2.contourArea(cv2.convexHull(contour))
    return hull > 0 and cv2.contourArea(contour) / hull > 0.85


def _stands_out(clean_log: np.ndarray, contour: np.ndarray) -> bool:
    """The region is at least ~1.6 times as bright as the rest of the image (in the median)."""
    mask = np.zeros(clean_log.shape, np.uint8)
    cv2.drawContours(mask, [contour], -1, 255, -1)
    inside, outside = clean_log[mask > 0], clean_log[mask == 0]
    if inside.size == 0 or outside.size < 0.1 * mask.size:
        return False  # (nearly) the whole photo: a table, or a page too close to tell
    return float(np.median(inside) - np.median(outside)) > 0.47


def _fit_line(points: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray] | None:
    """A straight line through most of the points (RANSAC over all pairs, then least squares on
    the points within `tol`): a light object against the page, or a shadow's edge, pulls some
    of the steps found along a side away; they are left out rather than averaged in."""
    n = len(points)
    i, j = np.triu_indices(n, 1)
    d = points[j] - points[i]
    norm = np.linalg.norm(d, axis=1)
    ok = norm > 1e-6
    i, j, d, norm = i[ok], j[ok], d[ok], norm[ok]
    normals = np.column_stack([-d[:, 1], d[:, 0]]) / norm[:, None]
    dist = np.abs(
        (points[None, :, 0] - points[i][:, None, 0]) * normals[:, None, 0]
        + (points[None, :, 1] - points[i][:, None, 1]) * normals[:, None, 1]
    )
    inliers = dist < tol
    best = int(np.argmax(inliers.sum(axis=1)))
    chosen = points[inliers[best]]
    if len(chosen) < max(8, 0.4 * n):
        return None
    vx, vy, x0, y0 = cv2.fitLine(chosen.astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01)
    return np.array([x0[0], y0[0]]), np.array([vx[0], vy[0]])


def _refine(
    grey: np.ndarray, quad: np.ndarray, reach: float, max_move: float | None = None
) -> np.ndarray:
    """Move each side onto the strongest bright-to-dark step across it; corners = intersections.

    A corner that would move more than `max_move` (default 1.5 × reach) keeps its place."""
    h, w = grey.shape
    smooth = cv2.GaussianBlur(grey, (0, 0), 1.5).astype(np.float32)
    centre = quad.mean(axis=0)
    lines: list[tuple[np.ndarray, np.ndarray] | None] = []
    offsets = np.arange(-reach, reach + 1, 1.0, dtype=np.float32)
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        edge = b - a
        length = float(np.linalg.norm(edge))
        n = np.array([-edge[1], edge[0]]) / (length + 1e-9)
        if n @ ((a + b) / 2 - centre) < 0:
            n = -n
        found = []
        for t in np.linspace(0.1, 0.9, 40):
            p = a + t * edge
            line = p[None, :] + offsets[:, None] * n[None, :]
            if line[:, 0].min() < 0 or line[:, 1].min() < 0:
                continue
            if line[:, 0].max() >= w - 1 or line[:, 1].max() >= h - 1:
                continue
            prof = cv2.remap(
                smooth,
                line[:, 0:1].astype(np.float32),
                line[:, 1:2].astype(np.float32),
                cv2.INTER_LINEAR,
            ).ravel()
            logp = np.log1p(prof)
            step = logp[:-2] - logp[2:]  # inside bright, outside dark: positive
            k = int(np.argmax(step))
            if step[k] < 0.12:
                continue
            found.append(p + (offsets[k] + 1.0) * n)
        if len(found) < 8:
            lines.append(None)
            continue
        lines.append(_fit_line(np.array(found, np.float64), tol=max(1.0, reach / 8)))
    out = quad.copy()
    for i in range(4):
        l1, l2 = lines[i - 1], lines[i]  # the sides meeting at corner i
        if l1 is None or l2 is None:
            continue
        (p1, d1), (p2, d2) = l1, l2
        m = np.array([d1, -d2]).T
        if abs(np.linalg.det(m)) < 1e-6:
            continue
        s = np.linalg.solve(m, p2 - p1)
        corner = p1 + s[0] * d1
        if np.linalg.norm(corner - quad[i]) <= (max_move or 1.5 * reach):
            out[i] = corner
    return out.astype(np.float32)


def find_page(grey: np.ndarray, *, aspect: float | None = None) -> np.ndarray:
    """The page's corners in `grey` (TL, TR, BR, BL as seen in the image), float32 4 × 2.

    `aspect` (long side / short side of the page), when known, helps reject other bright
    things. Raises PhotoRefused when there is no page, or the page runs off the photo.
    """
    h, w = grey.shape[:2]
    f = min(1.0, DETECT_SIDE / max(h, w))
    small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else grey
    sh, sw = small.shape
    k = max(5, int(0.015 * max(sh, sw)) | 1)
    clean = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    )
    clean = cv2.GaussianBlur(clean, (0, 0), 1.5)
    clean_log = np.log1p(clean.astype(np.float32))
    d = max(3.0, 0.008 * max(sh, sw))
    best, best_score, cut_score = None, 0.0, 0.0
    for contour, touching in _candidates(clean):
        quad = _hull_quad(contour)
        if quad is None:
            continue
        area = cv2.contourArea(quad) / (sh * sw)
        if touching > 0.04:
            # A bright region running off the image: the page (or part of it) is cut off,
            # if it is much brighter than the rest (paper, not the lit side of a table).
            if area > 0.15 and _solid(contour) and _stands_out(clean_log, contour):
                cut_score = max(cut_score, area)
            continue
        if not _plausible(quad):
            continue
        if aspect is not None:
            sides = [np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]
            a = (sides[0] + sides[2]) / (sides[1] + sides[3])
            a = max(a, 1 / a)
            if not aspect / 1.6 < a < aspect * 1.6:
                continue
        # Fit the sides to the edges first: a region that took in a light object lying against
        # the page has a hull that bulges there, and the contrast would be judged off the edge.
        side = min(np.linalg.norm(quad[k] - quad[(k + 1) % 4]) for k in range(4))
        for _ in range(2):
            quad = _refine(clean, quad, reach=max(3.0, 0.02 * max(sh, sw)), max_move=0.25 * side)
        contrast = _side_contrast(clean_log, quad, d)
        if np.isnan(contrast).mean() > 0.1:
            cut_score = max(cut_score, area)
            continue
        low = float(np.nanpercentile(contrast, 15))
        if low < 0.08:
            continue
        score = area * min(1.0, low / 0.25)
        if score > best_score:
            best, best_score = quad, score
    if best is None:
        raise PhotoRefused(CUT_OFF if cut_score > 0 else NO_PAGE)
    quad = _refine(grey, best / f, reach=max(4.0, 2.5 / f))
    margin = 0.002 * max(h, w)
    if (
        quad[:, 0].min() < margin
        or quad[:, 1].min() < margin
        or quad[:, 0].max() > w - 1 - margin
        or quad[:, 1].max() > h - 1 - margin
    ):
        raise PhotoRefused(CUT_OFF)
    return _order(quad)


def _page_corners(quad: np.ndarray, template: Template) -> np.ndarray:
    """Reorder the image-ordered quad so its long sides go with the template's long sides."""
    top = np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])
    side = np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])
    if (top >= side) != (template.width >= template.height):
        quad = np.roll(quad, -1, axis=0)  # the page lies turned by 90°: BL becomes TL
    return quad


def even_light(page: np.ndarray, px_per_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """(evened page, paper brightness estimate): the page divided by its large-scale light."""
    s = min(1.0, 2.0 / px_per_mm)  # the estimate is made at ~2 px/mm
    small = cv2.resize(page, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    k = max(3, int(EVEN_MM * px_per_mm * s) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    paper = cv2.GaussianBlur(paper, (0, 0), k / 3).astype(np.float32)
    paper = cv2.resize(paper, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    out = page.astype(np.float32)
    out *= 240.0 / np.maximum(paper, 1.0)
    return np.clip(out, 0, 255).astype(np.uint8), paper


def flatten(
    grey: np.ndarray, quad: np.ndarray, template: Template
) -> tuple[np.ndarray, np.ndarray, float]:
    """The page cut out of the photo, flattened to the template's size and evened.

    Returns (page, homography photo px → page px, page px per mm). Raises PhotoRefused when the
    page is too small, too blurred or too dark to be read.
    """
    quad = _page_corners(np.asarray(quad, np.float32), template)
    sides = [np.linalg.norm(quad[i] - quad[(i + 1) % 4]) for i in range(4)]
    mm = [template.width, template.height, template.width, template.height]
    ppm_each = [s / m for s, m in zip(sides, mm, strict=True)]
    if min(ppm_each) < MIN_PX_PER_MM:
        raise PhotoRefused(TOO_SMALL, ppm=round(float(min(ppm_each)), 1), need=MIN_PX_PER_MM)
    ppm = float(np.clip(np.mean(ppm_each), PX_PER_MM, MAX_FLAT_PX_PER_MM))
    size = (int(round(template.width * ppm)), int(round(template.height * ppm)))
    dst = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float32)
    hom = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    page = cv2.warpPerspective(
        grey, hom, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    evened, paper = even_light(page, ppm)
    # Shade: the paper in the page's darkest tenth (ignoring a rim where the table may show).
    rim = int(3 * ppm)
    if float(np.percentile(paper[rim:-rim, rim:-rim], 10)) < MIN_PAPER:
        raise PhotoRefused(TOO_DARK)
    # A sliver of table along the edges would look like ink: the outer 1 mm is paper.
    edge = max(1, int(round(1.0 * ppm)))
    evened[:edge], evened[-edge:], evened[:, :edge], evened[:, -edge:] = 240, 240, 240, 240
    if sharpness(evened, ppm) < MIN_SHARPNESS:
        raise PhotoRefused(BLURRED)
    return evened, hom, ppm


def sharpness(page: np.ndarray, px_per_mm: float) -> float:
    """How crisp the printed lines are, in the least sharp direction (motion blur smears one way).

    The variance of the second derivative across x, y and both diagonals, at 4 px/mm (averaging
    pixels first keeps sensor noise from passing for detail); the smallest of the four.
    """
    g = 4.0 / px_per_mm
    img = cv2.resize(page, None, fx=g, fy=g, interpolation=cv2.INTER_AREA).astype(np.float32)
    out = []
    for kernel in (
        [[0, 0, 0], [1, -2, 1], [0, 0, 0]],
        [[0, 1, 0], [0, -2, 0], [0, 1, 0]],
        [[1, 0, 0], [0, -2, 0], [0, 0, 1]],
        [[0, 0, 1], [0, -2, 0], [1, 0, 0]],
    ):
        out.append(float(cv2.filter2D(img, -1, np.array(kernel, np.float32)).var()))
    return min(out)


def align_photo(grey: np.ndarray, template: Template) -> tuple[Alignment, np.ndarray]:
    """Find, flatten and even the page of a photo, then align it: (alignment, flattened page).

    The alignment refers to the flattened page, which is what the fields are read from.
    """
    quad = find_page(
        grey, aspect=max(template.width, template.height) / min(template.width, template.height)
    )
    flat, _, ppm = flatten(grey, quad, template)
    if template.fiducial_kind != "edges":
        return align(flat, template), flat
    # The flattened page is the aligned page: its corners are the template's corners.
    size = (int(round(template.width * PX_PER_MM)), int(round(template.height * PX_PER_MM)))
    page = cv2.resize(flat, size, interpolation=cv2.INTER_AREA)
    g = PX_PER_MM / ppm
    hom = np.diag([g, g, 1.0])
    return Alignment(page=page, homography=hom, rotation=0, source_px_per_mm=ppm), flat


def locate(grey: np.ndarray, template: Template) -> tuple[Alignment, np.ndarray, bool]:
    """Align a scan or a photo: (alignment, the image it refers to, whether it was a photo).

    A scan (white border) is aligned as it is, as before; only when that fails is it tried as
    a photo. A photo (dark or textured border) goes through find/flatten first, and falls back
    to plain alignment (a scan on a dark scanner lid). The reason given is the one that fits
    what the image looked like.
    """
    photo = looks_like_photo(grey)
    if not photo:
        try:
            return align(grey, template), grey, False
        except NotAligned as scan_problem:
            try:
                alignment, flat = align_photo(grey, template)
            except NotAligned:
                raise scan_problem from None
            return alignment, flat, True
    try:
        alignment, flat = align_photo(grey, template)
    except NotAligned as photo_problem:
        try:
            return align(grey, template), grey, False
        except NotAligned:
            raise photo_problem from None
    return alignment, flat, True

"""Reading checkbox groups: which boxes hold ink that is not on the blank form, and what it means.

Each box is measured inside its printed outline (a square, or a circle for bubbles), leaving out
whatever the blank form prints there (a letter, a digit, a guide line): the blank's print is
registered to the page within a few pixels (the shift that best matches the page's dark pixels)
and grown by GROW_PX before it is left out, so a slightly misregistered letter is not ink.

Two meanings of ink (the template's `mark`):
- "cross" (the Safar card): a cross or tick marks a box, filling it completely cancels it. The
  measure and the bands below are those measured on synthetic cards and queXF's scans.
- "fill" (bubble sheets): filling marks. Ink is judged against the group itself: the threshold
  lies halfway between the paper and the darkest ink in the group (pale pencil is grey, a marker
  black), so a pale pencil fill is a fill, while a cross, a light stroke or a half-filled bubble
  covers too little and is doubtful. The confidence reflects the margin from the decision line.

How many boxes may be marked is `choose`: "one", "at_most_one" or "any" (a list of values).
"""

from __future__ import annotations

import cv2
import numpy as np

from ._align import PX_PER_MM
from ._blank import BlankReference
from .template import Field, Rect

CHECK_INSET_MM = 0.8  # a square box is read this far in from its printed line
CIRCLE_INSET_MM = 0.6  # a circle: its radius less this
SHIFT_PX = 3  # the blank's print is registered to the page within ± this many pixels
GROW_PX = 2  # and then grown by this much before it is left out
# Fill ratio of a checkbox's inner area (cross mode): below EMPTY it is empty, above FILLED it
# was cancelled by filling; the bands around each threshold are doubtful. A thick pen's cross on
# a 200 dpi scan covers up to ~0.62 of the box, a box filled to cancel it at least ~0.9 (600
# synthetic cards: 4,138 marks, 58 filled boxes); a cancelling scribble that does not fill the
# box (queXF's scans: 0.55-0.71) may look like either, so from 0.65 on it is doubtful.
EMPTY, MARKED_MIN, FILLED_MIN, FILLED = 0.02, 0.05, 0.65, 0.85
# Several crosses in a group where one box holds far more ink than the others (≥ SCRIBBLE × the
# next, and ≥ SCRIBBLE_MIN of its area): that one is a cancelling scribble, not a second cross
# (queXF: scribbles 0.43-0.55 beside crosses 0.17-0.27 of the same hand).
SCRIBBLE, SCRIBBLE_MIN = 1.5, 0.3
# Fill mode: the share of a bubble covered by ink (ink: darker than halfway between the paper
# and the group's darkest ink). Below FILL_EMPTY the bubble is empty; from FILL_FULL it is
# filled; between them it holds ink but is not filled (a cross covers ~0.15-0.3 of a bubble, a
# half-filled one ~0.5, a light stroke less): doubtful, marked from FILL_LINE on.
FILL_EMPTY, FILL_LINE, FILL_FULL = 0.06, 0.35, 0.8
CLOSE_KERNEL = np.ones((3, 3), np.uint8)
# Confidence of every group on a sheet of bubbles where none is marked.
UNANSWERED = 0.5
# The group's darkest ink counts as ink only if it is at least this much darker than the paper
# (grey levels): an empty group's noise must not become "ink".
MIN_CONTRAST = 60.0
# Cross mode keeps the page's ink threshold unless the group's darkest ink (5th percentile of
# the darkest box) is no more than GREY_INK darker than it, yet GREY_CONTRAST darker than the
# paper (grey ink: pencil): then the threshold moves up, halfway between paper and that ink.
GREY_INK, GREY_CONTRAST = 20.0, 40.0


def _px(rect: Rect, inset: float) -> tuple[slice, slice]:
    y0, y1 = round((rect.y + inset) * PX_PER_MM), round((rect.y + rect.h - inset) * PX_PER_MM)
    x0, x1 = round((rect.x + inset) * PX_PER_MM), round((rect.x + rect.w - inset) * PX_PER_MM)
    return slice(y0, y1), slice(x0, x1)


def _shape_mask(h: int, w: int, shape: str) -> np.ndarray:
    if shape != "circle":
        return np.ones((h, w), bool)
    y, x = np.ogrid[:h, :w]
    return ((x - (w - 1) / 2) / (w / 2)) ** 2 + ((y - (h - 1) / 2) / (h / 2)) ** 2 <= 1.0


def _window(a: np.ndarray, ys: slice, xs: slice, pad: int, fill) -> np.ndarray:
    """a[ys, xs] grown by `pad` on every side (padded with `fill` beyond the array)."""
    h, w = a.shape
    y0, y1, x0, x1 = ys.start - pad, ys.stop + pad, xs.start - pad, xs.stop + pad
    out = np.full((y1 - y0, x1 - x0), fill, a.dtype)
    sy0, sy1, sx0, sx1 = max(0, y0), min(h, y1), max(0, x0), min(w, x1)
    if sy1 > sy0 and sx1 > sx0:
        out[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = a[sy0:sy1, sx0:sx1]
    return out


def box_area(
    page: np.ndarray, rect: Rect, shape: str, blank: BlankReference | None, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """The page inside the box (2-D) and where it counts: inside the shape, off the blank's print."""
    inset = CIRCLE_INSET_MM if shape == "circle" else CHECK_INSET_MM
    ys, xs = _px(rect, inset)
    inner = page[ys, xs]
    keep = _shape_mask(inner.shape[0], inner.shape[1], shape)
    if blank is not None and inner.size:
        printed = _window(blank.printed, ys, xs, SHIFT_PX + GROW_PX, False)
        if printed.any():
            keep &= ~_registered(inner < threshold, printed)
    return inner, keep


def box_pixels(
    page: np.ndarray, rect: Rect, shape: str, blank: BlankReference | None, threshold: float
) -> np.ndarray:
    """The page's grey pixels inside the box that the blank leaves unprinted (1-D)."""
    inner, keep = box_area(page, rect, shape, blank, threshold)
    return inner[keep]


def _registered(dark: np.ndarray, printed: np.ndarray) -> np.ndarray:
    """The blank's print over the box (`printed` has SHIFT_PX + GROW_PX more on every side),
    moved by the shift that best matches the page's dark pixels, then grown by GROW_PX."""
    h, w = dark.shape
    pad = SHIFT_PX + GROW_PX
    best, best_overlap = (0, 0), -1
    shifts = sorted(
        (
            (dy, dx)
            for dy in range(-SHIFT_PX, SHIFT_PX + 1)
            for dx in range(-SHIFT_PX, SHIFT_PX + 1)
        ),
        key=lambda s: abs(s[0]) + abs(s[1]),
    )
    for dy, dx in shifts:  # nearest first: a tie (a filled box matches anywhere) keeps it still
        window = printed[pad + dy : pad + dy + h, pad + dx : pad + dx + w]
        overlap = int(np.count_nonzero(window & dark))
        if overlap > best_overlap:
            best, best_overlap = (dy, dx), overlap
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * GROW_PX + 1, 2 * GROW_PX + 1))
    grown = cv2.dilate(printed.astype(np.uint8), kernel).astype(bool)
    dy, dx = best
    return grown[pad + dy : pad + dy + h, pad + dx : pad + dx + w]


def checkbox_state(
    page: np.ndarray,
    rect: Rect,
    threshold: float,
    *,
    shape: str = "square",
    blank: BlankReference | None = None,
) -> tuple[str, float, float]:
    """('empty'|'marked'|'filled', confidence, fill ratio) of one box of a cross-mode group."""
    pixels = box_pixels(page, rect, shape, blank, threshold)
    fill = float((pixels < threshold).mean()) if pixels.size else 0.0
    return _cross_state(fill)


def _cross_state(fill: float) -> tuple[str, float, float]:
    if fill < EMPTY:
        return "empty", 1.0, fill
    if fill < MARKED_MIN:
        return ("empty" if fill < (EMPTY + MARKED_MIN) / 2 else "marked"), 0.5, fill
    if fill < FILLED_MIN:
        return "marked", 1.0, fill
    if fill < FILLED:
        return "filled", 0.5, fill  # fuller than any cross measured: likelier a cancelling scribble
    return "filled", 1.0, fill


def _cross_group(page, f: Field, threshold: float, blank) -> list[tuple[str, float, float]]:
    pixels = [box_pixels(page, o.box, f.shape, blank, threshold) for o in f.options]
    paper, darkest = _paper_and_ink(page, f, pixels, 5)  # a cross covers a tenth of its box
    cut = threshold
    if threshold - GREY_INK < darkest < paper - GREY_CONTRAST:
        # The group's ink is grey (pencil, a faint pen): the page's threshold, set by black
        # print, would cut its strokes in pieces; halfway between paper and that ink instead.
        cut = max(threshold, (paper + darkest) / 2)
    states = [_cross_state(float((p < cut).mean()) if p.size else 0.0) for p in pixels]
    marked = sorted((s[2], i) for i, s in enumerate(states) if s[0] == "marked")
    if len(marked) >= 2:
        (top, i), (second, _) = marked[-1], marked[-2]
        if top >= SCRIBBLE_MIN and top >= SCRIBBLE * second:
            states[i] = ("filled", 0.5, top)  # a cancelling scribble beside real crosses
    return states


def _paper_and_ink(
    page: np.ndarray, f: Field, pixels: list[np.ndarray], percentile: float = 10
) -> tuple[float, float]:
    """The paper's grey around the group (90th percentile) and its darkest ink (the given
    percentile of the darkest box)."""
    region = f.region
    m = 2 * PX_PER_MM
    y0, x0 = max(0, int(region.y * PX_PER_MM - m)), max(0, int(region.x * PX_PER_MM - m))
    y1 = int((region.y + region.h) * PX_PER_MM + m)
    x1 = int((region.x + region.w) * PX_PER_MM + m)
    around = page[y0:y1, x0:x1]
    paper = float(np.percentile(around, 90)) if around.size else 255.0
    darkest = min((float(np.percentile(p, percentile)) for p in pixels if p.size), default=paper)
    return paper, darkest


def fill_states(
    page: np.ndarray, f: Field, threshold: float, blank: BlankReference | None
) -> list[tuple[str, float, float]]:
    """('empty'|'marked', confidence, share covered) per option of a fill-mode group."""
    areas = [box_area(page, o.box, f.shape, blank, threshold) for o in f.options]
    pixels = [inner[keep] for inner, keep in areas]
    paper, darkest = _paper_and_ink(page, f, pixels)
    ink = min(darkest, paper - MIN_CONTRAST)
    cut, faint_cut = (paper + ink) / 2, paper - MIN_CONTRAST / 2
    out = []
    for (inner, keep), p in zip(areas, pixels, strict=True):
        if not p.size:
            out.append(("empty", 1.0, 0.0))
            continue
        # Closing the ink's pinholes (pencil grain, a scribble's gaps) makes a fill whole
        # without widening a stroke: a tick stays a tick.
        dark = cv2.morphologyEx((inner < cut).astype(np.uint8), cv2.MORPH_CLOSE, CLOSE_KERNEL)
        share = float(dark[keep].mean())
        state = "marked" if share >= FILL_LINE else "empty"
        sure = share < FILL_EMPTY or share >= FILL_FULL
        if sure and state == "empty":
            # Far lighter than the group's darkest ink, yet covering the bubble: a light fill
            # or an erasure beside a firm mark. Not chosen, but a person looks.
            sure = float((p < faint_cut).mean()) < FILL_LINE
        out.append((state, 1.0 if sure else 0.5, share))
    return out


def read_group(page: np.ndarray, f: Field, threshold: float, blank: BlankReference | None) -> dict:
    """The group's states, chosen options, confidence and problem (None when the `choose` rule
    holds). `threshold` is the page's ink threshold (cross mode; fill mode finds its own)."""
    if f.mark == "fill":
        states = fill_states(page, f, threshold, blank)
    else:
        states = _cross_group(page, f, threshold, blank)
    marked = [i for i, (s, _, _) in enumerate(states) if s == "marked"]
    confidence = min(c for _, c, _ in states)
    if f.mark == "fill" and len(marked) == 1 and len(states) > 1:
        # The margin between the chosen bubble and the fullest of the rest.
        rest = max(share for i, (_, _, share) in enumerate(states) if i != marked[0])
        margin = (states[marked[0]][2] - rest) / (FILL_FULL - FILL_EMPTY)
        confidence = min(confidence, max(0.0, margin))
    out: dict = {"confidence": confidence, "problem": None, "options": [], "states": states}
    out["options"] = [f.options[i] for i in marked]
    if f.choose == "any":
        return out
    if len(marked) > 1:
        best = max(marked, key=lambda i: states[i][2])
        out.update(
            options=[f.options[best]],
            confidence=min(confidence, 0.3),
            problem="several boxes are marked",
        )
    elif not marked and f.choose == "one":
        out["problem"] = "nothing marked"
    return out


def doubt_unanswered_sheet(readings: dict, fields) -> None:
    """A sheet of bubbles (three or more fill-mode groups) with no bubble marked anywhere is
    looked at by a person: a black-and-white scan that lost pale pencil is likelier than a
    candidate who answered nothing (the pencil is gone from such a scan, so nothing else tells)."""
    groups = [f for f in fields if f.kind == "checkboxes" and f.mark == "fill"]
    if len(groups) < 3 or any("marked" in readings[f.name].marks for f in groups):
        return
    for f in groups:
        readings[f.name].confidence = min(readings[f.name].confidence, UNANSWERED)

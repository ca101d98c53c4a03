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

A black-and-white (1-bit) scan keeps only the darkest grains of a pale pencil fill: a few
scattered dots (0.2-5 % of the bubble at 200 dpi) where an empty bubble has none. When the
group's bubbles all read empty, the dots are counted (pixels darker than DOT_LEVEL, which grey
paper, scanner noise and an erasure's smudge never reach) and judged against the page's empty
bubbles (their median share: speckle everywhere raises it) and the group's other bubbles: one
bubble clearly dottier than both is marked, confidently only when its dots are many and spread
(several separate specks, far above the rest), else doubtful.

How many boxes may be marked is `choose`: "one", "at_most_one" or "any" (a list of values).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
# Sparse dots (a pale pencil fill on a 1-bit scan): a pixel darker than DOT_LEVEL is a dot. A
# bubble is marked when its share of dots (in SPARSE_MIN_SPECKS separate specks at least) is
# SPARSE_MIN above the noise (the larger of the page's empty bubbles' median and the group's
# next dottiest bubble) and SPARSE_RATIO times it; confident (SPARSE_SURE) only with
# SPARSE_SPECKS specks, SPARSE_SURE_MIN of the bubble and SPARSE_SURE_RATIO times the noise,
# else doubtful (0.5). Synthetic 1-bit pencil fills at 100-200 dpi: 0.2-30 % dots in 1-14
# specks; empty bubbles 0; a pen's tick 2-7 specks.
DOT_LEVEL = 128.0
SPARSE_MIN, SPARSE_RATIO, SPARSE_MIN_SPECKS = 0.0015, 4.0, 2
SPARSE_SURE, SPARSE_SPECKS, SPARSE_SURE_MIN, SPARSE_SURE_RATIO = 0.9, 6, 0.004, 8.0
# ... and spread over the bubble (the dots' narrower standard deviation at least this share of
# the radius: a uniform disc gives 0.5, a straight line far less; a tick whose middle the
# letter's gap hides measures 0.27-0.41, so ticks are told mostly by SPARSE_SPECKS).
SPARSE_SPREAD = 0.3
# No dots at all: the print of a filled bubble comes out bolder on a 1-bit scan. Its dark pixels
# over the blank's, divided by the page's median for the same print (PRINT_SAMPLES bubbles at
# least), is ≥ BOLD_MIN and BOLD_MARGIN above the group's next and above 1. One 200 dpi pencil
# sheet: fills 1.10-1.39, empty bubbles 0.89-1.11. Always doubtful.
PRINT_SAMPLES = 5
BOLD_MIN, BOLD_MARGIN = 1.12, 0.08
# Only on a two-level scan (TWO_LEVEL: at most this share of its pixels neither black nor white):
# on phone photos, shadow and blur make print bolder here and there (3 empty questions of 10
# photos were marked by it).
TWO_LEVEL = 0.001
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


@dataclass(frozen=True)
class SheetNoise:
    """What an empty bubble looks like on this page (fill-mode groups, `sheet_noise`)."""

    dots: float = 0.0  # median share of dots (pixels darker than DOT_LEVEL) in a bubble
    # Median ratio of dark pixels on the page to those on the blank, over the bubble and its
    # ring, per printed text and size: how thick this scan draws the blank's print.
    print_ratio: dict = field(default_factory=dict)
    # The scan has two levels only (1-bit, black and white): the bolder-print rule is for it.
    two_level: bool = False
    # Each group's bubbles as measured for the statistics (field name → box_area per option),
    # so that reading the groups does not measure them again.
    areas: dict = field(default_factory=dict, repr=False)


def _dots(inner: np.ndarray, keep: np.ndarray) -> float:
    p = inner[keep]
    return float((p < DOT_LEVEL).mean()) if p.size else 0.0


def _print_ratio(page: np.ndarray, rect: Rect, blank: BlankReference | None) -> float | None:
    """Dark pixels over the whole bubble (ring and letter, GROW_PX around) on the page, over the
    same on the blank; None without a blank or where the blank prints nothing."""
    if blank is None:
        return None
    ys, xs = _px(rect, 0.0)
    ys, xs = (
        slice(ys.start - GROW_PX, ys.stop + GROW_PX),
        slice(xs.start - GROW_PX, xs.stop + GROW_PX),
    )
    on_blank = int(np.count_nonzero(_window(blank.page, ys, xs, 0, 255) < DOT_LEVEL))
    if on_blank == 0:
        return None
    return int(np.count_nonzero(_window(page, ys, xs, 0, 255) < DOT_LEVEL)) / on_blank


def _print_key(o, shape: str) -> tuple:
    return (o.print, shape, round(o.box.w, 1), round(o.box.h, 1))


def sheet_noise(
    page: np.ndarray, fields, threshold: float, blank, two_level: bool = False
) -> SheetNoise:
    """The page's empty bubble, from every bubble of its fill-mode groups (most bubbles of an
    answer sheet are empty, so medians describe the empty ones; speckle raises them)."""
    groups = [f for f in fields if f.kind == "checkboxes" and f.mark == "fill"]
    areas = {
        f.name: [box_area(page, o.box, f.shape, blank, threshold) for o in f.options]
        for f in groups
    }
    shares = [_dots(inner, keep) for f in groups for inner, keep in areas[f.name]]
    ratios: dict[tuple, list[float]] = {}
    for f in groups:
        for o in f.options:
            r = _print_ratio(page, o.box, blank)
            if r is not None:
                ratios.setdefault(_print_key(o, f.shape), []).append(r)
    return SheetNoise(
        dots=float(np.median(shares)) if shares else 0.0,
        print_ratio={k: float(np.median(v)) for k, v in ratios.items() if len(v) >= PRINT_SAMPLES},
        areas=areas,
        two_level=two_level,
    )


def fill_states(
    page: np.ndarray,
    f: Field,
    threshold: float,
    blank: BlankReference | None,
    noise: SheetNoise | None = None,
) -> list[tuple[str, float, float]]:
    """('empty'|'marked', confidence, share covered) per option of a fill-mode group. `noise`
    describes the page's empty bubbles (`sheet_noise`; without it, none is assumed)."""
    noise = noise or SheetNoise()
    areas = noise.areas.get(f.name) or [
        box_area(page, o.box, f.shape, blank, threshold) for o in f.options
    ]
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
    if all(s == "empty" for s, _, _ in out):
        _sparse(areas, out, noise.dots, f.choose == "any", noise.two_level)
    nothing = all(s == "empty" and share < FILL_EMPTY for s, _, share in out)
    if nothing and noise.two_level and f.choose != "any":
        _thickened(page, f, blank, out, noise)
    return out


def _sparse(areas, out: list, noise: float, many: bool, two_level: bool = True) -> None:
    """Nothing in the group reads as ink: look for the scattered dots that a 1-bit scan keeps of
    a pale pencil fill (in place). Off a two-level scan such dots are doubtful at best (a pen's
    tick on a 100 dpi colour scan passed for them)."""
    dots = [_dots(inner, keep) for inner, keep in areas]
    order = sorted(range(len(dots)), key=lambda i: dots[i], reverse=True)
    chosen = order if many else order[:1]
    for i in chosen:
        rest = 0.0 if many else max((dots[j] for j in order[1:]), default=0.0)
        floor = max(noise, rest)
        if dots[i] < floor + SPARSE_MIN or dots[i] < SPARSE_RATIO * floor:
            break
        inner, keep = areas[i]
        specks = cv2.connectedComponents(((inner < DOT_LEVEL) & keep).astype(np.uint8))[0] - 1
        if specks < SPARSE_MIN_SPECKS:
            break  # one speck is dust, not a fill
        sure = (
            two_level
            and specks >= SPARSE_SPECKS
            and dots[i] >= SPARSE_SURE_MIN
            and dots[i] >= SPARSE_SURE_RATIO * floor
        )
        if sure:
            ys, xs = np.nonzero((inner < DOT_LEVEL) & keep)
            cov = np.cov(np.stack([xs, ys]).astype(float)) if len(xs) > 2 else np.zeros((2, 2))
            radius = min(inner.shape) / 2
            sure = float(np.sqrt(max(np.linalg.eigvalsh(cov)[0], 0.0))) >= SPARSE_SPREAD * radius
        out[i] = ("marked", SPARSE_SURE if sure else 0.5, out[i][2])


def _thickened(page, f: Field, blank, out: list, noise: SheetNoise) -> None:
    """No dots either: a 1-bit scan may keep nothing of pale pencil but the darkening it adds to
    the print it covers (the ring and the letter come out bolder). One bubble whose print is
    clearly bolder than the page's same print elsewhere and than its group's others is marked,
    doubtful: a person looks (in place)."""
    bold = []
    for o in f.options:
        r = _print_ratio(page, o.box, blank)
        usual = noise.print_ratio.get(_print_key(o, f.shape))
        bold.append(r / usual if r is not None and usual else 0.0)
    if len(bold) < 2:
        return
    order = sorted(range(len(bold)), key=lambda i: bold[i], reverse=True)
    best, second = bold[order[0]], bold[order[1]]
    if best >= BOLD_MIN and best - max(second, 1.0) >= BOLD_MARGIN:
        out[order[0]] = ("marked", 0.5, out[order[0]][2])


def read_group(
    page: np.ndarray,
    f: Field,
    threshold: float,
    blank: BlankReference | None,
    noise: SheetNoise | None = None,
) -> dict:
    """The group's states, chosen options, confidence and problem (None when the `choose` rule
    holds). `threshold` is the page's ink threshold (cross mode; fill mode finds its own);
    `noise` the page's empty bubbles (fill mode, `sheet_noise`)."""
    if f.mark == "fill":
        states = fill_states(page, f, threshold, blank, noise)
    else:
        states = _cross_group(page, f, threshold, blank)
    marked = [i for i, (s, _, _) in enumerate(states) if s == "marked"]
    confidence = min(c for _, c, _ in states)
    if f.mark == "fill" and len(marked) == 1 and len(states) > 1:
        # (A bubble marked by its sparse dots has its confidence already: its share is < FILL_LINE.)
        # The margin between the chosen bubble and the fullest of the rest.
        rest = max(share for i, (_, _, share) in enumerate(states) if i != marked[0])
        margin = (states[marked[0]][2] - rest) / (FILL_FULL - FILL_EMPTY)
        if states[marked[0]][2] >= FILL_LINE:
            confidence = min(confidence, max(0.0, margin))
    out: dict = {"confidence": confidence, "problem": None, "options": [], "states": states}
    # Marked by faint evidence only (a few dots, a bolder print: what the fill rule sees of the
    # bubble is under FILL_EMPTY): the page may have lost pencil elsewhere too.
    out["faint"] = f.mark == "fill" and any(states[i][2] < FILL_EMPTY for i in marked)
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


def doubt_unanswered_sheet(readings: dict, fields, faint: bool = False) -> None:
    """A sheet of bubbles (three or more fill-mode groups) with no bubble marked anywhere is
    looked at by a person: a black-and-white scan that lost pale pencil is likelier than a
    candidate who answered nothing (the pencil is gone from such a scan, so nothing else tells).
    So is every group with nothing marked on a page where some group was marked only by faint
    evidence (`faint`: scattered dots, a bolder print): the pencil is fading from that scan."""
    groups = [f for f in fields if f.kind == "checkboxes" and f.mark == "fill"]
    if faint:
        for f in groups:
            if "marked" not in readings[f.name].marks:
                readings[f.name].confidence = min(readings[f.name].confidence, UNANSWERED)
        return
    if len(groups) < 3 or any("marked" in readings[f.name].marks for f in groups):
        return
    for f in groups:
        readings[f.name].confidence = min(readings[f.name].confidence, UNANSWERED)

"""Handwriting-like characters, for training the classifier and for filling synthetic cards.

A glyph is drawn from a printed font or OpenCV's single-stroke Hershey fonts, reduced to its
skeleton, bent by a smooth random field (no two strokes alike), then redrawn with a pen of random
width. Digits can also come from scikit-learn's real handwritten digits. Images are uint8 with
ink = 255 on 0, square, `SIZE` pixels.

`glyph(..., rough=True)` writes like the people on real scanned forms rather than a tidy hand:
strongly slanted and narrow letters, a pen whose width changes along the stroke (thin to heavy),
lead-in and lead-out ticks and overshooting joins, a stray dot, and strokes broken by a 1-bit scan
of a thin pen. The Cyrillic letters Latin stroke fonts lack are also built from their strokes
(Г Ғ И Ӣ Я Қ Ҳ), so Tajik letters get the same single-stroke hands as Latin ones. Without `rough`
the draw is exactly the earlier one (synthetic cards and their benchmark stay the same).
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from .classes import HERSHEY_OK, to_class

SIZE = 64
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/opentype/ocr-b",
)
FONT_NAMES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSans-Oblique.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerifCondensed-Italic.ttf",
    "DejaVuSans-ExtraLight.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationSansNarrow-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "LiberationSerif-Italic.ttf",
    "OCRB.otf",
)
HERSHEY = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_PLAIN,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
)


@functools.cache
def available_fonts() -> tuple[str, ...]:
    out = []
    for name in FONT_NAMES:
        for d in FONT_DIRS:
            if (Path(d) / name).is_file():
                out.append(str(Path(d) / name))
                break
    return tuple(out)


def _skeleton(mask: np.ndarray) -> np.ndarray:
    """Zhang–Suen thinning: the centre line of each stroke, one pixel wide and connected."""
    img = (mask > 0).astype(np.uint8)
    while True:
        changed = False
        for step in (0, 1):
            p = np.pad(img, 1)
            # Neighbours P2..P9, clockwise from north.
            n = [
                p[:-2, 1:-1],
                p[:-2, 2:],
                p[1:-1, 2:],
                p[2:, 2:],
                p[2:, 1:-1],
                p[2:, :-2],
                p[1:-1, :-2],
                p[:-2, :-2],
            ]
            b = sum(x.astype(np.int32) for x in n)
            a = sum(((n[i] == 0) & (n[(i + 1) % 8] == 1)).astype(np.int32) for i in range(8))
            if step == 0:
                c1, c2 = n[0] * n[2] * n[4], n[2] * n[4] * n[6]
            else:
                c1, c2 = n[0] * n[2] * n[6], n[0] * n[4] * n[6]
            remove = (img == 1) & (b >= 2) & (b <= 6) & (a == 1) & (c1 == 0) & (c2 == 0)
            if remove.any():
                img[remove] = 0
                changed = True
        if not changed:
            return img * 255


@functools.cache
def _pil_font(font: str):
    from PIL import ImageFont

    return ImageFont.truetype(font, 96)


@functools.cache
def _has_glyph(font: str, ch: str) -> bool:
    """A font without the letter draws nothing or its "missing glyph" box."""
    f = _pil_font(font)
    mask = f.getmask(ch)
    return mask.getbbox() is not None and bytes(mask) != bytes(f.getmask("\U000f0000"))


@functools.cache
def _font_skeleton(font: str, ch: str) -> np.ndarray | None:
    from PIL import Image, ImageDraw

    pil_font = _pil_font(font)
    if not _has_glyph(font, ch):
        return None
    canvas = Image.new("L", (160, 160), 0)
    ImageDraw.Draw(canvas).text((80, 80), ch, fill=255, font=pil_font, anchor="mm")
    mask = (np.asarray(canvas) > 127).astype(np.uint8) * 255
    return _crop_to_ink(_skeleton(mask))


@functools.cache
def _hershey_skeleton(face: int, ch: str, italic: bool) -> np.ndarray:
    canvas = np.zeros((160, 160), np.uint8)
    cv2.putText(
        canvas, ch, (40, 120), face | (cv2.FONT_ITALIC if italic else 0), 3.0, 255, 1, cv2.LINE_8
    )
    return _crop_to_ink(canvas)


@functools.cache
def _sklearn_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits (8×8), read from the file it ships: importing
    sklearn.datasets costs seconds, which synthetic scans do not need to pay."""
    import importlib.util

    spec = importlib.util.find_spec("sklearn")
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    data = np.loadtxt(path, delimiter=",")
    return data[:, :-1].reshape(-1, 8, 8), data[:, -1].astype(int)


def _crop_to_ink(img: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(img)
    return img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _fit(
    stroke: np.ndarray, rng: np.random.Generator, size: int, rough: bool = False
) -> np.ndarray:
    """Place a stroke image on a size×size canvas: random scale, aspect, slant, rotation, offset.
    A rough hand is often much narrower and leans right by up to about 25°."""
    h, w = stroke.shape
    height = size * rng.uniform(0.62, 0.85)
    scale = height / max(h, 1)
    sx = scale * rng.uniform(0.8, 1.15)
    shear = rng.normal(0, 0.12)
    if rough:
        if rng.random() < 0.5:
            sx = scale * rng.uniform(0.45, 0.85)
        if rng.random() < 0.5:
            shear = rng.uniform(0.15, 0.45)
    angle = np.deg2rad(rng.normal(0, 4))
    ca, sa = np.cos(angle), np.sin(angle)
    m = np.array([[ca, -sa], [sa, ca]]) @ np.array([[sx, -shear * scale], [0, scale]])
    centre = np.array([w / 2, h / 2])
    shift = np.array([size / 2, size / 2]) + rng.normal(0, size * 0.03, 2) - m @ centre
    affine = np.hstack([m, shift[:, None]])
    # Thicken before the warp so thin skeleton lines do not break when resampled.
    thick = cv2.dilate(stroke, np.ones((2, 2), np.uint8))
    return cv2.warpAffine(thick, affine, (size, size), flags=cv2.INTER_LINEAR)


def _bend(img: np.ndarray, rng: np.random.Generator, amount: float) -> np.ndarray:
    """A smooth random displacement: the wobble of a hand, not the noise of a scanner."""
    size = img.shape[0]
    coarse = rng.normal(0, amount, (2, 4, 4)).astype(np.float32)
    dx = cv2.resize(coarse[0], (size, size), interpolation=cv2.INTER_CUBIC)
    dy = cv2.resize(coarse[1], (size, size), interpolation=cv2.INTER_CUBIC)
    gx, gy = np.meshgrid(np.arange(size, dtype=np.float32), np.arange(size, dtype=np.float32))
    return cv2.remap(img, gx + dx, gy + dy, cv2.INTER_LINEAR)


def _pen(img: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    line = (img > 60).astype(np.uint8) * 255
    width = max(1, int(round(rng.uniform(0.045, 0.11) * size)))
    out = cv2.dilate(line, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width)))
    return cv2.GaussianBlur(out, (3, 3), 0)


def _variable_pen(
    img: np.ndarray, rng: np.random.Generator, size: int, thin_only: bool = False
) -> np.ndarray:
    """A pen whose width changes along the stroke (pressure, a felt tip on its side): a thin and
    a heavier pen blended by a smooth random field. `thin_only`: a fine pen throughout."""
    line = (img > 60).astype(np.uint8) * 255
    thin = max(1, int(round(rng.uniform(0.02, 0.05) * size)))
    if thin_only:
        out = cv2.dilate(line, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thin, thin)))
        return cv2.GaussianBlur(out, (3, 3), 0)
    heavy = max(thin + 1, int(round(rng.uniform(0.06, 0.12) * size)))
    a = cv2.dilate(line, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (thin, thin)))
    b = cv2.dilate(line, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (heavy, heavy)))
    field = cv2.resize(rng.random((3, 3)).astype(np.float32), (size, size), cv2.INTER_CUBIC)
    out = np.where(field > rng.uniform(0.3, 0.9), b, a)
    return cv2.GaussianBlur(out, (3, 3), 0)


def _endpoints(line: np.ndarray) -> np.ndarray:
    """(y, x) of the skeleton pixels with exactly one neighbour: where strokes start and end."""
    on = (line > 0).astype(np.uint8)
    n = cv2.filter2D(on, -1, np.ones((3, 3), np.float32), borderType=cv2.BORDER_CONSTANT) - on
    return np.argwhere((on == 1) & (n == 1))


def _ticks(img: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """A lead-in or lead-out tick at a stroke's end, or a stroke that overshoots its join: the
    marks of a hand that does not lift the pen exactly."""
    line = (img > 60).astype(np.uint8) * 255
    ends = _endpoints(_skeleton(line))
    if not len(ends):
        return img
    out = img.copy()
    for _ in range(int(rng.integers(1, 3))):
        y, x = ends[rng.integers(len(ends))]
        angle = rng.uniform(0, 2 * np.pi)
        length = size * rng.uniform(0.06, 0.16)
        end = (int(x + length * np.cos(angle)), int(y + length * np.sin(angle)))
        cv2.line(out, (int(x), int(y)), end, 255, 1, cv2.LINE_AA)
    return out


def _breaks(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A thin, light stroke scanned at 1 bit: the threshold cuts its centre line into dashes
    (applied before a fine pen draws it)."""
    size = img.shape[0]
    cells = int(rng.integers(size // 10, size // 5))
    grain = cv2.resize(
        rng.random((cells, cells)).astype(np.float32), (size, size), cv2.INTER_NEAREST
    )
    return np.where(grain > rng.uniform(0.15, 0.35), img, 0).astype(np.uint8)


def _stray_dot(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A dot where the pen touched the paper near the letter."""
    size = img.shape[0]
    out = img.copy()
    ys, xs = np.nonzero(img)
    if not len(ys):
        return out
    y = int(np.clip(rng.normal((ys.min() + ys.max()) / 2, size * 0.25), 2, size - 3))
    x = int(np.clip(rng.normal((xs.min() + xs.max()) / 2, size * 0.25), 2, size - 3))
    cv2.circle(out, (x, y), int(rng.integers(1, 3)), 255, -1)
    return out


# Cyrillic letters drawn from a Latin stroke font's letter: (Latin letter, flip, extra strokes).
# Flip "v" turns the letter upside down, "h" mirrors it. Strokes are ((x0, y0), (x1, y1)) in
# fractions of the letter's box (0,0 top left, 1,1 bottom right), drawn after the flip.
FROM_LATIN = {
    "Г": ("L", "v", ()),
    "Ғ": ("L", "v", (((-0.3, 0.5), (0.45, 0.5)),)),
    "И": ("N", "h", ()),
    "Ӣ": ("N", "h", (((0.25, -0.2), (0.75, -0.2)),)),
    "Я": ("R", "h", ()),
    "Қ": ("K", None, (((0.95, 1.0), (1.1, 1.0)), ((1.1, 1.0), (1.12, 1.25)))),
    "Ҳ": ("X", None, (((0.95, 1.0), (1.1, 1.0)), ((1.1, 1.0), (1.12, 1.25)))),
}


@functools.cache
def _composite_skeleton(face: int, ch: str, italic: bool) -> np.ndarray:
    base, flip, strokes = FROM_LATIN[ch]
    stroke = _hershey_skeleton(face, base, italic)
    if flip == "v":
        stroke = stroke[::-1]
    elif flip == "h":
        stroke = stroke[:, ::-1]
    h, w = stroke.shape
    pad = max(h, w) // 3
    canvas = np.zeros((h + 2 * pad, w + 2 * pad), np.uint8)
    canvas[pad : pad + h, pad : pad + w] = stroke
    for (x0, y0), (x1, y1) in strokes:
        cv2.line(
            canvas,
            (int(pad + x0 * (w - 1)), int(pad + y0 * (h - 1))),
            (int(pad + x1 * (w - 1)), int(pad + y1 * (h - 1))),
            255,
            1,
            cv2.LINE_8,
        )
    return _crop_to_ink(canvas)


@functools.cache
def _fonts_for(ch: str) -> tuple[str, ...]:
    return tuple(f for f in available_fonts() if _has_glyph(f, ch))


def glyph(
    ch: str, rng: np.random.Generator, size: int = SIZE, *, rough: bool = False
) -> np.ndarray:
    """One handwriting-like image of `ch` (digits, Latin or Cyrillic capitals); `rough`: in the
    hands of real scanned forms (see the module's doc)."""
    if rough:
        return _rough_glyph(ch, rng, size)
    choice = rng.random()
    if ch.isdigit() and choice < 0.2:
        images, target = _sklearn_digits()
        picks = np.flatnonzero(target == int(ch))
        small = images[rng.choice(picks)] / 16.0
        img = cv2.resize(
            (small * 255).astype(np.uint8),
            (size * 5 // 8, size * 5 // 8),
            interpolation=cv2.INTER_CUBIC,
        )
        out = np.zeros((size, size), np.uint8)
        o = (size - img.shape[0]) // 2
        out[o : o + img.shape[0], o : o + img.shape[1]] = img
        out = _bend(out, rng, size * 0.02)
        return np.where(out > rng.uniform(90, 150), 255, 0).astype(np.uint8)
    if to_class(ch) in HERSHEY_OK and choice < 0.55:
        face = HERSHEY[rng.integers(len(HERSHEY))]
        stroke = _hershey_skeleton(face, to_class(ch), bool(rng.random() < 0.3))
    else:
        fonts = _fonts_for(ch)
        if not fonts:
            raise ValueError(f"no font can draw {ch!r}")
        stroke = _font_skeleton(fonts[rng.integers(len(fonts))], ch)
    img = _bend(_fit(stroke, rng, size), rng, size * rng.uniform(0.01, 0.035))
    return _pen(img, rng, size)


def _rough_glyph(ch: str, rng: np.random.Generator, size: int) -> np.ndarray:
    choice = rng.random()
    cls = to_class(ch)
    if ch.isdigit() and choice < 0.1:
        return glyph(ch, rng, size)  # scikit-learn's real digits, among the others
    if cls in HERSHEY_OK and choice < 0.6:
        face = HERSHEY[rng.integers(len(HERSHEY))]
        stroke = _hershey_skeleton(face, cls, bool(rng.random() < 0.3))
    elif ch in FROM_LATIN and choice < 0.6:
        face = HERSHEY[rng.integers(len(HERSHEY))]
        stroke = _composite_skeleton(face, ch, bool(rng.random() < 0.3))
    else:
        fonts = _fonts_for(ch)
        if not fonts:
            raise ValueError(f"no font can draw {ch!r}")
        stroke = _font_skeleton(fonts[rng.integers(len(fonts))], ch)
    img = _bend(_fit(stroke, rng, size, rough=True), rng, size * rng.uniform(0.01, 0.045))
    if rng.random() < 0.35:
        img = _ticks(img, rng, size)
    pen = rng.random()
    if pen < 0.25:  # a fine pen, its line sometimes broken by a 1-bit scan
        line = _breaks(img, rng) if rng.random() < 0.5 else img
        img = _variable_pen(line, rng, size, thin_only=True)
    elif pen < 0.7:
        img = _variable_pen(img, rng, size)
    else:
        img = _pen(img, rng, size)
    if rng.random() < 0.2:
        img = _stray_dot(img, rng)
    return img

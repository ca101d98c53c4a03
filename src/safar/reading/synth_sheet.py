"""Synthetic filled answer sheets (templates with `"layout": "sheet"`): bubbles filled by hand in
several inks and pens, scanned at 100–300 dpi or photographed with a phone.

One pen per sheet, as a candidate would use:

- `pencil`: HB pencil, grey and pale, grainy, filled with back-and-forth strokes that leave gaps;
- `ballpoint`: blue ballpoint, scribbled in strokes 0.3 mm wide;
- `gel`: black gel pen, dense;
- `marker`: a heavy black marker, that runs over the bubble's edge.

Each bubble is one of MARKS: `fill` (the intended answer, well filled), `partial` (a third to
two thirds of the bubble filled), `offset` (filled, but slid 0.8–1.3 mm off the bubble), `tick`
(a tick instead of a fill: should be doubtful), `erased` (filled, then rubbed out: a grey smudge
left, and another bubble filled instead), or `empty`. The truth of every bubble comes with the
image, so the benchmark and the tests can score the reader box by box.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from .render import render_pdf
from .synth import Pen, encode, scan
from .template import Field, Rect, Template


@dataclass(frozen=True)
class PenKind:
    colour: tuple[int, int, int]  # BGR
    alpha: tuple[float, float]  # how dark a stroke lays down (drawn per sheet in this range)
    width: float  # stroke width, mm
    scribble: bool  # filled with back-and-forth strokes (else a solid blot)


PENS = {
    "pencil": PenKind((80, 80, 86), (0.5, 0.75), 0.45, True),
    "ballpoint": PenKind((150, 60, 25), (0.8, 0.95), 0.3, True),
    "gel": PenKind((30, 28, 28), (0.9, 1.0), 0.5, False),
    "marker": PenKind((35, 35, 35), (0.95, 1.0), 1.2, False),
}
MARKS = ("fill", "partial", "offset", "tick", "erased", "empty")
CHOSEN = ("fill", "partial", "offset", "tick")  # marks that stand for the candidate's answer
DPIS = (100, 150, 200, 300)
# How a single-answer question is answered, per 1,000 questions.
ONE_WEIGHTS = {"fill": 880, "empty": 30, "partial": 20, "offset": 25, "erased": 25, "tick": 20}


@functools.lru_cache(maxsize=8)
def _blank(source: str, dpi: int, serial: str) -> np.ndarray:
    import pypdfium2 as pdfium

    from .template import load_template

    pdf = pdfium.PdfDocument(render_pdf(load_template(source), [serial]))
    try:
        bgr = pdf[0].render(scale=dpi / 72, rev_byteorder=False).to_numpy()
    finally:
        pdf.close()
    out = np.ascontiguousarray(bgr[..., :3])
    out.flags.writeable = False
    return out


def _composite(img: np.ndarray, alpha: np.ndarray, x0: int, y0: int, colour) -> None:
    """Lay ink of `colour` with coverage `alpha` (float 0..1) at (x0, y0), clipped to the page."""
    h, w = alpha.shape
    ih, iw = img.shape[:2]
    ax0, ay0 = max(0, -x0), max(0, -y0)
    x0c, y0c = max(0, x0), max(0, y0)
    x1c, y1c = min(iw, x0 + w), min(ih, y0 + h)
    if x1c <= x0c or y1c <= y0c:
        return
    a = alpha[ay0 : ay0 + y1c - y0c, ax0 : ax0 + x1c - x0c][..., None]
    region = img[y0c:y1c, x0c:x1c].astype(np.float32)
    region = region * (1 - a) + np.array(colour, np.float32) * a
    img[y0c:y1c, x0c:x1c] = region.astype(np.uint8)


class Hand:
    """One candidate's pen on one sheet at `dpi`."""

    def __init__(self, pen: str, dpi: int, rng: np.random.Generator):
        self.pen, self.spec, self.rng = pen, PENS[pen], rng
        self.p = dpi / 25.4
        self.strength = float(rng.uniform(*self.spec.alpha))

    def _ellipse(self, size: int, c: tuple[float, float], rx: float, ry: float) -> np.ndarray:
        canvas = np.zeros((size, size), np.uint8)
        angle = float(self.rng.uniform(0, 180))
        centre = (int(round(c[0] * 16)), int(round(c[1] * 16)))
        axes = (max(1, int(round(rx * 16))), max(1, int(round(ry * 16))))
        cv2.ellipse(canvas, centre, axes, angle, 0, 360, 255, -1, cv2.LINE_AA, shift=4)
        return canvas.astype(np.float32) / 255

    def _scribble(self, size: int, c, r: float) -> np.ndarray:
        """Back-and-forth strokes across a disc of radius r (px): what a pen fill looks like."""
        canvas = np.zeros((size, size), np.uint8)
        t = max(1, int(round(self.spec.width * self.p * self.rng.uniform(0.8, 1.2))))
        angle = self.rng.uniform(-0.6, 0.6) + (np.pi / 2 if self.rng.random() < 0.5 else 0)
        d = np.array([np.cos(angle), np.sin(angle)])
        n = np.array([-d[1], d[0]])
        spacing = t * self.rng.uniform(0.7, 1.05)
        pts = []
        k = -r
        side = 1
        while k <= r:
            half = np.sqrt(max(r * r - k * k, 0)) * self.rng.uniform(1.0, 1.15)
            pts.append(np.array(c) + n * k + d * half * side)
            side = -side
            k += spacing
        if len(pts) > 1:
            poly = (np.array(pts) * 16).astype(np.int32)
            cv2.polylines(canvas, [poly], False, 255, t, cv2.LINE_AA, shift=4)
        return canvas.astype(np.float32) / 255

    def _grain(self, alpha: np.ndarray) -> np.ndarray:
        """Pencil graphite: a grainy, uneven layer."""
        noise = self.rng.uniform(0.45, 1.0, alpha.shape).astype(np.float32)
        smooth = cv2.GaussianBlur(noise, (0, 0), max(0.5, 0.06 * self.p))
        return alpha * np.clip(smooth * 1.25, 0, 1)

    def bubble(self, img: np.ndarray, box: Rect, mark: str) -> None:
        if mark == "empty":
            return
        p, rng = self.p, self.rng
        r = min(box.w, box.h) / 2 * p
        size = int(4 * r) + 8
        c0: np.ndarray = np.array([size / 2, size / 2]) + rng.normal(0, 0.15 * p, 2)
        colour: tuple[int, int, int] = self.spec.colour
        if mark == "tick":
            canvas = np.zeros((size, size), np.uint8)
            t = max(1, int(round(max(self.spec.width, 0.35) * p)))
            a = c0 + np.array([-0.8, 0.0]) * r + rng.normal(0, 0.1 * r, 2)
            b = c0 + np.array([-0.2, 0.75]) * r + rng.normal(0, 0.1 * r, 2)
            e = c0 + np.array([0.95, -0.95]) * r + rng.normal(0, 0.1 * r, 2)
            poly = (np.array([a, b, e]) * 16).astype(np.int32)
            cv2.polylines(canvas, [poly], False, 255, t, cv2.LINE_AA, shift=4)
            alpha: np.ndarray = canvas.astype(np.float32) / 255 * self.strength
        else:
            grow = 1.0
            if self.pen == "marker":
                grow = rng.uniform(1.08, 1.3)  # a heavy marker runs over the edge
            elif self.spec.scribble:
                grow = rng.uniform(0.92, 1.08)
            else:
                grow = rng.uniform(0.95, 1.12)
            c = c0.copy()
            if mark == "offset":
                ang = rng.uniform(0, 2 * np.pi)
                c += np.array([np.cos(ang), np.sin(ang)]) * rng.uniform(0.8, 1.3) * p
            rx, ry = r * grow * rng.uniform(0.95, 1.05), r * grow * rng.uniform(0.95, 1.05)
            if self.spec.scribble:
                alpha = self._scribble(size, tuple(c), max(rx, ry)) * self._ellipse(
                    size, tuple(c), rx * 1.05, ry * 1.05
                )
            else:
                alpha = self._ellipse(size, tuple(c), rx, ry)
            if mark == "partial":
                share = rng.uniform(0.35, 0.65)
                if rng.random() < 0.5:  # a smaller blob in the middle
                    alpha *= self._ellipse(size, tuple(c), r * np.sqrt(share), r * np.sqrt(share))
                else:  # one side filled, up to a line across the bubble
                    ang = rng.uniform(0, 2 * np.pi)
                    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
                    along = (xx - c[0]) * np.cos(ang) + (yy - c[1]) * np.sin(ang)
                    # the chord that cuts off `share` of a disc, roughly
                    alpha *= (along < r * (2 * share - 1) * 1.1).astype(np.float32)
            alpha = alpha * self.strength
            if mark == "erased":
                # Rubbed out: a faint grey smudge, spread wider than the fill was.
                alpha = cv2.GaussianBlur(alpha, (0, 0), 0.35 * p) * rng.uniform(0.12, 0.28)
                colour = (110, 110, 115)
        if self.pen == "pencil" and mark != "erased":
            alpha = self._grain(alpha)
        x0 = int(round(box.cx * p - size / 2))
        y0 = int(round(box.cy * p - size / 2))
        _composite(img, np.clip(alpha, 0, 1), x0, y0, colour)


def answer(f: Field, choose: str, rng: np.random.Generator) -> list[str]:
    """How each option of a question is marked (one of MARKS per option)."""
    n = len(f.options)
    marks = ["empty"] * n
    if choose == "any":
        for i in range(n):
            if rng.random() < 0.4:
                marks[i] = str(rng.choice(["fill"] * 22 + ["offset", "partial"]))
        return marks
    keys = list(ONE_WEIGHTS)
    w = np.array([ONE_WEIGHTS[k] for k in keys], float)
    kind = keys[rng.choice(len(keys), p=w / w.sum())]
    if f.required and kind == "empty":
        kind = "fill"
    if kind == "empty":
        return marks
    i = int(rng.integers(n))
    if kind == "erased":
        j = int(rng.choice([k for k in range(n) if k != i]))
        marks[j] = "erased"
        kind = "fill"
    marks[i] = kind
    return marks


def choose_of(template: Template, f: Field) -> str:
    """'one', 'at_most_one' or 'any' (SPEC15's `choose`)."""
    return f.choose


def truth_value(template: Template, f: Field, marks: list[str]):
    """The value the candidate meant: an option value, None, or (choose any) a list."""
    chosen = [o.value for o, m in zip(f.options, marks, strict=True) if m in CHOSEN]
    if choose_of(template, f) == "any":
        return chosen
    return chosen[0] if chosen else None


def fill(
    template: Template,
    rng: np.random.Generator,
    dpi: int,
    pen: str,
    number: str = "000001",
    answers: dict[str, list[str]] | None = None,
) -> tuple[np.ndarray, dict]:
    """The blank sheet filled by one candidate at `dpi`; returns the image and the truth.
    `answers` fixes the marks of some fields (one of MARKS per option)."""
    img = _blank(template.source, dpi, number).copy()
    hand = Hand(pen, dpi, rng)
    marks, values = {}, {}
    writer = Pen(PENS[pen].colour, dpi / 25.4, rng)
    for f in template.fields:
        if f.kind != "checkboxes":
            continue
        m = answer(f, choose_of(template, f), rng)
        if "column" in f.extra:  # ID digits: written in the box above and filled, cleanly
            digit = int(rng.integers(len(f.options)))
            m = ["fill" if k == digit else "empty" for k in range(len(f.options))]
            top = f.options[0].box
            writer.char(img, Rect(top.x - 0.25, top.y - 7.5, top.w + 0.5, 6.0), str(digit))
        if answers and f.name in answers:
            m = list(answers[f.name])
        for o, mark in zip(f.options, m, strict=True):
            hand.bubble(img, o.box, mark)
        marks[f.name] = m
        values[f.name] = truth_value(template, f, m)
    return img, {"marks": marks, "values": values}


def synth_sheet(template: Template, rng: np.random.Generator, number: str = "000001", **fixed):
    """One synthetic scan (or phone photo) of a filled sheet and its truth. `fixed` may set dpi,
    pen, rotation (0 or 180), skew (degrees), mode (colour/grey/bw), fmt (png/jpg), photo,
    answers (marks of some fields, as for `fill`)."""
    dpi = int(fixed.get("dpi") or rng.choice(DPIS))
    pen = fixed.get("pen") or str(rng.choice(list(PENS)))
    img, truth = fill(template, rng, dpi, pen, number, fixed.get("answers"))
    photo = bool(fixed.get("photo", False))
    if photo:
        from .photo_synth import photo_jpeg

        info: dict = {}
        # The JPEG the phone uploads (8-12 MP, perspective, light); photo_synth's own draws.
        data = photo_jpeg(img, rng, info=info)
        fw, fh = info["size"]
        corners = np.asarray(info["corners"])
        inside = bool((corners >= 0).all() and (corners[:, 0] <= fw).all())
        inside = inside and bool((corners[:, 1] <= fh).all())
        meta = {"mode": "photo", "fmt": "jpg", "rotation": 0, "skew": 0.0, "in_frame": inside}
    else:
        rotation = int(fixed.get("rotation", 180 if rng.random() < 0.15 else 0))
        skew = float(fixed.get("skew", rng.uniform(-2, 2)))
        mode = fixed.get("mode") or str(rng.choice(["colour", "grey", "grey", "bw"]))
        fmt = fixed.get("fmt") or ("png" if mode == "bw" else str(rng.choice(["jpg", "png"])))
        scanned = scan(img, rng, rotation=rotation, skew=skew, mode=mode)
        data = encode(scanned, fmt, rng)
        meta = {"mode": mode, "fmt": fmt, "rotation": rotation, "skew": round(skew, 2)}
    return {"data": data, "dpi": dpi, "pen": pen, "photo": photo, **meta, **truth}

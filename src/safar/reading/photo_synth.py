"""Synthetic phone photos of a page: what an operator gets when a card is photographed on a table.

`photograph(page_img, rng)` takes a page image (grey or BGR, e.g. a filled card from synth.fill)
and returns the photo as a BGR uint8 array, after a JPEG round trip at the phone's quality:

- the page lies on a table (procedural wood grain, woven fabric, a dark cloth, or a cluttered
  desk with a few objects) and is seen in perspective: tilted up to ~25° out of plane, turned in
  plane, covering 40–85 % of an 8–12 MP frame;
- uneven light: a gradient across the frame, vignetting and a warm or cool tint;
- the shadow of a hand or phone over part of the page (soft edged);
- slight defocus or motion blur, sensor noise (more in the dark), JPEG quality 70–92.

Everything is drawn from `rng`, so the same seed gives the same photo. Keyword arguments fix any
of the choices (tests use them to make photos the reader must refuse: `blur`, `exposure`,
`offset` pushing the page out of the frame, `coverage` too small …). When `info` is a dict, the
page's four corners in the photo (TL, TR, BR, BL of the page image) and the choices are put in it.
`photo_jpeg` returns the JPEG bytes themselves (what the phone would upload).
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["BACKGROUNDS", "photo_jpeg", "photograph", "photograph_table"]

BACKGROUNDS = ("wood", "fabric", "dark", "clutter")


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> np.ndarray:
    """Value noise in 0..1: random values on a coarse grid, resized smoothly to h × w."""
    gh = max(2, int(cells * h / max(h, w)) + 2)
    gw = max(2, int(cells * w / max(h, w)) + 2)
    grid = rng.random((gh, gw), dtype=np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _background(rng: np.random.Generator, h: int, w: int, kind: str) -> np.ndarray:
    """A table surface, BGR float32 0..255, made at a quarter of the size and scaled up."""
    sh, sw = max(8, h // 4), max(8, w // 4)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    if kind == "wood":
        # Grain: rings around a far-away centre, warped by smooth noise, in brown tones.
        ang = rng.uniform(0, np.pi)
        along = xx * np.cos(ang) + yy * np.sin(ang)
        across = -xx * np.sin(ang) + yy * np.cos(ang)
        warp = _smooth_noise(rng, sh, sw, 6) * rng.uniform(20, 60)
        period = rng.uniform(6, 16)
        grain = 0.5 + 0.5 * np.sin((across + warp + 0.02 * along) / period * 2 * np.pi)
        grain = grain**3 * 0.6 + 0.4 * _smooth_noise(rng, sh, sw, 40)
        base = np.array([rng.uniform(25, 60), rng.uniform(50, 95), rng.uniform(85, 150)])
        tone = 0.55 + 0.45 * grain
        img = tone[..., None] * base[None, None, :].astype(np.float32)
    elif kind == "fabric":
        # A weave: two crossing fine sinusoids with thread-to-thread variation.
        period = rng.uniform(2.5, 5)
        weave = (
            0.5 + 0.25 * np.sin(xx / period * 2 * np.pi) + 0.25 * np.sin(yy / period * 2 * np.pi)
        )
        weave = 0.7 * weave + 0.3 * _smooth_noise(rng, sh, sw, 60)
        base = rng.uniform(30, 120, 3)
        img = (0.6 + 0.4 * weave)[..., None] * base[None, None, :].astype(np.float32)
    else:
        base = rng.uniform(15, 55, 3) if kind == "dark" else rng.uniform(40, 110, 3)
        mottle = 0.8 + 0.4 * _smooth_noise(rng, sh, sw, 8)
        img = mottle[..., None] * base[None, None, :].astype(np.float32)
    img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
    if kind == "clutter":
        # A few objects on the desk: pens, a phone, a mug seen from above, coloured folders.
        for _ in range(int(rng.integers(3, 8))):
            colour = tuple(float(c) for c in rng.uniform(0, 200, 3))
            cx, cy = rng.uniform(0, w), rng.uniform(0, h)
            shape = rng.integers(3)
            if shape == 0:  # a pen: a long thin rotated rectangle
                length, width = rng.uniform(0.1, 0.3) * w, rng.uniform(0.006, 0.015) * w
            elif shape == 1:  # a phone or folder
                length, width = rng.uniform(0.08, 0.25) * w, rng.uniform(0.05, 0.15) * w
            else:
                r = rng.uniform(0.03, 0.08) * w
                cv2.circle(img, (int(cx), int(cy)), int(r), colour, -1, cv2.LINE_AA)
                continue
            box = cv2.boxPoints(((cx, cy), (length, width), rng.uniform(0, 180)))
            cv2.fillConvexPoly(img, box.astype(np.int32), colour, cv2.LINE_AA)
    return img


def _page_quad(
    rng: np.random.Generator,
    page_wh: tuple[int, int],
    frame_wh: tuple[int, int],
    *,
    tilt: float,
    turn: float,
    coverage: float,
    offset: tuple[float, float],
) -> np.ndarray:
    """Where the page's corners land in the frame: a pinhole camera looking at a tilted page."""
    pw, ph = page_wh
    fw, fh = frame_wh
    corners = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float64)
    corners -= (pw / 2, ph / 2)
    t = np.radians(turn)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    pts = corners @ rot.T
    pts3 = np.column_stack([pts, np.zeros(4)])
    # Tilt about an axis in the page plane, in a random direction.
    axis_ang = rng.uniform(0, np.pi)
    axis = np.array([np.cos(axis_ang), np.sin(axis_ang), 0.0])
    a = np.radians(tilt)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    r3 = np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * (k @ k)
    pts3 = pts3 @ r3.T
    # The phone's wide lens: focal length ~ the frame's diagonal; distance sets the perspective.
    dist = max(pw, ph) * rng.uniform(1.1, 1.6)
    proj = pts3[:, :2] / (dist + pts3[:, 2:3]) * dist
    # Scale so the page covers `coverage` of the frame, then place it.
    area = cv2.contourArea(proj.astype(np.float32))
    proj *= np.sqrt(coverage * fw * fh / max(area, 1.0))
    # Whoever takes the photo keeps the whole page in it, with a little table around it
    # (2 % of the frame): a page that would not fit is made smaller.
    frame = np.array([fw, fh], np.float64)
    span = proj.max(axis=0) - proj.min(axis=0)
    proj *= min(1.0, float(np.min(0.96 * frame / span)))
    lo, hi = proj.min(axis=0), proj.max(axis=0)
    room = 0.96 * frame - (hi - lo)
    # offset ±1 puts the page at the 2 % margin; beyond it, part of the page leaves the frame.
    off = np.asarray(offset, np.float64)
    pos = 0.02 * frame - lo + room * (0.5 + 0.5 * np.clip(off, -1, 1))
    pos += np.sign(off) * np.maximum(np.abs(off) - 1, 0) * (hi - lo)  # 1.3: 30 % of it out
    return (proj + pos).astype(np.float32)


def _light(rng: np.random.Generator, h: int, w: int, exposure: float) -> np.ndarray:
    """Gain field (float32, h × w): a gradient across the frame times vignetting."""
    sh, sw = max(8, h // 16), max(8, w // 16)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    xx /= sw
    yy /= sh
    ang = rng.uniform(0, 2 * np.pi)
    grad = (xx - 0.5) * np.cos(ang) + (yy - 0.5) * np.sin(ang)
    gain = 1.0 + grad * rng.uniform(0.2, 0.6)
    r2 = ((xx - 0.5) ** 2 + (yy - 0.5) ** 2) / 0.5
    gain *= 1.0 - rng.uniform(0.15, 0.4) * r2
    gain *= exposure
    return cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR)


def _shadow(rng: np.random.Generator, h: int, w: int, quad: np.ndarray, depth: float):
    """Soft shadow of a hand or a phone reaching over the page from one of the frame's edges."""
    sh, sw = max(8, h // 8), max(8, w // 8)
    mask = np.zeros((sh, sw), np.float32)
    q = quad / 8
    centre = q.mean(axis=0)
    # A point on the page where the shadow ends (fingertips / the phone's edge).
    tip = centre + (q[rng.integers(4)] - centre) * rng.uniform(0.2, 0.8)
    side = rng.integers(4)
    start = {
        0: (rng.uniform(0, sw), -sh * 0.2),
        1: (sw * 1.2, rng.uniform(0, sh)),
        2: (rng.uniform(0, sw), sh * 1.2),
        3: (-sw * 0.2, rng.uniform(0, sh)),
    }[int(side)]
    width = rng.uniform(0.12, 0.3) * min(sw, sh)
    d = np.array(tip) - np.array(start)
    n = np.array([-d[1], d[0]]) / (np.linalg.norm(d) + 1e-6) * width / 2
    arm = np.array([start + n * 1.3, start - n * 1.3, tip - n, tip + n], np.float32)
    cv2.fillConvexPoly(mask, arm.astype(np.int32), 1.0, cv2.LINE_AA)
    cv2.circle(mask, (int(tip[0]), int(tip[1])), int(width * 0.6), 1.0, -1, cv2.LINE_AA)
    soft = rng.uniform(0.02, 0.06) * max(sw, sh)
    shade = 1.0 - depth * cv2.GaussianBlur(mask, (0, 0), soft)
    return cv2.resize(shade, (w, h), interpolation=cv2.INTER_LINEAR)


def _blur(img: np.ndarray, rng: np.random.Generator, kind: str, amount: float) -> np.ndarray:
    if amount <= 0:
        return img
    if kind == "motion":
        length = max(2, int(round(amount * 2.5)))
        kernel = np.zeros((length * 2 + 1, length * 2 + 1), np.float32)
        ang = rng.uniform(0, np.pi)
        c = length
        p0 = (int(round(c - np.cos(ang) * length / 2)), int(round(c - np.sin(ang) * length / 2)))
        p1 = (int(round(c + np.cos(ang) * length / 2)), int(round(c + np.sin(ang) * length / 2)))
        cv2.line(kernel, p0, p1, 1.0, 1, cv2.LINE_AA)
        kernel /= kernel.sum()
        return cv2.filter2D(img, -1, kernel)
    return cv2.GaussianBlur(img, (0, 0), amount)


def _render(page_img: np.ndarray, rng: np.random.Generator, kw: dict, info: dict | None):
    page = page_img
    if page.ndim == 2:
        page = cv2.cvtColor(page, cv2.COLOR_GRAY2BGR)
    elif page.shape[2] == 4:
        page = cv2.cvtColor(page, cv2.COLOR_BGRA2BGR)
    ph, pw = page.shape[:2]
    mp = float(kw.get("megapixels") or rng.uniform(8, 12))
    # A 4:3 sensor held the way the page lies (mostly), sometimes the other way.
    landscape = (pw >= ph) != (rng.random() < 0.2)
    long_side = int(round(np.sqrt(mp * 1e6 * 4 / 3)))
    short_side = int(round(long_side * 3 / 4))
    fw, fh = (long_side, short_side) if landscape else (short_side, long_side)
    tilt = float(kw.get("tilt", rng.uniform(0, 25)))
    turn = float(kw.get("turn", rng.uniform(-12, 12) + 90 * int(rng.choice([0, 0, 0, 1, 2, 3]))))
    coverage = float(kw.get("coverage", rng.uniform(0.4, 0.85)))
    offset = kw.get("offset", tuple(rng.uniform(-0.8, 0.8, 2)))
    quad = _page_quad(
        rng, (pw, ph), (fw, fh), tilt=tilt, turn=turn, coverage=coverage, offset=offset
    )
    background = kw.get("background") or str(rng.choice(BACKGROUNDS))
    frame = _background(rng, fh, fw, background)
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    hom = cv2.getPerspectiveTransform(src, quad)
    # Paper is not pure white under room light: scale it a little below the camera's white.
    warped = cv2.warpPerspective(
        page, hom, (fw, fh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT
    ).astype(np.float32)
    mask = np.zeros((fh, fw), np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad * 16).astype(np.int32), 255, cv2.LINE_AA, shift=4)
    alpha = cv2.GaussianBlur(mask, (0, 0), 0.7).astype(np.float32) / 255
    warped *= float(kw.get("paper", rng.uniform(0.86, 0.97)))
    frame *= 1 - alpha[..., None]
    frame += warped * alpha[..., None]
    del warped
    exposure = float(kw.get("exposure", rng.uniform(0.8, 1.1)))
    gain = _light(rng, fh, fw, exposure)
    shadow = kw.get("shadow", rng.random() < 0.8)
    depth = 0.0
    if shadow:
        depth = float(shadow) if not isinstance(shadow, bool) else float(rng.uniform(0.25, 0.55))
        gain *= _shadow(rng, fh, fw, quad, depth)
    tint = np.array([rng.uniform(0.85, 1.0), rng.uniform(0.95, 1.0), rng.uniform(0.95, 1.05)])
    frame *= gain[..., None]
    frame *= tint.astype(np.float32)
    del gain
    blur_kind = kw.get("blur_kind") or ("motion" if rng.random() < 0.3 else "defocus")
    blur = float(kw.get("blur", rng.uniform(0.4, 1.4)))
    frame = _blur(frame, rng, blur_kind, blur)
    # Sensor noise: shot noise grows with the signal, read noise is constant; the camera's
    # processing has smoothed it a little (noise is made at half size and scaled up).
    half = rng.standard_normal((fh // 2, fw // 2), dtype=np.float32)
    noise = cv2.resize(half, (fw, fh), interpolation=cv2.INTER_LINEAR)
    level = float(kw.get("noise", rng.uniform(1.5, 4.0)))
    sigma = level + np.sqrt(np.maximum(frame[..., 1], 0)) * (level / 8)
    frame += (noise * sigma)[..., None]
    del noise, sigma
    photo = np.clip(frame, 0, 255, out=frame).astype(np.uint8)
    quality = int(kw.get("quality", rng.integers(70, 93)))
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    if info is not None:
        info.update(
            corners=quad,
            size=(fw, fh),
            tilt=round(tilt, 1),
            turn=round(turn, 1),
            coverage=round(coverage, 3),
            background=background,
            shadow=round(depth, 2),
            blur=(blur_kind, round(blur, 2)),
            exposure=round(exposure, 2),
            quality=quality,
        )
    return data.tobytes()


def photo_jpeg(page_img: np.ndarray, rng: np.random.Generator, **kw) -> bytes:
    """The phone photo of `page_img` as JPEG bytes (see `photograph` for the keywords)."""
    info = kw.pop("info", None)
    return _render(page_img, rng, kw, info)


def photograph(page_img: np.ndarray, rng: np.random.Generator, **kw) -> np.ndarray:
    """A realistic phone photo of `page_img` (grey or BGR), as a BGR uint8 array.

    Keywords (each drawn from `rng` when not given): megapixels (8–12), tilt (degrees out of
    plane, 0–25), turn (degrees in plane), coverage (share of the frame the page covers,
    0.4–0.85), offset ((x, y) in -1..1: where the page sits in the free room; 1.3 puts 30 % of
    the page out of the frame on that side), background (one of BACKGROUNDS), exposure (0.8–1.1; lower is darker),
    shadow (False, True or its depth 0..1), blur (px, 0.4–1.4), blur_kind ("defocus" or
    "motion"), noise, paper (the paper's brightness, 0.86–0.97), quality (JPEG, 70–92),
    info (a dict that receives the page's corners in the photo and the choices made).
    """
    info = kw.pop("info", None)
    data = _render(page_img, rng, kw, info)
    photo = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert photo is not None
    return photo


def photograph_table(rng: np.random.Generator, **kw) -> np.ndarray:
    """A photo of the table alone (no page in it), for the reader's "no page found" refusal."""
    mp = float(kw.get("megapixels") or rng.uniform(8, 12))
    long_side = int(round(np.sqrt(mp * 1e6 * 4 / 3)))
    fw, fh = long_side, int(round(long_side * 3 / 4))
    frame = _background(rng, fh, fw, kw.get("background") or str(rng.choice(BACKGROUNDS)))
    frame *= _light(rng, fh, fw, float(kw.get("exposure", rng.uniform(0.8, 1.1))))[..., None]
    photo = np.clip(frame, 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    out = cv2.imdecode(data, cv2.IMREAD_COLOR)
    assert out is not None
    return out

"""From a horizontal MRZ band to per-character crops.

The band (about 1000 px wide) is split into text lines; each line is straightened on its own
(which absorbs mild perspective) and cut into a fixed-pitch grid of 30, 36 or 44 cells: OCR-B in
an MRZ is monospaced, so the grid is fitted once per line by placing the cell boundaries in the
gaps of the column ink profile, and never depends on characters being separable.
"""

from dataclasses import dataclass

import cv2
import numpy as np

CELL = 20  # each character crop is resampled to CELL × CELL pixels
FEATURES = CELL * CELL


@dataclass
class Line:
    center: tuple[float, float]
    size: tuple[float, float]  # (length, height)
    angle: float


def ink_image(grey: np.ndarray, char_px: int) -> np.ndarray:
    """Dark strokes as bright values on black: a black-hat removes paper, guilloches and shading."""
    k = max(3, int(char_px * 1.2)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    return cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel)


def find_lines(ink: np.ndarray, char_px: int) -> list[Line]:
    """Long text lines in the band, top to bottom."""
    _, mask = cv2.threshold(ink, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(
        mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (char_px * 3 // 2, 1))
    )
    mask = cv2.morphologyEx(
        mask,
        cv2.MORPH_OPEN,
        cv2.getStructuringElement(cv2.MORPH_RECT, (char_px * 2, max(2, char_px // 3))),
    )
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    lines = []
    for points in _join_pieces(contours, char_px):
        (cx, cy), (w, h), angle = cv2.minAreaRect(points)
        if h > w:
            w, h, angle = h, w, angle - 90
        angle = (angle + 90) % 180 - 90
        if abs(angle) > 12 or h < char_px * 0.4 or h > char_px * 2.5:
            continue
        lines.append(Line((cx, cy), (w, h), angle))
    if not lines:
        return []
    longest = max(line.size[0] for line in lines)
    lines = [line for line in lines if line.size[0] >= 0.6 * longest]
    return sorted(lines, key=lambda line: line.center[1])


def _join_pieces(contours, char_px: int) -> list[np.ndarray]:
    """Pieces of one line (split at a wide gap) joined: contours whose centres share a row."""
    pieces = sorted(((cv2.boundingRect(c), c) for c in contours), key=lambda p: p[0])
    rows: list[tuple[float, list[np.ndarray]]] = []
    for (_x, y, _w, h), contour in pieces:
        if h > char_px * 2.5:  # a photo or a block of text, not a line
            continue
        cy = y + h / 2
        for i, (row_y, members) in enumerate(rows):
            if abs(row_y - cy) < 0.5 * char_px:
                members.append(contour)
                rows[i] = ((row_y * (len(members) - 1) + cy) / len(members), members)
                break
        else:
            rows.append((cy, [contour]))
    return [np.concatenate(members) for _, members in rows]


def line_strip(ink: np.ndarray, line: Line, char_px: int) -> np.ndarray:
    """The line straightened, with a margin, as float32 in [0, 1]."""
    length, height = line.size
    out_w = round(length + 2 * char_px)
    out_h = round(max(height, char_px) + char_px)
    m = cv2.getRotationMatrix2D(line.center, line.angle, 1.0)
    m[0, 2] += out_w / 2 - line.center[0]
    m[1, 2] += out_h / 2 - line.center[1]
    strip = cv2.warpAffine(ink, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0)
    strip = strip.astype(np.float32)
    hi = float(np.percentile(strip[::2, ::2], 97)) or 1.0
    return np.minimum(strip * (1.0 / hi), 1.0)


def _rows(strip: np.ndarray) -> tuple[int, int]:
    """Top and bottom rows of the characters (not of a stray mark above or below)."""
    profile = strip.mean(axis=1)
    on = np.flatnonzero(profile > 0.25 * profile.max())
    return int(on[0]), int(on[-1]) + 1


def fit_grid(strip: np.ndarray, n: int, *, margin: int = 0) -> tuple[np.ndarray, float]:
    """Cell boundaries (n + 1 x positions) for n equal-pitch characters, and the fit's cost.

    The cost of a grid is the ink on its inner boundaries (they belong in the gaps) plus the ink
    left outside it (every character is inside). Faint fillers at a line's end cannot shrink the
    grid, since the outside term would pay for them. `margin` is the blank border `line_strip`
    added around the line's box: ink well beyond it is background, not characters.
    """
    top, bottom = _rows(strip)
    cols = strip[top:bottom].mean(axis=0)
    cols = np.convolve(cols, np.ones(3) / 3, mode="same")
    floor = float(np.percentile(cols, 10))
    cols = np.maximum(cols - floor, 0)
    if margin:
        keep = int(margin * 0.6)
        cols[:keep] = 0
        cols[len(cols) - keep :] = 0
    peak = float(cols.max()) or 1.0
    on = np.flatnonzero(cols > 0.2 * float(np.percentile(cols, 75)))
    if margin:
        on = _main_run(on, max_gap=0.8 * margin)
        # A frame rule or an arrow beside the line is not a character: leave it out entirely.
        cols[: max(int(on[0]) - margin // 3, 0)] = 0
        cols[int(on[-1]) + 1 + margin // 3 :] = 0
    left, right = float(on[0]), float(on[-1] + 1)
    cum = np.concatenate([[0.0], np.cumsum(cols)])
    xs = np.arange(len(cols), dtype=np.float64)
    base = (right - left) / (n - 0.3)
    best = (np.inf, base, left)
    for pitch in np.linspace(0.92 * base, 1.08 * base, 49):
        x0s = np.arange(left - 0.8 * pitch, left + 0.5 * pitch, pitch / 12)
        bounds = x0s[:, None] + pitch * np.arange(1, n)[None, :]
        inner = np.interp(bounds, xs, cols).mean(axis=1)
        ends = np.clip(np.stack([x0s, x0s + n * pitch], axis=1), 0, len(cols))
        inside = np.interp(ends[:, 1], np.arange(len(cum)), cum) - np.interp(
            ends[:, 0], np.arange(len(cum)), cum
        )
        outside = (cum[-1] - inside) / pitch
        cost = (inner + outside) / peak
        i = int(np.argmin(cost))
        if cost[i] < best[0]:
            best = (float(cost[i]), float(pitch), float(x0s[i]))
    cost, pitch, x0 = best
    return x0 + pitch * np.arange(n + 1), cost


def _main_run(on: np.ndarray, *, max_gap: float) -> np.ndarray:
    """The longest cluster of inked columns: MRZ lines have no gaps wider than a character."""
    breaks = np.flatnonzero(np.diff(on) > max_gap)
    runs = np.split(on, breaks + 1)
    return max(runs, key=lambda run: run[-1] - run[0])


def cell_features(strip: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """One CELL×CELL crop per grid cell, flattened: rows are characters, columns are features."""
    top, bottom = _rows(strip)
    height = bottom - top
    pad_y = 0.15 * height
    y0, y1 = top - pad_y, bottom + pad_y
    feats = np.empty((len(bounds) - 1, FEATURES), np.float32)
    for i in range(len(bounds) - 1):
        pitch = bounds[i + 1] - bounds[i]
        x0, x1 = bounds[i] - 0.1 * pitch, bounds[i + 1] + 0.1 * pitch
        # An affine map from the cell's rectangle to CELL×CELL keeps sub-pixel placement.
        sx, sy = CELL / (x1 - x0), CELL / (y1 - y0)
        m = np.float32([[sx, 0, -x0 * sx], [0, sy, -y0 * sy]])
        interp = cv2.INTER_AREA if sx < 1 else cv2.INTER_LINEAR
        cell = cv2.warpAffine(strip, m, (CELL, CELL), flags=interp, borderValue=0)
        feats[i] = cell.ravel()
    return feats

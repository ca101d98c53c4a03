"""Reading one character per box: ink extraction, normalisation, features and the classifier.

The classifier is a small multi-layer perceptron over gradient-orientation histograms and a
coarse pixel grid, run in NumPy from weights in models/characters.npz (trained by
scripts/train_characters.py or `safar retrain-characters`). Each field allows only its charset, so
probabilities are renormalised over those classes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .classes import CHARSET_CLASSES, CLASSES

MODEL_PATH = Path(__file__).resolve().parent / "models" / "characters.npz"
NORM = 28  # normalised glyph size
INNER = 20  # the glyph's longer side inside the normalised square


def ink_mask(crop: np.ndarray, threshold: float) -> np.ndarray:
    """Dark pixels of a box interior, without box-line remnants along the edges or specks."""
    mask = (crop < threshold).astype(np.uint8)
    h, w = mask.shape
    # A printed box line that misalignment pushed into the crop runs along an edge: clear it.
    for rows in (slice(0, 3), slice(h - 3, h)):
        band = mask[rows]
        full = band.mean(axis=1) > 0.55
        band[full] = 0
    for cols in (slice(0, 3), slice(w - 3, w)):
        band = mask[:, cols]
        full = band.mean(axis=0) > 0.55
        band[:, full] = 0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = max(4, h * w // 250)
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return keep[labels]


def normalise(mask: np.ndarray) -> np.ndarray | None:
    """The ink scaled into a NORM×NORM square (longer side INNER px), centred; None if blank."""
    ys, xs = np.nonzero(mask)
    if len(ys) == 0:
        return None
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    ink = mask[y0:y1, x0:x1].astype(np.float32)
    h, w = ink.shape
    scale = INNER / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(ink, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((NORM, NORM), np.float32)
    oy, ox = (NORM - nh) // 2, (NORM - nw) // 2
    out[oy:oy + nh, ox:ox + nw] = small
    return out


def _hog(glyphs: np.ndarray, mag: np.ndarray, lo: np.ndarray, frac: np.ndarray,
         cells: int) -> np.ndarray:
    """Orientation histograms (9 unsigned bins) over a cells×cells grid, soft-binned."""
    n = len(glyphs)
    size = NORM // cells * cells
    c = size // cells
    shape = (n, cells, c, cells, c)
    mag_c = mag[:, :size, :size].reshape(shape)
    lo_c = lo[:, :size, :size].reshape(shape)
    frac_c = frac[:, :size, :size].reshape(shape)
    hog = np.zeros((n, cells, cells, 9), np.float32)
    for b in range(9):
        w_lo = np.where(lo_c == b, (1 - frac_c) * mag_c, 0).sum(axis=(2, 4))
        w_hi = np.where((lo_c + 1) % 9 == b, frac_c * mag_c, 0).sum(axis=(2, 4))
        hog[..., b] = w_lo + w_hi
    hog = np.sqrt(hog.reshape(n, -1))
    return hog / (np.linalg.norm(hog, axis=1, keepdims=True) + 1e-6)


def features(glyphs: np.ndarray, aspects: np.ndarray, hog_cells=(4,)) -> np.ndarray:
    """N×NORM×NORM normalised glyphs (+ their height/width) → N×F feature rows."""
    n = len(glyphs)
    gx = np.zeros_like(glyphs)
    gy = np.zeros_like(glyphs)
    gx[:, :, 1:-1] = glyphs[:, :, 2:] - glyphs[:, :, :-2]
    gy[:, 1:-1, :] = glyphs[:, 2:, :] - glyphs[:, :-2, :]
    mag = np.sqrt(gx * gx + gy * gy)
    ang = (np.arctan2(gy, gx) % np.pi) / np.pi * 9  # unsigned orientation in 9 bins
    lo = np.floor(ang).astype(np.int64) % 9
    frac = ang - np.floor(ang)
    hogs = [_hog(glyphs, mag, lo, frac, cells) * 3 for cells in hog_cells]
    grid = glyphs.reshape(n, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(n, -1)
    extra = np.stack([np.log(np.clip(aspects, 0.1, 10)) / 2, glyphs.mean(axis=(1, 2))], axis=1)
    return np.hstack([*hogs, grid, extra]).astype(np.float32)


def prepare(masks: list[np.ndarray], hog_cells=(4,)) -> tuple[np.ndarray, list[int]]:
    """Feature rows for the non-blank masks, and the indexes they came from."""
    glyphs, aspects, index = [], [], []
    for i, m in enumerate(masks):
        g = normalise(m)
        if g is None:
            continue
        ys, xs = np.nonzero(m)
        glyphs.append(g)
        aspects.append((np.ptp(ys) + 1) / (np.ptp(xs) + 1))
        index.append(i)
    if not glyphs:
        return np.zeros((0, 1), np.float32), []
    return features(np.stack(glyphs), np.array(aspects, np.float32), hog_cells), index


@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[tuple[np.ndarray, np.ndarray], ...]
    classes: str
    hog_cells: tuple[int, ...] = (4,)  # the feature layout the model was trained with

    def probabilities(self, x: np.ndarray, charset: str) -> tuple[np.ndarray, str]:
        """Class probabilities over the charset's classes only (rows sum to 1)."""
        allowed = CHARSET_CLASSES[charset]
        h = (x - self.mean) / self.scale
        for i, (w, b) in enumerate(self.weights):
            h = h @ w + b
            if i < len(self.weights) - 1:
                np.maximum(h, 0, out=h)
        cols = [self.classes.index(c) for c in allowed]
        logits = h[:, cols]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return p / p.sum(axis=1, keepdims=True), allowed


def save_model(path: Path, *, mean, scale, weights, classes: str = CLASSES,
               hog_cells=(4,)) -> None:
    arrays = {"mean": mean, "scale": scale, "classes": np.array(list(classes)),
              "hog_cells": np.array(hog_cells)}
    for i, (w, b) in enumerate(weights):
        arrays[f"w{i}"], arrays[f"b{i}"] = w.astype(np.float32), b.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


@functools.cache
def load_model(path: Path = MODEL_PATH) -> Model:
    data = np.load(path, allow_pickle=False)
    layers, i = [], 0
    while f"w{i}" in data:
        layers.append((data[f"w{i}"], data[f"b{i}"]))
        i += 1
    return Model(mean=data["mean"].astype(np.float32), scale=data["scale"].astype(np.float32),
                 weights=tuple(layers), classes="".join(data["classes"].tolist()),
                 hog_cells=tuple(int(c) for c in data["hog_cells"]) if "hog_cells" in data
                 else (4,))

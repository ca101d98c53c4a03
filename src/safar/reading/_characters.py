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


def features(glyphs: np.ndarray, aspects: np.ndarray) -> np.ndarray:
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
    hog = np.zeros((n, 4, 4, 9), np.float32)
    cell = NORM // 4
    mag_c = mag.reshape(n, 4, cell, 4, cell)
    lo_c = lo.reshape(n, 4, cell, 4, cell)
    frac_c = frac.reshape(n, 4, cell, 4, cell)
    for b in range(9):
        w_lo = np.where(lo_c == b, (1 - frac_c) * mag_c, 0).sum(axis=(2, 4))
        w_hi = np.where((lo_c + 1) % 9 == b, frac_c * mag_c, 0).sum(axis=(2, 4))
        hog[..., b] = w_lo + w_hi
    hog = np.sqrt(hog.reshape(n, -1))
    hog /= np.linalg.norm(hog, axis=1, keepdims=True) + 1e-6
    grid = glyphs.reshape(n, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(n, -1)
    extra = np.stack([np.log(np.clip(aspects, 0.1, 10)) / 2, glyphs.mean(axis=(1, 2))], axis=1)
    return np.hstack([hog * 3, grid, extra]).astype(np.float32)


def prepare(masks: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
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
    return features(np.stack(glyphs), np.array(aspects, np.float32)), index


@dataclass(frozen=True)
class Model:
    mean: np.ndarray
    scale: np.ndarray
    weights: tuple[tuple[np.ndarray, np.ndarray], ...]
    classes: str

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


def save_model(path: Path, *, mean, scale, weights, classes: str = CLASSES) -> None:
    arrays = {"mean": mean, "scale": scale, "classes": np.array(list(classes))}
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
                 weights=tuple(layers), classes="".join(data["classes"].tolist()))

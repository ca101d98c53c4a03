"""Reading one character per box: ink extraction, normalisation, features and the classifier.

The classifier is a small convolutional network over the normalised glyph, run in NumPy from the
weights in models/characters.npz (trained with JAX by scripts/train_characters.py or
`safar retrain-characters`; see training.py). Each field allows only its charset, so
probabilities are renormalised over those classes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .classes import CHARSET_CLASSES

MODEL_PATH = Path(__file__).resolve().parent / "models" / "characters.npz"
# Optional: networks for the boxes that allow letters only (see _boxes.letters_model).
LETTERS_MODEL_PATH = MODEL_PATH.with_name("characters-letters.npz")
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
    out[oy : oy + nh, ox : ox + nw] = small
    return out


def glyph_inputs(masks: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Network inputs for the non-blank masks: N×NORM×NORM glyphs, N×2 extras (the ink's
    height/width ratio, which normalisation hides, and its coverage), and the masks' indexes."""
    glyphs, extras, index = [], [], []
    for i, m in enumerate(masks):
        g = normalise(m)
        if g is None:
            continue
        ys, xs = np.nonzero(m)
        aspect = (np.ptp(ys) + 1) / (np.ptp(xs) + 1)
        glyphs.append(g)
        extras.append((np.log(np.clip(aspect, 0.1, 10)) / 2, float(g.mean()) * 4))
        index.append(i)
    if not glyphs:
        return np.zeros((0, NORM, NORM), np.float32), np.zeros((0, 2), np.float32), []
    return np.stack(glyphs), np.array(extras, np.float32), index


def _conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """'Same' 3×3 convolution (cross-correlation, as in training) + ReLU; x N×H×W×C, w 3×3×C×K."""
    n, h, wd, c = x.shape
    p = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cols = np.empty((n, h, wd, 3, 3, c), np.float32)
    for dy in range(3):
        for dx in range(3):
            cols[:, :, :, dy, dx, :] = p[:, dy : dy + h, dx : dx + wd, :]
    out = cols.reshape(n * h * wd, 9 * c) @ w.reshape(9 * c, -1) + b
    return np.maximum(out, 0).reshape(n, h, wd, -1)


def _pool2(x: np.ndarray) -> np.ndarray:
    n, h, w, c = x.shape
    return x[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


@dataclass(frozen=True)
class Model:
    """A small convolutional network: two 3×3 convolutions with 2×2 max-pooling, one more 3×3
    convolution, a dense hidden layer that also sees the extras, and one logit per class.
    Logits are divided by `temperature`, fitted on held-out data so probabilities are calibrated."""

    convs: tuple[tuple[np.ndarray, np.ndarray], ...]
    dense: tuple[tuple[np.ndarray, np.ndarray], ...]
    classes: str
    temperature: float = 1.0

    def logits(self, glyphs: np.ndarray, extras: np.ndarray) -> np.ndarray:
        h = glyphs[..., None].astype(np.float32)
        for i, (w, b) in enumerate(self.convs):
            h = _conv3x3(h, w, b)
            if i < 2:
                h = _pool2(h)
        h = np.hstack([h.reshape(len(h), -1), extras])
        for i, (w, b) in enumerate(self.dense):
            h = h @ w + b
            if i < len(self.dense) - 1:
                np.maximum(h, 0, out=h)
        return h / self.temperature


@dataclass(frozen=True)
class Ensemble:
    """Networks trained alike from different seeds (and different draws of the synthetic data),
    whose probabilities are averaged: their mistakes differ, so a glyph they disagree on comes
    out doubtful and one they agree on is surer than any one network could say."""

    members: tuple[Model, ...]

    @property
    def classes(self) -> str:
        return self.members[0].classes

    def logits_of_masks(self, masks: list[np.ndarray]) -> tuple[np.ndarray, list[int]]:
        """members × non-blank masks × classes, and the masks' indexes (inputs made once)."""
        glyphs, extras, index = glyph_inputs(masks)
        if not index:
            return np.zeros((len(self.members), 0, len(self.classes)), np.float32), index
        # In batches of 512 glyphs, to bound the memory of the convolutions.
        return np.stack(
            [
                np.vstack(
                    [
                        m.logits(glyphs[i : i + 512], extras[i : i + 512])
                        for i in range(0, len(index), 512)
                    ]
                )
                for m in self.members
            ]
        ), index

    def probabilities(self, masks: list[np.ndarray], charset: str) -> tuple[np.ndarray, str]:
        """Class probabilities over the charset's classes only (rows sum to 1), averaged over the
        members, for the non-blank masks."""
        allowed = CHARSET_CLASSES[charset]
        z, _ = self.logits_of_masks(masks)
        return members_mean(z[:, :, [self.classes.index(c) for c in allowed]]), allowed


def members_mean(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (classes), averaged over the first (ensemble members)."""
    p = np.exp(z - z.max(axis=-1, keepdims=True))
    return (p / p.sum(axis=-1, keepdims=True)).mean(axis=0)


def save_model(path: Path, model: Model | Ensemble) -> None:
    """One network, or each member of an ensemble under its own key prefix (m0_, m1_, …)."""
    members = model.members if isinstance(model, Ensemble) else (model,)
    arrays = {"classes": np.array(list(members[0].classes))}
    for k, m in enumerate(members):
        prefix = f"m{k}_" if len(members) > 1 else ""
        arrays[f"{prefix}temperature"] = np.array(m.temperature, np.float32)
        for kind, layers in (("conv", m.convs), ("dense", m.dense)):
            for i, (w, b) in enumerate(layers):
                arrays[f"{prefix}{kind}{i}_w"], arrays[f"{prefix}{kind}{i}_b"] = (
                    np.asarray(w, np.float32),
                    np.asarray(b, np.float32),
                )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def _layers(data, kind: str, prefix: str) -> tuple:
    out, i = [], 0
    while f"{prefix}{kind}{i}_w" in data:
        out.append((data[f"{prefix}{kind}{i}_w"], data[f"{prefix}{kind}{i}_b"]))
        i += 1
    return tuple(out)


@functools.cache
def load_model(path: Path = MODEL_PATH) -> Ensemble:
    """The classifier in `path`: an ensemble (a file holding one network is one of one)."""
    data = np.load(path, allow_pickle=False)
    classes = "".join(data["classes"].tolist())
    prefixes = (
        [""]
        if "temperature" in data
        else sorted(
            (k[: -len("temperature")] for k in data if k.endswith("temperature")),
            key=lambda p: int(p[1:-1]),
        )
    )
    return Ensemble(
        tuple(
            Model(
                convs=_layers(data, "conv", p),
                dense=_layers(data, "dense", p),
                classes=classes,
                temperature=float(data[f"{p}temperature"]),
            )
            for p in prefixes
        )
    )

"""Training data and training for the box classifier (used by scripts/train_characters.py and
`safar retrain-characters`).

Synthetic samples go through the reader's own path: a handwriting-like glyph is placed in a box
crop as the reader cuts it from an aligned page (8 px/mm), degraded like a scan, thresholded and
normalised by the same functions the reader uses. Confirmed samples are operators' corrections:
DATA_DIR/training/characters/<character>/<anything>.png, each the grey crop of one box.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ._characters import MODEL_PATH, ink_mask, prepare, save_model
from ._glyphs import glyph
from .classes import CLASSES, to_class

BOX_W, BOX_H = 34, 43  # a 5.3 × 6.5 mm box interior at the reader's 8 px/mm


def crop_threshold(crop: np.ndarray) -> float:
    """Ink threshold of a grey crop on its own (the reader uses the whole page's)."""
    paper = float(np.percentile(crop, 90))
    otsu, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return min(float(otsu), paper * 0.75) if crop.min() < paper * 0.75 else paper * 0.5


def box_crop(ch: str, rng: np.random.Generator, w: int = BOX_W, h: int = BOX_H) -> np.ndarray:
    """A grey box interior holding a handwritten `ch`, degraded like a scan."""
    g = glyph(ch, rng)
    height = int(h * rng.uniform(0.55, 1.0))
    width = min(w, int(height * rng.uniform(0.85, 1.15)))
    g = cv2.resize(g, (width, height), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((h, w), np.float32)
    oy = rng.integers(0, h - height + 1)
    ox = rng.integers(0, w - width + 1)
    canvas[oy:oy + height, ox:ox + width] = g / 255.0
    paper, ink = rng.uniform(200, 250), rng.uniform(10, 120)
    grey = paper - canvas * (paper - ink)
    if rng.random() < 0.3:  # a box line pushed in by misalignment
        side = rng.integers(4)
        t = rng.integers(1, 3)
        sl = [(slice(0, t), slice(None)), (slice(h - t, h), slice(None)),
              (slice(None), slice(0, t)), (slice(None), slice(w - t, w))][side]
        grey[sl] = ink
    if rng.random() < 0.5:
        grey = cv2.GaussianBlur(grey, (3, 3), rng.uniform(0.3, 1.0))
    if rng.random() < 0.4:  # lower resolution: down and up again
        f = rng.uniform(0.55, 0.9)
        small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        grey = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    grey += rng.normal(0, rng.uniform(2, 12), grey.shape)
    return np.clip(grey, 0, 255).astype(np.uint8)


def synthetic_masks(per_class: int, seed: int) -> tuple[list[np.ndarray], list[str]]:
    rng = np.random.default_rng(seed)
    masks, labels = [], []
    for cls in CLASSES:
        # A shared class is written in both scripts' hands: learn from both.
        from .classes import TO_CYRILLIC

        variants = [cls] + ([TO_CYRILLIC[cls]] if cls in TO_CYRILLIC else [])
        for i in range(per_class):
            crop = box_crop(variants[i % len(variants)], rng)
            masks.append(ink_mask(crop, crop_threshold(crop)))
            labels.append(cls)
    return masks, labels


def confirmed_masks(folder: Path) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Operators' confirmed characters; also returns the files it could not use, with why."""
    masks, labels, skipped = [], [], []
    if not folder.is_dir():
        return masks, labels, skipped
    for label_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        cls = to_class(label_dir.name)
        for png in sorted(label_dir.glob("*.png")):
            if len(label_dir.name) != 1 or cls not in CLASSES:
                skipped.append(f"{png}: folder name is not one known character")
                continue
            crop = cv2.imread(str(png), cv2.IMREAD_GRAYSCALE)
            if crop is None:
                skipped.append(f"{png}: not a readable PNG")
                continue
            masks.append(ink_mask(crop, crop_threshold(crop)))
            labels.append(cls)
    return masks, labels, skipped


def train(*, per_class: int = 1000, seed: int = 1, confirmed: Path | None = None,
          confirmed_weight: int = 5, out: Path = MODEL_PATH, hidden: int = 256,
          hog_cells=(4,), log: Callable[[str], None] = print) -> dict:
    """Train the classifier and write it to `out`; returns what it measured on held-out data."""
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    t0 = time.time()
    masks, labels = synthetic_masks(per_class, seed)
    n_confirmed = 0
    if confirmed is not None:
        cm, cl, skipped = confirmed_masks(confirmed)
        for s in skipped:
            log(f"skipped {s}")
        n_confirmed = len(cm)
        # Real handwriting is scarce and worth more than synthetic: repeat it.
        masks += cm * confirmed_weight
        labels += cl * confirmed_weight
    x, index = prepare(masks, hog_cells)
    y = np.array([labels[i] for i in index])
    log(f"{len(y)} samples ({n_confirmed} confirmed) prepared in {time.time() - t0:.0f} s")
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.1, random_state=seed,
                                                        stratify=y)
    mean = x_train.mean(axis=0)
    scale = x_train.std(axis=0) + 1e-3
    mlp = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=3e-4, batch_size=256,
                        learning_rate_init=2e-3, max_iter=40, early_stopping=True,
                        n_iter_no_change=4, random_state=seed)
    mlp.fit((x_train - mean) / scale, y_train)
    accuracy = float(mlp.score((x_test - mean) / scale, y_test))
    # Keep the model's columns in CLASSES order, whatever order sklearn learnt them in.
    order = [list(mlp.classes_).index(c) for c in CLASSES]
    weights = [(mlp.coefs_[0], mlp.intercepts_[0]),
               (mlp.coefs_[1][:, order], mlp.intercepts_[1][order])]
    save_model(out, mean=mean.astype(np.float32), scale=scale.astype(np.float32),
               weights=weights, hog_cells=hog_cells)
    log(f"held-out accuracy {accuracy:.4f}; {time.time() - t0:.0f} s; wrote {out}")
    return {"samples": int(len(y)), "confirmed": n_confirmed, "accuracy": accuracy}

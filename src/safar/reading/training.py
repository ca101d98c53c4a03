"""Training data and training for the box classifier (used by scripts/train_characters.py and
`safar retrain-characters`).

Synthetic samples go through the reader's own path: a handwriting-like glyph is placed in a box
crop as the reader cuts it from an aligned page (8 px/mm), degraded like a scan, thresholded and
normalised by the same functions the reader uses. Confirmed samples are operators' corrections:
DATA_DIR/training/characters/<character>/<anything>.png, each the grey crop of one box.

The network (see _characters.Model) is trained with JAX on the CPU: softmax cross-entropy, Adam
with a cosine-decayed step size, small weight decay, a fresh random shift of each glyph by up to a
pixel every epoch. A temperature is then fitted on held-out samples (lowest log-loss), so that a
probability of 0.99 means about one error in a hundred: the reader's thresholds rely on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from ._characters import (
    MODEL_PATH,
    Ensemble,
    Model,
    glyph_inputs,
    ink_mask,
    load_model,
    save_model,
)
from ._glyphs import glyph
from .classes import CLASSES, DIGITS, to_class

BOX_W, BOX_H = 34, 43  # a 5.3 × 6.5 mm box interior at the reader's 8 px/mm


def crop_threshold(crop: np.ndarray) -> float:
    """Ink threshold of a grey crop on its own (the reader uses the whole page's)."""
    paper = float(np.percentile(crop, 90))
    otsu, _ = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return min(float(otsu), paper * 0.75) if crop.min() < paper * 0.75 else paper * 0.5


def box_crop(
    ch: str, rng: np.random.Generator, w: int = BOX_W, h: int = BOX_H, *, rough: bool = False
) -> np.ndarray:
    """A grey box interior holding a handwritten `ch`, degraded like a scan. `rough`: written in
    the hands of real scanned forms (see _glyphs) and often scanned like them: tall letters that
    fill or overrun the box, and a 1-bit scan at 300 dpi resampled to the reader's 8 px/mm."""
    g = glyph(ch, rng, rough=rough)
    height = int(h * rng.uniform(0.55, 1.0))
    width = min(w, int(height * rng.uniform(0.85, 1.15)))
    if rough and rng.random() < 0.25:  # the letter overruns the box: its edge is cut off
        height = int(h * rng.uniform(1.0, 1.15))
        width = int(height * rng.uniform(0.75, 1.1))
    g = cv2.resize(g, (width, height), interpolation=cv2.INTER_AREA)
    canvas = np.zeros((max(h, height), max(w, width)), np.float32)
    oy = rng.integers(0, max(h, height) - height + 1)
    ox = rng.integers(0, max(w, width) - width + 1)
    canvas[oy : oy + height, ox : ox + width] = g / 255.0
    if canvas.shape != (h, w):
        y0 = rng.integers(0, canvas.shape[0] - h + 1)
        x0 = rng.integers(0, canvas.shape[1] - w + 1)
        canvas = canvas[y0 : y0 + h, x0 : x0 + w]
    paper, ink = rng.uniform(200, 250), rng.uniform(10, 120)
    grey = paper - canvas * (paper - ink)
    if rng.random() < 0.3:  # a box line pushed in by misalignment
        side = rng.integers(4)
        t = rng.integers(1, 3)
        sl = [
            (slice(0, t), slice(None)),
            (slice(h - t, h), slice(None)),
            (slice(None), slice(0, t)),
            (slice(None), slice(w - t, w)),
        ][side]
        grey[sl] = ink
    if rough and rng.random() < 0.5:
        return one_bit_scan(grey, rng)
    if rng.random() < 0.5:
        grey = cv2.GaussianBlur(grey, (3, 3), rng.uniform(0.3, 1.0))
    if rng.random() < 0.4:  # lower resolution: down and up again
        f = rng.uniform(0.55, 0.9)
        small = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        grey = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    grey += rng.normal(0, rng.uniform(2, 12), grey.shape)
    return np.clip(grey, 0, 255).astype(np.uint8)


def one_bit_scan(grey: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A black-and-white scan: the page blurred by the scanner's optics, sampled at 200–300 dpi,
    thresholded to black or white (a light, thin stroke breaks up), then resampled to the
    reader's 8 px/mm (≈ 203 dpi), which greys the edges again."""
    h, w = grey.shape
    f = rng.uniform(1.0, 1.5)  # 203 → 203–305 dpi
    big = cv2.resize(grey, None, fx=f, fy=f, interpolation=cv2.INTER_LINEAR)
    big = cv2.GaussianBlur(big, (0, 0), rng.uniform(0.4, 1.2))
    big = big + rng.normal(0, rng.uniform(4, 20), big.shape)
    dark, light = float(big.min()), float(np.percentile(big, 90))
    level = dark + (light - dark) * rng.uniform(0.35, 0.65)
    bw = np.where(big < level, 0.0, 255.0).astype(np.float32)
    return np.rint(cv2.resize(bw, (w, h), interpolation=cv2.INTER_AREA)).astype(np.uint8)


_PIXEL = np.ones((2, 2), np.uint8)


def _ink_variant(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Sometimes a pixel more or less ink (pens and thresholds differ); the mask itself when
    thinning would leave nothing."""
    r = rng.random()
    if r < 0.8:
        return mask
    m8 = mask.astype(np.uint8)
    changed = cv2.dilate(m8, _PIXEL) if r < 0.9 else cv2.erode(m8, _PIXEL)
    return changed.astype(bool) if changed.any() else mask


# A rough glyph the scan all but erased (fewer ink pixels than this in a box) teaches nothing.
MIN_ROUGH_INK = 30


def synthetic_masks(
    per_class: int, seed: int, classes: str = CLASSES, rough: float = 0.0
) -> tuple[list[np.ndarray], list[str]]:
    """`per_class` box masks of each class; a share `rough` of them in the hands and scans of
    real forms (box_crop's `rough`), drawn again when the scan left almost no ink."""
    from .classes import TO_CYRILLIC

    rng = np.random.default_rng(seed)
    masks, labels = [], []
    for cls in classes:
        # A shared class is written in both scripts' hands: learn from both.
        variants = [cls] + ([TO_CYRILLIC[cls]] if cls in TO_CYRILLIC else [])
        for i in range(per_class):
            ch = variants[i % len(variants)]
            is_rough = bool(rough) and rng.random() < rough
            for _ in range(5):
                crop = box_crop(ch, rng, rough=is_rough)
                mask = ink_mask(crop, crop_threshold(crop))
                if not is_rough or mask.sum() >= MIN_ROUGH_INK:
                    break
            masks.append(_ink_variant(mask, rng))
            labels.append(cls)
    return masks, labels


def card_masks(
    count: int, seed: int, log: Callable[[str], None] = print
) -> tuple[list[np.ndarray], list[str]]:
    """Boxes of `count` whole synthetic cards, cut and thresholded by the reader itself.

    The glyphs are the same hands as synthetic_masks', but they went through everything a page
    goes through (a 200–600 dpi render, skew, scanner blur and noise, black-and-white or JPEG,
    alignment back to 8 px/mm): the network learns the crops it will actually be given.
    """
    from ._align import align
    from ._boxes import BLANK, _char_crops, page_threshold
    from ._image import load_pages
    from .card import load_template
    from .synth import box_strings, synth_card

    template = load_template("safar-card")
    rng = np.random.default_rng(seed)
    masks, labels, t0 = [], [], time.time()
    for i in range(count):
        card = synth_card(template, rng, f"TR{i:07d}")
        page = align(load_pages(card["data"], first_only=True)[0], template).page
        threshold = page_threshold(page)
        for name, text in box_strings(template, card["values"]).items():
            for crop, ch in zip(_char_crops(page, template.field(name)), text, strict=False):
                m = ink_mask(crop, threshold)
                if ch != " " and m.size and m.mean() >= BLANK:
                    masks.append(_ink_variant(m, rng))
                    labels.append(to_class(ch))
        if (i + 1) % 250 == 0:
            log(f"{i + 1}/{count} cards cut into boxes ({time.time() - t0:.0f} s)")
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


def _init(key, n_classes: int, channels=(16, 32, 48), hidden: int = 192) -> dict:
    import jax

    keys = jax.random.split(key, len(channels) + 2)
    convs, c_in = [], 1
    for k, c_out in zip(keys, channels, strict=False):
        w = jax.random.normal(k, (3, 3, c_in, c_out)) * np.sqrt(2 / (9 * c_in))
        convs.append((w, np.zeros(c_out, np.float32)))
        c_in = c_out
    flat = 7 * 7 * channels[-1] + 2
    dense = [
        (
            jax.random.normal(keys[-2], (flat, hidden)) * np.sqrt(2 / flat),
            np.zeros(hidden, np.float32),
        ),
        (
            jax.random.normal(keys[-1], (hidden, n_classes)) * np.sqrt(1 / hidden),
            np.zeros(n_classes, np.float32),
        ),
    ]
    return {"conv": convs, "dense": dense}


def _forward(params, glyphs, extras):
    """The same network as _characters.Model.logits, in JAX (for gradients)."""
    import jax.numpy as jnp
    from jax import lax

    h = glyphs[..., None]
    for i, (w, b) in enumerate(params["conv"]):
        h = lax.conv_general_dilated(
            h, w, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
        h = jnp.maximum(h + b, 0)
        if i < 2:
            n, hh, ww, c = h.shape
            h = h.reshape(n, hh // 2, 2, ww // 2, 2, c).max(axis=(2, 4))
    h = jnp.concatenate([h.reshape(h.shape[0], -1), extras], axis=1)
    for i, (w, b) in enumerate(params["dense"]):
        h = h @ w + b
        if i < len(params["dense"]) - 1:
            h = jnp.maximum(h, 0)
    return h


def _shift(glyphs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each glyph moved by -1, 0 or +1 pixel in each direction (normalisation centres the ink,
    reading does not always)."""
    out = np.zeros_like(glyphs)
    dy, dx = rng.integers(-1, 2, (2, len(glyphs)))
    for sy in (-1, 0, 1):
        for sx in (-1, 0, 1):
            pick = (dy == sy) & (dx == sx)
            out[pick] = np.roll(glyphs[pick], (sy, sx), axis=(1, 2))
    return out


def fit(
    glyphs,
    extras,
    y,
    *,
    seed: int,
    epochs: int = 16,
    batch: int = 256,
    lr: float = 2e-3,
    weight_decay: float = 1e-4,
    init: dict | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Train the network (from `init`'s parameters when given: fine-tuning); returns the
    parameters as NumPy arrays."""
    import jax
    import jax.numpy as jnp

    params = (
        jax.tree_util.tree_map(jnp.asarray, init)
        if init is not None
        else _init(jax.random.PRNGKey(seed), len(CLASSES))
    )
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    moments = (zeros, zeros)
    steps_per_epoch = max(1, len(y) // batch)
    total = steps_per_epoch * epochs

    def loss_fn(p, g, e, t):
        z = _forward(p, g, e)
        nll = -jnp.mean(jax.nn.log_softmax(z)[jnp.arange(len(t)), t])
        decay = sum(jnp.sum(w * w) for w, _ in p["conv"] + p["dense"])
        return nll + weight_decay * decay

    @jax.jit
    def step(p, m, g, e, t, i):
        loss, grads = jax.value_and_grad(loss_fn)(p, g, e, t)
        rate = lr * 0.5 * (1 + jnp.cos(jnp.pi * i / total))
        b1, b2 = 0.9, 0.999

        m1 = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m[0], grads)
        m2 = jax.tree_util.tree_map(lambda m, g: b2 * m + (1 - b2) * g * g, m[1], grads)
        c1, c2 = 1 - b1 ** (i + 1), 1 - b2 ** (i + 1)
        p = jax.tree_util.tree_map(
            lambda w, a, v: w - rate * (a / c1) / (jnp.sqrt(v / c2) + 1e-8), p, m1, m2
        )
        return p, (m1, m2), loss

    rng = np.random.default_rng(seed)
    i = 0
    for epoch in range(epochs):
        order = rng.permutation(len(y))
        shifted = _shift(glyphs, rng)
        losses = []
        for s in range(steps_per_epoch):
            pick = order[s * batch : (s + 1) * batch]
            params, moments, loss = step(params, moments, shifted[pick], extras[pick], y[pick], i)
            losses.append(float(loss)) if s % 50 == 0 else None
            i += 1
        log(f"epoch {epoch + 1}/{epochs}: loss {np.mean(losses):.4f}")
    return jax.tree_util.tree_map(np.asarray, params)


def _temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The logit temperature with the lowest log-loss on held-out samples."""
    best, best_nll = 1.0, np.inf
    for t in np.arange(0.5, 3.01, 0.05):
        s = z / t
        s = s - s.max(axis=1, keepdims=True)
        nll = -np.mean(s[np.arange(len(y)), y] - np.log(np.exp(s).sum(axis=1)))
        if nll < best_nll:
            best, best_nll = float(t), nll
    return best


def train(
    *,
    per_class: int = 3000,
    extra_digits: int = 5000,
    cards: int = 0,
    seed: int = 1,
    members: int = 1,
    confirmed: Path | None = None,
    confirmed_weight: int = 5,
    out: Path = MODEL_PATH,
    epochs: int = 16,
    rough: float = 0.0,
    start: Path | None = None,
    lr: float = 2e-3,
    log: Callable[[str], None] = print,
) -> dict:
    """Train the classifier (`members` networks, from seeds seed, seed+1, …) and write it to
    `out`; returns what it measured on held-out data (the weakest member's accuracy).

    `start`: fine-tune the networks of that model file (`members` ignored) instead of training
    new ones — a few epochs at a lower `lr` on a smaller draw of data take minutes, not the ~45
    minutes per network of training from scratch. The networks already differ (each was trained
    on its own draw), so to save CPU they are fine-tuned on one draw, each with its own order,
    shifts and held-out samples. `rough`: the share of synthetic glyphs written in the hands and
    scans of real forms (see box_crop)."""
    t0 = time.time()
    starts = list(load_model(start).members) if start is not None else [None] * members
    shared = None
    if start is not None:
        shared = _prepare(
            seed, per_class, extra_digits, cards, confirmed, confirmed_weight, rough, log
        )
    nets, results = [], []
    for k, init in enumerate(starts):
        data = shared or _prepare(
            seed + k, per_class, extra_digits, cards, confirmed, confirmed_weight, rough, log
        )
        net, result = _fit_member(seed + k, data, epochs=epochs, init=init, lr=lr, log=log)
        nets.append(net)
        results.append(result)
    save_model(out, Ensemble(tuple(nets)))
    log(f"{len(nets)} network(s) in {time.time() - t0:.0f} s; wrote {out}")
    return min(results, key=lambda r: r["accuracy"])


def _prepare(
    seed: int,
    per_class: int,
    extra_digits: int,
    cards: int,
    confirmed: Path | None,
    confirmed_weight: int,
    rough: float,
    log: Callable[[str], None],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """One draw of the training data: glyphs, extras, class indexes, confirmed samples."""
    t0 = time.time()
    masks, labels = synthetic_masks(per_class, seed, rough=rough)
    # Digits fill most boxes of a card (dates, passport number) and no word list helps a
    # passport number: they get more samples than letters.
    more, more_labels = synthetic_masks(extra_digits, seed + 1000, DIGITS, rough=rough)
    masks, labels = masks + more, labels + more_labels
    if cards:
        cm, cl = card_masks(cards, seed + 2000, log)
        masks, labels = masks + cm, labels + cl
    n_confirmed = 0
    if confirmed is not None:
        cm, cl, skipped = confirmed_masks(confirmed)
        for s in skipped:
            log(f"skipped {s}")
        n_confirmed = len(cm)
        # Real handwriting is scarce and worth more than synthetic: repeat it.
        masks += cm * confirmed_weight
        labels += cl * confirmed_weight
    glyphs, extras, index = glyph_inputs(masks)
    # Held as bytes while training (a quarter of the memory); the network sees 1/255 steps.
    glyphs = np.round(glyphs * 255).astype(np.uint8).astype(np.float32) / 255
    y = np.array([CLASSES.index(labels[i]) for i in index])
    log(
        f"seed {seed}: {len(y)} samples ({n_confirmed} confirmed) prepared in "
        f"{time.time() - t0:.0f} s"
    )
    return glyphs, extras, y, n_confirmed


def _fit_member(
    seed: int,
    data: tuple[np.ndarray, np.ndarray, np.ndarray, int],
    *,
    epochs: int,
    init: Model | None,
    lr: float,
    log: Callable[[str], None],
) -> tuple[Model, dict]:
    """One network: its own initialisation (or starting network), order and held-out samples."""
    t0 = time.time()
    glyphs, extras, y, n_confirmed = data
    held = np.random.default_rng(seed + 1).random(len(y)) < 0.05
    start = None
    if init is not None:
        if init.classes != CLASSES:
            raise ValueError("the starting model knows other classes than this reader")
        start = {"conv": [tuple(c) for c in init.convs], "dense": [tuple(d) for d in init.dense]}
    params = fit(
        glyphs[~held],
        extras[~held],
        y[~held],
        seed=seed,
        epochs=epochs,
        lr=lr,
        init=start,
        log=log,
    )
    net = Model(convs=tuple(params["conv"]), dense=tuple(params["dense"]), classes=CLASSES)
    z = net.logits(glyphs[held], extras[held])
    accuracy = float((z.argmax(axis=1) == y[held]).mean())
    temperature = _temperature(z, y[held])
    log(
        f"seed {seed}: held-out accuracy {accuracy:.4f} (temperature {temperature:.2f}); "
        f"{time.time() - t0:.0f} s"
    )
    return (
        Model(convs=net.convs, dense=net.dense, classes=CLASSES, temperature=temperature),
        {
            "samples": int(len(y)),
            "confirmed": n_confirmed,
            "accuracy": accuracy,
            "temperature": temperature,
        },
    )

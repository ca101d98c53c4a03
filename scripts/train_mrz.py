"""Train an MRZ character recogniser from monospaced fonts, offline and reproducibly.

    .venv/bin/python scripts/train_mrz.py [--blocks 2400] [--seed 7] [--hidden 192]
        [--fonts ocrb:0.8,dejavu:0.12,liberation:0.08] [--strong-blur 0.1] [--out FILE.npz]

The two committed models (see docs/reading-mrz.md) are made by

    scripts/train_mrz.py --blocks 2000 --fonts ocrb --strong-blur 0 --out src/safar/reading/models/mrz_ocrb_mlp.npz
    scripts/train_mrz.py --blocks 6000 --hidden 384 --out src/safar/reading/models/mrz_mono_mlp.npz

Each training sample goes through the same band → line → grid → cell code as reading does, so the
recogniser sees exactly the crops it will get: MRZ blocks (half realistic MRZs, half uniformly
random characters, for balanced classes) are rendered in OCR-B or, in the shares --fonts gives,
DejaVu Sans Mono and Liberation Mono (the fonts of the few issuers who do not print OCR-B),
degraded (stroke thickness, patterned background, low resolution from 5 to 22 px per character,
blur (strong for some blocks, as in a phone photo), noise, JPEG, residual rotation), cut by
`safar.reading._mrz`, and fed to a scikit-learn MLP whose weights are written to a plain .npz file.
"""

import argparse
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from sklearn.neural_network import MLPClassifier

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from safar.reading._mrz import band as band_mod  # noqa: E402
from safar.reading._mrz import locate, segment, synth  # noqa: E402
from safar.reading._mrz.layout import ALPHABET, SHAPES  # noqa: E402

HI_PITCH = 24  # render at this pitch, then degrade to the sample's own resolution
FONTS = {
    "ocrb": synth.OCRB_PATH,
    "dejavu": synth.DEJAVU_MONO_PATH,
    "liberation": synth.LIBERATION_MONO_PATH,
}
# OCR-B stays dominant: it is the ICAO font, and the other fonts must not cost it accuracy.
DEFAULT_FONTS = "ocrb:0.8,dejavu:0.12,liberation:0.08"


def font_shares(spec: str) -> dict[Path, float]:
    """ "ocrb:0.8,dejavu:0.2" (or just "ocrb") as font paths and their shares of the blocks."""
    shares = {}
    for item in spec.split(","):
        name, _, share = item.partition(":")
        shares[FONTS[name.strip()]] = float(share or 1)
    total = sum(shares.values())
    return {path: share / total for path, share in shares.items()}


def degrade(
    block: np.ndarray, rng: np.random.Generator, strong_blur: float
) -> tuple[np.ndarray, np.ndarray]:
    """A rendered block made to look scanned or photographed, and the affine map applied to it."""
    img = block
    k = rng.choice([0, 0, 1, 2, -1, -2])  # thicker or thinner strokes
    if k:
        kernel = np.ones((abs(k) + 1, abs(k) + 1), np.uint8)
        img = cv2.erode(img, kernel) if k > 0 else cv2.dilate(img, kernel)
    h, w = img.shape
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = rng.uniform(5, 60)
    pattern = 0.5 + 0.5 * np.sin(xx / period + rng.uniform(0, 3) * np.sin(yy / rng.uniform(10, 80)))
    paper = rng.uniform(170, 255) - pattern * rng.uniform(0, 50) - (xx / w) * rng.uniform(-25, 25)
    ink = rng.uniform(0, float(paper.min()) - 50)
    img = paper - (paper - ink) * (1 - img.astype(np.float32) / 255)
    angle = float(rng.uniform(-2.0, 2.0))
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
    pitch = float(np.exp(rng.uniform(np.log(5.0), np.log(22))))
    scale = pitch / HI_PITCH
    img = cv2.resize(
        img, (max(8, round(w * scale)), max(8, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    sigma = rng.uniform(0, 0.9)
    # A share of blocks blurred like an out-of-focus phone photo, up to a tenth of a character.
    # (No random draw when the share is 0, so that OCR-B-only training repeats earlier models.)
    if strong_blur and rng.random() < strong_blur:
        sigma = rng.uniform(0.9, max(0.9, 0.3 + 0.08 * pitch))
    if sigma > 0.2:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    img = np.clip(img + rng.normal(0, rng.uniform(0, 12), img.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.6:
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 95))])
        img = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return img, np.vstack([m, [0, 0, 1]]) * np.array([[scale], [scale], [1]])


def sample(
    rng: np.random.Generator, fonts: dict[Path, float], strong_blur: float
) -> tuple[np.ndarray, list[str]] | None:
    """Cell features and labels of one synthetic block, or None when segmentation disagrees."""
    fmt = str(rng.choice(list(SHAPES)))
    n_lines, width = SHAPES[fmt]
    if rng.random() < 0.5:
        lines = synth.random_mrz(rng, fmt)
    else:
        lines = ["".join(rng.choice(list(ALPHABET), size=width)) for _ in range(n_lines)]
    paths = list(fonts)
    font_path = (
        paths[int(rng.choice(len(paths), p=list(fonts.values())))] if len(paths) > 1 else paths[0]
    )
    # Other fonts have taller capitals for their advance: keep the gap between lines alike.
    gap = float(rng.uniform(1.5, 2.0)) * synth.advance(synth.OCRB_PATH) / synth.advance(font_path)
    block = synth.render_block(lines, HI_PITCH, line_gap=gap, font_path=font_path)
    block = cv2.copyMakeBorder(block, *[HI_PITCH * 3] * 4, cv2.BORDER_CONSTANT, value=255)
    ys, xs = np.nonzero(block < 128)
    img, affine = degrade(block, rng, strong_blur)
    cx, cy, _ = affine @ [(xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2, 1]
    scale = float(np.hypot(*affine[0, :2]))
    angle = float(np.degrees(np.arctan2(affine[1, 0], affine[0, 0])))
    size = ((xs.max() - xs.min()) * scale * rng.uniform(0.97, 1.05), (ys.max() - ys.min()) * scale)
    # The band undoes the block's rotation, give or take a little, as the locator would.
    band = locate.Band((cx, cy), size, angle + rng.uniform(-0.5, 0.5), 1.0)
    crop = locate.extract(img, band)
    ink, found, char_px = band_mod.prepare(crop)
    if len(found) != n_lines:
        return None
    feats = []
    for line in found:
        strip = segment.line_strip(ink, line, char_px)
        bounds, _ = segment.fit_grid(strip, width, margin=char_px)
        feats.append(segment.cell_features(strip, bounds))
    return np.concatenate(feats), list("".join(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", type=int, default=2400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hidden", type=int, default=192)
    parser.add_argument(
        "--fonts", default=DEFAULT_FONTS, help="fonts and their shares, e.g. ocrb:0.8,dejavu:0.2"
    )
    parser.add_argument(
        "--strong-blur", type=float, default=0.1, help="share of strongly blurred blocks"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "src/safar/reading/models/mrz_ocrb_mlp.npz"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    xs, ys, skipped = [], [], 0
    while len(xs) < args.blocks:
        got = sample(rng, font_shares(args.fonts), args.strong_blur)
        if got is None:
            skipped += 1
            continue
        xs.append(got[0])
        ys += got[1]
    x = np.concatenate(xs)
    y = np.array([ALPHABET.index(c) for c in ys])
    print(
        f"{len(y)} characters from {args.blocks} blocks ({skipped} skipped) in {time.perf_counter() - t0:.0f} s"
    )
    mean, scale = x.mean(axis=0), x.std(axis=0) + 0.05
    order = rng.permutation(len(y))
    n_test = len(y) // 10
    test, train = order[:n_test], order[n_test:]
    clf = MLPClassifier(
        hidden_layer_sizes=(args.hidden,),
        alpha=1e-4,
        batch_size=256,
        max_iter=30,
        early_stopping=True,
        n_iter_no_change=4,
        random_state=args.seed,
    )
    clf.fit((x[train] - mean) / scale, y[train])
    accuracy = clf.score((x[test] - mean) / scale, y[test])
    print(
        f"trained in {time.perf_counter() - t0:.0f} s ({clf.n_iter_} epochs); held-out character accuracy {accuracy:.4f}"
    )
    weights = {f"W{i}": w.astype(np.float32) for i, w in enumerate(clf.coefs_)}
    weights |= {f"b{i}": b.astype(np.float32) for i, b in enumerate(clf.intercepts_)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        alphabet=np.array(list(ALPHABET)),
        **weights,
    )
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

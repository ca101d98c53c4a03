"""Train the box classifier shipped in src/safar/reading/models/characters.npz.

    .venv/bin/python scripts/train_characters.py [--per-class 1000] [--seed 1] [--hidden 256]

The shipped model was trained with these defaults (64,000 samples; 95.6 % held-out accuracy over
64 classes; ~11 minutes on a shared 2-core machine). A variant with finer features
(train(hog_cells=(4, 7))), narrower letters and thinner pens read real handwriting better
(queXF 48 % of characters instead of 35 %) but was worse calibrated on synthetic cards; see
docs/card.md.

Data: handwriting-like glyphs drawn from the fonts on the machine (DejaVu, Liberation, OCR-B) and
OpenCV's Hershey stroke fonts, plus scikit-learn's handwritten digits; nothing is downloaded.
`safar retrain-characters` runs the same training with operators' confirmed characters added.
"""

import argparse

from safar.reading.training import train

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=256)
    args = parser.parse_args()
    train(per_class=args.per_class, seed=args.seed, hidden=args.hidden)

"""Train the box classifier shipped in src/safar/reading/models/characters.npz.

    .venv/bin/python scripts/train_characters.py [--per-class 1000] [--seed 1]

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
    args = parser.parse_args()
    train(per_class=args.per_class, seed=args.seed)

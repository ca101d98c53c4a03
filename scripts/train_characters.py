"""Train the box classifier shipped in src/safar/reading/models/characters.npz.

    .venv/bin/python scripts/train_characters.py [--per-class 3000] [--seed 1] [--epochs 16]

A small convolutional network (see safar/reading/_characters.py), trained with JAX on the CPU
(see safar/reading/training.py); the reader runs it in NumPy. Numbers of the shipped model are in
docs/card.md and docs/benchmarks.md.

Data: handwriting-like glyphs drawn from the fonts on the machine (DejaVu, Liberation, OCR-B) and
OpenCV's Hershey stroke fonts, plus scikit-learn's handwritten digits; nothing is downloaded.
`safar retrain-characters` runs the same training with operators' confirmed characters added.
"""

import argparse
import os

# One thread for XLA: the result does not depend on it and the machine is shared.
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

from safar.reading.training import train  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=16)
    args = parser.parse_args()
    train(per_class=args.per_class, seed=args.seed, epochs=args.epochs)

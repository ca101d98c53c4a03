"""Train the box classifier shipped in src/safar/reading/models/characters.npz.

    .venv/bin/python scripts/train_characters.py [--per-class 3000] [--cards 2000]
        [--members 3] [--seed 3] [--epochs 16] [--rough 0] [--out FILE]
        | --fine-tune [MODEL] [--out FILE] | --combine MODEL… --out FILE

An ensemble of small convolutional networks (see safar/reading/_characters.py), each trained
with JAX on the CPU (see safar/reading/training.py) from its own seed: seed, seed+1, …; the
reader runs them in NumPy and averages their probabilities. The defaults reproduce the shipped
model (about 45 minutes per network on one free core). Its numbers are in docs/card.md and
docs/benchmarks.md.

Data: handwriting-like glyphs drawn from the fonts on the machine (DejaVu, Liberation, OCR-B) and
OpenCV's Hershey stroke fonts, plus scikit-learn's handwritten digits, plus the boxes of --cards
whole synthetic cards cut by the reader itself; nothing is downloaded. `safar
retrain-characters` runs the same training with operators' confirmed characters added.

--fine-tune starts from the networks of MODEL (default: the shipped model) instead of new ones
and, unless told otherwise, trains them 4 epochs at step 5e-4 on one smaller draw (500 glyphs per
class, 800 more per digit, 250 cards) of which half of the glyphs are written in the rough hands
and scans of real forms (--rough 0.5; see training.box_crop): about 10 CPU minutes for
all three networks (31 minutes wall on the loaded machine of 2026-12-01).
"""

import argparse
import os

# One thread for XLA: the result does not depend on it and the machine is shared.
os.environ.setdefault(
    "XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
)

from pathlib import Path  # noqa: E402

from safar.reading._characters import MODEL_PATH, Ensemble, load_model, save_model  # noqa: E402
from safar.reading.training import train  # noqa: E402


def combine(parts: list[Path], out: Path) -> None:
    """One ensemble file from the networks of several model files (trained separately)."""
    members = tuple(m for p in parts for m in load_model(p).members)
    save_model(out, Ensemble(members))
    print(f"wrote {out}: {len(members)} networks")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--combine",
        type=Path,
        nargs="+",
        metavar="MODEL",
        help="no training: put the networks of these model files into --out",
    )
    parser.add_argument(
        "--fine-tune",
        type=Path,
        nargs="?",
        const=MODEL_PATH,
        metavar="MODEL",
        help="fine-tune the networks of MODEL (default: the shipped model)",
    )
    parser.add_argument("--per-class", type=int)
    parser.add_argument("--extra-digits", type=int)
    parser.add_argument("--cards", type=int)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--rough", type=float, help="share of rough glyphs (0–1)")
    args = parser.parse_args()
    tuning = args.fine_tune is not None
    defaults = (
        {"per_class": 500, "extra_digits": 800, "cards": 250, "seed": 30, "epochs": 4}
        | {"lr": 5e-4, "rough": 0.5}
        if tuning
        else {"per_class": 3000, "extra_digits": 5000, "cards": 2000, "seed": 3, "epochs": 16}
        | {"lr": 2e-3, "rough": 0.0}
    )
    chosen = {
        k: getattr(args, k) if getattr(args, k) is not None else v for k, v in defaults.items()
    }
    if args.combine:
        combine(args.combine, args.out)
    else:
        train(**chosen, members=args.members, start=args.fine_tune, out=args.out)

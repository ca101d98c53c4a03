"""`safar bench reading-mrz`: accuracy and speed of `read_mrz`.

Registered through `safar.capture.benchmarks` (the reading library is not a Django app). With
`--dir` it reads a folder of document images (e.g. ../shared/testdata/mrz/passporteye); without,
it renders `--synthetic` passport pages (all five formats, turned, skewed, blurred, noisy) so that
it runs on any machine. Times are CPU seconds of this process and of the Tesseract processes it
started for a second opinion: one core per document.
"""

import argparse
import os
import statistics
from datetime import date
from pathlib import Path

import numpy as np

from safar.core.benchmarks import benchmark

from ._mrz import synth
from ._mrz.layout import SHAPES
from .mrz import read_mrz

SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (Tesseract, when asked)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def synthetic_pages(count: int, seed: int = 2026):
    """(image, expected lines) pairs across formats, rotations, skews, blur and resolutions."""
    rng = np.random.default_rng(seed)
    formats = list(SHAPES)
    for i in range(count):
        fmt = formats[i % len(formats)]
        lines = synth.random_mrz(rng, fmt)
        page = synth.render_page(
            lines,
            rng,
            pitch=float(rng.uniform(9, 20)),
            rotation=90 * int(rng.integers(0, 4)),
            skew=float(rng.uniform(-5, 5)),
            blur=float(rng.uniform(0, 1.2)),
            noise=float(rng.uniform(2, 10)),
            colour=bool(rng.random() < 0.7),
        )
        yield f"synthetic-{i:03d}-{fmt}", page, lines


@benchmark("reading-mrz")
def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="safar bench reading-mrz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--dir", type=Path, help="folder of document images")
    parser.add_argument("--synthetic", type=int, default=60, help="synthetic pages when no --dir")
    args = parser.parse_args(argv)
    times, valid, right, total = [], 0, 0, 0
    if args.dir:
        items = [
            (str(p.relative_to(args.dir)), p, None)
            for p in sorted(args.dir.rglob("*"))
            if p.suffix.lower() in SUFFIXES
        ]
    else:
        items = list(synthetic_pages(args.synthetic))
    for name, image, expected in items:
        t0 = cpu_seconds()
        result = read_mrz(image, today=date(2026, 11, 22))
        times.append(cpu_seconds() - t0)
        total += 1
        valid += result.valid
        right += expected is not None and result.lines == expected
        if not result.valid:
            print(f"not valid: {name} {result.error or ' | '.join(result.lines)}")
        elif result.reader:
            print(f"valid with {result.reader}'s lines: {name}")
    print(f"documents: {total}; all check digits valid: {valid} ({valid / max(total, 1):.1%})")
    if not args.dir:
        print(f"read exactly right: {right} ({right / max(total, 1):.1%})")
    print(
        f"CPU per document: median {statistics.median(times) * 1000:.0f} ms, "
        f"90th percentile {np.percentile(times, 90) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
    )
    return 0
